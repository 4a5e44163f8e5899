// capi::outbox::BuildIdentityBag per row: what the outbox trigger adds to every INSERT. Rows are typical
// raw user_data (email, phone, first/last name, city, state, zip, country, IP, user agent, fbc, fbp) in
// the text form PostgreSQL renders jsonb in; each benchmark cycles through the same 8 rows.
//
//   BuildIdentityBag/typical   the bag builder (parse, normalize once per rule, hash once per value, write)
//   BuildIdentityBag/minimal   email, IP, user agent and fbp only
//   BuildIdentityBag/hashed    the same identifiers already hashed by the application
//   Baseline/parse_only        simdjson parse of the same text (the floor of any JSON-reading trigger)
//   Baseline/sha256_only       the SHA-256 digests a typical bag holds (10 per row), nothing else
//   Baseline/per_platform      PayloadValue for every accepted field x platform, no sharing (what a
//                              builder without rule sharing would cost), plus the parse
//   Baseline/user_data_x7      capi::identity::BuildUserData (nlohmann) for all 7 platforms
// Prints ns/op per benchmark and a summary in microseconds per row (CPU time).
//
//   build-<name>/identity_bag_bench [--benchmark_repetitions=5]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "core/identity/acceptance.hpp"
#include "core/identity/identifiers.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/user_data.hpp"
#include "core/identity/wire_form.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/sha256.hpp"

namespace {

using capi::identity::Field;
using capi::identity::Platform;

std::vector<std::string> TypicalRows() {
	return {
	    R"({"em": "John.Smith@gmail.com", "ct": "New York", "fn": "John", "ln": "Smith", "ph": "(212) 555-0143", "st": "NY", "zp": "10001", "fbc": "fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890", "fbp": "fb.1.1558571054389.1098115397", "country": "US", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"})",
	    R"({"em": "mary.jane+shop@outlook.com", "ct": "San Francisco", "fn": "Mary-Jane", "ln": "O'Brien", "ph": "+1 415 555 0199", "st": "California", "zp": "94105-1234", "fbc": "fb.1.1700000000000.IwAR3xYz", "fbp": "fb.1.1700000000001.1234567890", "country": "United States", "client_ip_address": "198.51.100.23", "client_user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15"})",
	    R"({"em": "customer42@example.co.uk", "ct": "London", "fn": "Oliver", "ln": "Brown", "ph": "+44 20 7946 0958", "st": "England", "zp": "SW1A 1AA", "fbc": "fb.1.1710000000000.AbC", "fbp": "fb.1.1710000000000.987654321", "country": "GB", "client_ip_address": "2001:db8::1", "client_user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 Safari/605.1.15"})",
	    R"({"em": "Sales@ACME.io", "ct": "Austin", "fn": "Robert", "ln": "Johnson", "ph": "512-555-0100", "st": "TX", "zp": "73301", "fbc": "fb.1.1720000000000.XyZ", "fbp": "fb.1.1720000000000.111222333", "country": "usa", "client_ip_address": "192.0.2.44", "client_user_agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36"})",
	    R"({"em": "j.doe@gmail.com", "ct": "Chicago", "fn": "Jane", "ln": "Doe", "ph": "3125550123", "st": "IL", "zp": "60601", "fbc": "fb.1.1730000000000.QwErTy", "fbp": "fb.1.1730000000000.444555666", "country": "US", "client_ip_address": "203.0.113.99", "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/121.0"})",
	    R"({"em": "li.wei@example.com", "ct": "Seattle", "fn": "Wei", "ln": "Li", "ph": "(206) 555-0177", "st": "WA", "zp": "98101", "fbc": "fb.1.1740000000000.AsDfGh", "fbp": "fb.1.1740000000000.777888999", "country": "US", "client_ip_address": "198.51.100.200", "client_user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edg/120.0"})",
	    R"({"em": "carlos.garcia@example.es", "ct": "Miami", "fn": "Carlos", "ln": "Garcia", "ph": "+1 305 555 0111", "st": "FL", "zp": "33101", "fbc": "fb.1.1750000000000.ZxCvBn", "fbp": "fb.1.1750000000000.123123123", "country": "US", "client_ip_address": "192.0.2.1", "client_user_agent": "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15"})",
	    R"({"em": "anna.k@example.de", "ct": "Boston", "fn": "Anna", "ln": "Keller", "ph": "617.555.0145", "st": "MA", "zp": "02108", "fbc": "fb.1.1760000000000.PoIuYt", "fbp": "fb.1.1760000000000.321321321", "country": "US", "client_ip_address": "203.0.113.150", "client_user_agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Chrome/120.0"})",
	};
}

std::vector<std::string> MinimalRows() {
	std::vector<std::string> rows;
	for (int i = 0; i < 8; ++i) {
		std::string n = std::to_string(i);
		rows.push_back("{\"em\": \"customer" + n + "@example.com\", \"client_ip_address\": \"203.0.113." + n +
		               "\", \"client_user_agent\": \"Mozilla/5.0 (X11; Linux x86_64)\", \"fbp\": "
		               "\"fb.1.1558571054389.10981153" +
		               n + "\"}");
	}
	return rows;
}

// The typical rows' identity fields as the application's own SHA-256 digests.
std::vector<std::string> HashedRows() {
	std::vector<std::string> rows;
	for (const std::string &row : TypicalRows()) {
		nlohmann::json raw = nlohmann::json::parse(row);
		nlohmann::json hashed;
		for (const auto &[key, value] : raw.items()) {
			std::optional<Field> field = capi::identity::FindField(key);
			std::string digest;
			if (field &&
			    capi::identity::Hash(*field, Platform::kMeta, value.get<std::string>(), "US", digest))
				hashed[key] = digest;
			else if (!field)
				hashed[key] = value;
		}
		rows.push_back(hashed.dump());
	}
	return rows;
}

void BuildBag(benchmark::State &state, std::vector<std::string> rows) {
	std::string out;
	std::size_t i = 0;
	for (auto _ : state) {
		capi::outbox::BuildIdentityBag(rows[i++ & 7], "US", out);
		benchmark::DoNotOptimize(out.data());
	}
	state.counters["bag_bytes"] = static_cast<double>(out.size());
}

void ParseOnly(benchmark::State &state) {
	std::vector<std::string> rows = TypicalRows();
	simdjson::dom::parser parser;
	std::size_t i = 0;
	for (auto _ : state) {
		const std::string &row = rows[i++ & 7];
		simdjson::dom::element root;
		if (parser.parse(row.data(), row.size()).get(root) != simdjson::SUCCESS)
			state.SkipWithError("parse failed");
		benchmark::DoNotOptimize(root);
	}
}

void Sha256Only(benchmark::State &state) {
	// 10 digests per typical row: email, phone (two forms), first and last name, city, state, zip,
	// country, and one extra variant (Google's first name or gmail email) on average.
	const char *values[10] = {"john.smith@gmail.com",
	                          "12125550143",
	                          "+12125550143",
	                          "john",
	                          "smith",
	                          "newyork",
	                          "ny",
	                          "10001",
	                          "us",
	                          "johnsmith@gmail.com"};
	char digest[capi::kSha256HexLength];
	for (auto _ : state) {
		for (const char *value : values) {
			capi::Sha256Hex(value, digest);
			benchmark::DoNotOptimize(digest);
		}
	}
}

void PerPlatform(benchmark::State &state) {
	std::vector<std::string> rows = TypicalRows();
	capi::identity::RawIdentifiers raw;
	std::string out;
	std::size_t i = 0;
	for (auto _ : state) {
		raw.Parse(rows[i++ & 7]);
		for (int p = 0; p < 7; ++p) {
			Platform platform = static_cast<Platform>(p);
			for (int f = 0; f < 12; ++f) {
				Field field = static_cast<Field>(f);
				if (!capi::identity::PlatformAcceptsField(platform, field))
					continue;
				for (const std::string &value : raw.Of(field))
					capi::identity::PayloadValue(field, platform, value, "US", out);
			}
		}
		benchmark::DoNotOptimize(out.data());
	}
}

void UserDataForAllPlatforms(benchmark::State &state) {
	std::vector<std::string> rows = TypicalRows();
	std::size_t i = 0;
	for (auto _ : state) {
		nlohmann::json identifiers = nlohmann::json::parse(rows[i++ & 7]);
		for (int p = 0; p < 7; ++p) {
			std::string text =
			    capi::identity::BuildUserData(identifiers, static_cast<Platform>(p), "US").dump();
			benchmark::DoNotOptimize(text.data());
		}
	}
}

std::map<std::string, double> &NsPerOp() {
	static auto *results = new std::map<std::string, double>;
	return *results;
}

class Recorder : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override {
		for (const Run &run : runs) {
			if (run.run_type != Run::RT_Iteration)
				continue;
			auto [it, inserted] = NsPerOp().emplace(run.run_name.function_name, run.GetAdjustedCPUTime());
			if (!inserted && run.GetAdjustedCPUTime() < it->second)
				it->second = run.GetAdjustedCPUTime();
		}
		ConsoleReporter::ReportRuns(runs);
	}
};

} // namespace

int main(int argc, char **argv) {
	benchmark::RegisterBenchmark("BuildIdentityBag/typical", BuildBag, TypicalRows());
	benchmark::RegisterBenchmark("BuildIdentityBag/minimal", BuildBag, MinimalRows());
	benchmark::RegisterBenchmark("BuildIdentityBag/hashed", BuildBag, HashedRows());
	benchmark::RegisterBenchmark("Baseline/parse_only", ParseOnly);
	benchmark::RegisterBenchmark("Baseline/sha256_only", Sha256Only);
	benchmark::RegisterBenchmark("Baseline/per_platform", PerPlatform);
	benchmark::RegisterBenchmark("Baseline/user_data_x7", UserDataForAllPlatforms);
	benchmark::Initialize(&argc, argv);
	Recorder reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);
	std::printf("\n%-28s %12s\n", "benchmark (fastest run)", "us per row");
	for (const auto &[name, ns] : NsPerOp())
		std::printf("%-28s %12.2f\n", name.c_str(), ns / 1000.0);
	benchmark::Shutdown();
	return 0;
}
