// capi::identity::Hash per field, ASCII and non-ASCII inputs, against the cost of SHA-256 alone.
// Each benchmark cycles through the same 8 raw values; its baseline ("Sha256Only/<case>") hashes the
// already-normalized forms of those values with capi::Sha256Hex into the same reused std::string, so
//   normalization overhead per row = Hash/<case> - Sha256Only/<case>.
// Prints ns/op per benchmark and, at the end, that overhead for each case (CPU time: the machine may
// be shared).
//
//   build-<name>/identity_bench [--benchmark_repetitions=3]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/identity/normalize.hpp"
#include "core/sha256.hpp"

namespace {

using capi::identity::Field;
using capi::identity::Platform;

struct BenchCase {
	const char *name;
	Field field;
	Platform platform;
	std::vector<std::string> raw;
};

const std::vector<BenchCase> &Cases() {
	static const auto *cases = new std::vector<BenchCase>{
	    {"email_ascii",
	     Field::kEmail,
	     Platform::kMeta,
	     {"John_Smith@gmail.com", "  customer42@gmail.com ", "First.Last7@Company.co.uk",
	      "user.1234@example.com", "x0cc175b9c0f1b6a8@mail.example.org", "Jane.Doe@Outlook.com",
	      "sales@ACME.io", "a.b-c@d-e.fr"}},
	    {"email_google_gmail",
	     Field::kEmail,
	     Platform::kGoogle,
	     {"John.Smith+news@gmail.com", "  customer42@gmail.com ", "First.Last7@Company.co.uk",
	      "user.1234@googlemail.com", "x0cc175b9c0f1b6a8@mail.example.org", "Jane.Doe@Outlook.com",
	      "sales+x@ACME.io", "a.b.c@gmail.com"}},
	    {"email_unicode",
	     Field::kEmail,
	     Platform::kMeta,
	     {"J\xc3\xb6rg@B\xc3\xbc"
	      "cher.de",
	      "\xc3\x9cSER@example.com", "jos\xc3\xa9@correo.es",
	      "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80."
	      "\xd1\x80\xd1\x84",
	      "zo\xc3\xab@example.com", "Fran\xc3\xa7ois@Example.FR", "\xc3\x85sa@example.se",
	      "m\xc3\xbcller@example.de"}},
	    {"first_name_ascii",
	     Field::kFirstName,
	     Platform::kMeta,
	     {"Mary", " John ", "O'Brien", "Mary-Jane", "ALEXANDER", "li", "Jean Paul", "Chris"}},
	    {"first_name_unicode",
	     Field::kFirstName,
	     Platform::kMeta,
	     {"Val\xc3\xa9ry", "Jos\xc3\xa9", "Zo\xc3\xab", "\xc5\x81ukasz",
	      "\xd0\x9e\xd0\xbb\xd1\x8c\xd0\xb3\xd0\xb0", "\xce\xa3\xce\xbf\xcf\x86\xce\xaf\xce\xb1",
	      "\xec\xa0\x95", "Vale\xcc\x81ry"}},
	    {"city_ascii",
	     Field::kCity,
	     Platform::kMeta,
	     {"New York", "Paris", "San Francisco", "St. Louis", "LONDON", "Berlin", "Winston-Salem", "Austin"}},
	    {"city_unicode",
	     Field::kCity,
	     Platform::kMeta,
	     {"S\xc3\xa3o Paulo", "M\xc3\xbcnchen", "Z\xc3\xbcrich", "Krak\xc3\xb3w",
	      "\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", "\xe6\x9d\xb1\xe4\xba\xac", "Malm\xc3\xb6",
	      "Bogot\xc3\xa1"}},
	    {"state_name",
	     Field::kState,
	     Platform::kMeta,
	     {"California", "  new york ", "Texas", "Ontario", "Florida", "Washington", "Quebec", "Bavaria"}},
	    {"state_code", Field::kState, Platform::kMeta, {"CA", "ny", "TX", "on", "FL", "wa", "QC", "az"}},
	    {"country_code",
	     Field::kCountry,
	     Platform::kMeta,
	     {"US", "de", "GB", "fr", "USA", "DEU", "jp", "br"}},
	    {"country_name",
	     Field::kCountry,
	     Platform::kMeta,
	     {"United States", "Germany", "United Kingdom", "France", "Japan", "Brazil", "Canada", "India"}},
	    {"country_unicode",
	     Field::kCountry,
	     Platform::kMeta,
	     {"Deutschland",
	      "Espa\xc3\xb1"
	      "a",
	      "\xe6\x97\xa5\xe6\x9c\xac", "\xd0\xa0\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f",
	      "C\xc3\xb4te d\xe2\x80\x99Ivoire", "\xc3\x96sterreich", "M\xc3\xa9xico", "T\xc3\xbcrkiye"}},
	    {"dob_iso",
	     Field::kDateOfBirth,
	     Platform::kMeta,
	     {"1997-02-16", "1985-12-01", "2001-07-30", "1960-01-09", "1990-10-10", "1979-05-23", "2004-02-29",
	      "1999-12-31"}},
	    {"dob_us",
	     Field::kDateOfBirth,
	     Platform::kMeta,
	     {"2/16/1997", "12/01/1985", "07/30/2001", "1/9/1960", "10/10/1990", "05/23/1979", "2/29/2004",
	      "12/31/1999"}},
	    {"dob_text",
	     Field::kDateOfBirth,
	     Platform::kMeta,
	     {"Feb 16, 1997", "1 December 1985", "July 30 2001", "9 Jan 1960", "Oct 10, 1990", "23 May 1979",
	      "Feb 29, 2004", "31 Dec 1999"}},
	};
	return *cases;
}

void Hash(benchmark::State &state, const BenchCase &c) {
	std::string out;
	std::size_t i = 0;
	for (auto _ : state) {
		const std::string &raw = c.raw[i++ & 7];
		if (!capi::identity::Hash(c.field, c.platform, raw, "US", out))
			state.SkipWithError(("no result for " + raw).c_str());
		benchmark::DoNotOptimize(out.data());
	}
}

void Sha256Only(benchmark::State &state, const BenchCase &c) {
	std::vector<std::string> normalized;
	for (const std::string &raw : c.raw) {
		std::string n;
		capi::identity::Normalize(c.field, c.platform, raw, "US", n);
		normalized.push_back(n);
	}
	std::string out;
	std::size_t i = 0;
	for (auto _ : state) {
		char digest[capi::kSha256HexLength];
		capi::Sha256Hex(normalized[i++ & 7], digest);
		out.assign(digest, sizeof digest);
		benchmark::DoNotOptimize(out.data());
	}
}

std::map<std::string, double> &NsPerOp() {
	static auto *results = new std::map<std::string, double>;
	return *results;
}

class Recorder : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override {
		for (const Run &run : runs)
			if (run.run_type == Run::RT_Iteration || run.aggregate_name == "mean")
				NsPerOp()[run.run_name.function_name] = run.GetAdjustedCPUTime();
		ConsoleReporter::ReportRuns(runs);
	}
};

} // namespace

int main(int argc, char **argv) {
	for (const BenchCase &c : Cases()) {
		benchmark::RegisterBenchmark((std::string("Sha256Only/") + c.name).c_str(), Sha256Only, c);
		benchmark::RegisterBenchmark((std::string("Hash/") + c.name).c_str(), Hash, c);
	}
	benchmark::Initialize(&argc, argv);
	Recorder reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);
	std::printf("\n%-22s %10s %12s %10s\n", "case", "Hash ns", "SHA-256 ns", "overhead");
	for (const BenchCase &c : Cases()) {
		const double hash = NsPerOp()[std::string("Hash/") + c.name];
		const double sha = NsPerOp()[std::string("Sha256Only/") + c.name];
		std::printf("%-22s %10.1f %12.1f %10.1f\n", c.name, hash, sha, hash - sha);
	}
	benchmark::Shutdown();
	return 0;
}
