// capi_test_server's request path without the network: Router::Handle on an in-memory 1000-event
// Meta batch (~718 bytes/event, every event id unique), against the baseline of only parsing the
// same body with simdjson (the floor any validating server pays):
//   ParseOnly        simdjson DOM parse of the JSON body (the baseline)
//   HandleJson       routing, token check, full Meta validation, stats, duplicate detection
//   HandleForm       the same batch form-encoded (data=<url-encoded JSON>)
//   HandleRecording  HandleJson plus --record (a JSON line per event to a file in /tmp)
// Prints events/s per benchmark and, at the end, the ratio to the baseline measured in this run.
//
//   build-<name>/test_server_bench
#include <benchmark/benchmark.h>

#include "server/app/router.hpp"

#include <simdjson.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

using capi::testserver::HttpRequest;
using capi::testserver::Reply;
using capi::testserver::Router;
using capi::testserver::ServerOptions;

constexpr int kEvents = 1000;
constexpr char kIdPlaceholder[] = "ev-0000000000000000";

std::string EventJson(long now) {
	return std::string("{\"event_name\":\"Purchase\",\"event_time\":") + std::to_string(now) +
	       ",\"event_id\":\"" + kIdPlaceholder +
	       "\",\"action_source\":\"website\",\"event_source_url\":\"https://shop.example.com/checkout/"
	       "thank-you\",\"user_data\":{\"em\":["
	       "\"62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f\"],"
	       "\"ph\":[\"e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176\"],\"external_id\":["
	       "\"6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec\"],\"client_ip_address\":"
	       "\"203.0."
	       "113.7\",\"client_user_agent\":\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "
	       "Gecko) Chrome/126.0 Safari/537.36\",\"fbp\":\"fb.1.1700000000000.1234567890\"},\"custom_data\":{"
	       "\"value\":129.9,\"currency\":\"USD\",\"contents\":[{\"id\":\"sku-1\",\"quantity\":1,\"item_"
	       "price\":"
	       "129.9}]}}";
}

std::string DataArray() {
	long now = static_cast<long>(time(nullptr));
	std::string data = "[";
	for (int i = 0; i < kEvents; ++i) {
		data += (i == 0 ? "" : ",") + EventJson(now);
	}
	return data + "]";
}

std::string UrlEncode(const std::string &text) {
	static const char kHex[] = "0123456789ABCDEF";
	std::string out;
	for (unsigned char c : text) {
		if (isalnum(c) || c == '-' || c == '_' || c == '.') {
			out.push_back(static_cast<char>(c));
		} else {
			out += {'%', kHex[c >> 4], kHex[c & 15]};
		}
	}
	return out;
}

// A request whose event ids are rewritten before every use, so each event is new to the server.
struct BatchRequest {
	HttpRequest request;
	std::vector<size_t> id_offsets;
	uint64_t next_id = 0;

	explicit BatchRequest(bool form) {
		request.method = "POST";
		request.path = "/v25.0/1234567890/events";
		request.query = "access_token=bench-token";
		std::string body = form ? "data=" + UrlEncode(DataArray()) : "{\"data\":" + DataArray() + "}";
		request.headers.push_back(
		    {"content-type", form ? "application/x-www-form-urlencoded" : "application/json"});
		request.body.append(body.data(), body.size());
		std::string_view view = request.body.view();
		for (size_t at = view.find(kIdPlaceholder); at != std::string_view::npos;
		     at = view.find(kIdPlaceholder, at + 1)) {
			id_offsets.push_back(at + 3);
		}
	}
	void NewIds() {
		char *body = request.body.data();
		for (size_t offset : id_offsets) {
			uint64_t id = next_id++;
			for (int digit = 15; digit >= 0; --digit, id /= 10) {
				body[offset + digit] = static_cast<char>('0' + id % 10);
			}
		}
	}
};

ServerOptions Options(const std::string &record_path) {
	ServerOptions options;
	options.quiet = true;
	options.meta_tokens = {"bench-token"};
	options.record_path = record_path;
	return options;
}

void ParseOnly(benchmark::State &state) {
	BatchRequest batch(false);
	simdjson::dom::parser parser;
	for (auto _ : state) {
		batch.NewIds();
		simdjson::dom::element root;
		if (parser.parse(batch.request.body.data(), batch.request.body.size(), false).get(root) !=
		    simdjson::SUCCESS) {
			state.SkipWithError("parse failed");
			break;
		}
		benchmark::DoNotOptimize(root);
	}
	state.SetItemsProcessed(state.iterations() * kEvents);
}

void Handle(benchmark::State &state, bool form, bool record) {
	std::string record_path;
	if (record) {
		char pattern[] = "/tmp/test_server_bench_XXXXXX";
		int fd = mkstemp(pattern);
		close(fd);
		record_path = pattern;
	}
	{
		Router router(Options(record_path));
		BatchRequest batch(form);
		Reply reply;
		for (auto _ : state) {
			batch.NewIds();
			reply = Reply();
			router.Handle(batch.request, &reply);
			if (reply.response.status != 200) {
				state.SkipWithError(reply.response.body.c_str());
				break;
			}
		}
		state.SetItemsProcessed(state.iterations() * kEvents);
	}
	if (record) {
		unlink(record_path.c_str());
	}
}

void HandleJson(benchmark::State &state) {
	Handle(state, false, false);
}
void HandleForm(benchmark::State &state) {
	Handle(state, true, false);
}
void HandleRecording(benchmark::State &state) {
	Handle(state, false, true);
}

// Records each benchmark's events/s to print the ratios after the console output.
class RatioReporter : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override {
		ConsoleReporter::ReportRuns(runs);
		for (const Run &run : runs) {
			auto rate = run.counters.find("items_per_second");
			if (rate != run.counters.end() && run.error_occurred == false) {
				events_per_second_[run.benchmark_name()] = rate->second.value;
			}
		}
	}
	void Finalize() override {
		ConsoleReporter::Finalize();
		auto baseline = events_per_second_.find("ParseOnly");
		if (baseline == events_per_second_.end()) {
			return;
		}
		std::printf("\n%-16s %14s %10s %16s\n", "benchmark", "events/s", "us/event", "vs ParseOnly");
		for (const auto &[name, rate] : events_per_second_) {
			std::printf("%-16s %14.0f %10.3f %15.2fx\n", name.c_str(), rate, 1e6 / rate,
			            rate / baseline->second);
		}
	}

private:
	std::map<std::string, double> events_per_second_;
};

} // namespace

BENCHMARK(ParseOnly)->Unit(benchmark::kMicrosecond);
BENCHMARK(HandleJson)->Unit(benchmark::kMicrosecond);
BENCHMARK(HandleForm)->Unit(benchmark::kMicrosecond);
BENCHMARK(HandleRecording)->Unit(benchmark::kMicrosecond);

int main(int argc, char **argv) {
	benchmark::Initialize(&argc, argv);
	RatioReporter reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);
	benchmark::Shutdown();
	return 0;
}
