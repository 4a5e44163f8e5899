// HTTP client throughput against the in-test server on 127.0.0.1 (test/unit/http_test_fixture.hpp;
// one thread per connection, so on 2 cores the server shares the CPU with the client). Each
// iteration sends a batch of 64 POSTs of a 1 KiB JSON body and waits for all responses:
//   NewConnectionEach    "Connection: close": a new TCP connection per request (the baseline)
//   KeepAlive/N          up to N transfers in flight, connections kept open
//   TlsNewConnectionEach TLS handshake per request (self-signed RSA-2048 certificate)
//   TlsKeepAlive/N       TLS, connections kept open
// Prints requests/s per benchmark and, at the end, the ratio to the baseline measured in this run.
//
//   build-<name>/http_client_bench [--benchmark_repetitions=3]
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "../test/unit/http_test_fixture.hpp"
#include "core/http/client.hpp"

namespace {

using capi::http::Client;
using capi::http::ClientOptions;
using capi::http::Response;
using namespace capi::http::testing;

constexpr int kBatch = 64;

const SelfSignedCert &Cert() {
	static const auto *cert = new SelfSignedCert();
	return *cert;
}

void RunBatches(benchmark::State &state, bool tls, bool keep_alive, std::size_t concurrency) {
	std::unique_ptr<TestServer> server =
	    tls ? std::make_unique<TestServer>(Cert().cert_file(), Cert().key_file())
	        : std::make_unique<TestServer>();
	ClientOptions options;
	options.version = "bench";
	options.max_concurrent = concurrency;
	if (tls)
		options.ca_file = Cert().cert_file();
	Client client(options);
	const std::string url = server->Url("/v19.0/1/events");
	const std::string body = "{\"data\":[" + std::string(1000, ' ') + "]}";
	std::uint64_t id = 0;
	std::size_t failures = 0;
	for (auto _ : state) {
		for (int i = 0; i < kBatch; i++) {
			capi::http::Request request = Post(++id, url, body);
			if (!keep_alive)
				request.headers.push_back("Connection: close");
			client.Submit(std::move(request));
		}
		for (const Response &response : RunUntilIdle(client))
			failures += response.status != 200;
	}
	state.SetItemsProcessed(state.iterations() * kBatch);
	state.counters["connections"] = server->accepted_connections();
	state.counters["failures"] = static_cast<double>(failures);
}

void NewConnectionEach(benchmark::State &state) {
	RunBatches(state, false, false, 1);
}
void KeepAlive(benchmark::State &state) {
	RunBatches(state, false, true, static_cast<std::size_t>(state.range(0)));
}
void TlsNewConnectionEach(benchmark::State &state) {
	RunBatches(state, true, false, 1);
}
void TlsKeepAlive(benchmark::State &state) {
	RunBatches(state, true, true, static_cast<std::size_t>(state.range(0)));
}

// Records each benchmark's requests/s to print the ratios after the console output.
class RatioReporter : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override {
		ConsoleReporter::ReportRuns(runs);
		for (const Run &run : runs) {
			if (run.run_type == Run::RT_Aggregate && run.aggregate_name != "mean")
				continue;
			auto rate = run.counters.find("items_per_second");
			if (rate != run.counters.end())
				requests_per_second_[run.run_name.function_name +
				                     (run.run_name.args.empty() ? "" : "/" + run.run_name.args)] =
				    rate->second;
		}
	}

	void PrintRatios() const {
		auto baseline = requests_per_second_.find("NewConnectionEach");
		if (baseline == requests_per_second_.end())
			return;
		std::printf("\n%-22s %12s %10s %14s\n", "benchmark", "requests/s", "us/req", "vs baseline");
		for (const auto &[name, rate] : requests_per_second_)
			std::printf("%-22s %12.0f %10.1f %13.2fx\n", name.c_str(), rate, 1e6 / rate,
			            rate / baseline->second);
	}

private:
	std::map<std::string, double> requests_per_second_;
};

} // namespace

BENCHMARK(NewConnectionEach)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(KeepAlive)->Arg(1)->Arg(4)->Arg(8)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(TlsNewConnectionEach)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(TlsKeepAlive)->Arg(1)->Arg(8)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char **argv) {
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 1;
	Cert(); // key generation outside the timings
	RatioReporter reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);
	reporter.PrintRatios();
	benchmark::Shutdown();
	return 0;
}
