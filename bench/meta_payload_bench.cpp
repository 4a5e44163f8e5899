// Cost of building Meta Conversions API request bodies, per event, for a batch of 1,000 outbox events
// (each with a 6-field hashed identity bag plus IP, user agent, fbc, fbp, a small custom_data and a
// consent object):
//   NlohmannBaseline  the obvious way: parse each JSON column with nlohmann::json, build the body as a
//                     nlohmann DOM, dump it (the baseline)
//   RequestBuilder    what the worker does per batch: StartRequest, Add each event (checks it and
//                     writes it; simdjson parsing, direct JSON writing), Finish
//   BuildRequest      the same through the MetaAdapter::BuildRequest helper
//   Preflight         MetaAdapter::Preflight alone over the 1,000 events (the checks without writing)
// Prints events/s per benchmark and, at the end, the ratios to the baseline measured in this run.
//
//   build-<name>/meta_payload_bench --benchmark_repetitions=10
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/platforms/meta/meta_adapter.hpp"
#include "core/sha256.hpp"

namespace {

using capi::dispatch::Destination;
using capi::dispatch::MetaAdapter;
using capi::dispatch::OutboxEvent;
using nlohmann::json;

constexpr size_t kBatch = 1000;
constexpr std::int64_t kNowMs = 1764000000000;

Destination MetaDestination() {
	Destination destination;
	destination.name = "bench";
	destination.config_json = R"({"pixel_id": "123456789012345", "partner_agent": "pg_capi"})";
	destination.credentials_json =
	    R"({"access_token": "EAAB-bench-token-0123456789abcdef", "app_secret": "s"})";
	return destination;
}

const std::vector<OutboxEvent> &Events() {
	static const auto *events = [] {
		auto *out = new std::vector<OutboxEvent>();
		for (size_t i = 0; i < kBatch; ++i) {
			std::string n = std::to_string(i);
			json bag = {
			    {"email", {capi::Sha256Hex("user" + n + "@example.com")}},
			    {"phone", {capi::Sha256Hex("1650555" + std::to_string(1000 + i))}},
			    {"first_name", {capi::Sha256Hex("mary" + n)}},
			    {"last_name", {capi::Sha256Hex("smith")}},
			    {"zip", {capi::Sha256Hex("94035")}},
			    {"country", {capi::Sha256Hex("us")}},
			    {"client_ip_address", "203.0.113." + std::to_string(i % 250)},
			    {"client_user_agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, "
			                          "like Gecko) Chrome/131.0 Safari/537.36"},
			    {"fbc", "fb.1.1554763741205.AbCdEfGhIjKl" + n},
			    {"fbp", "fb.1.1558571054389.10981153" + n},
			};
			OutboxEvent event;
			event.outbox_id = static_cast<std::int64_t>(i + 1);
			event.event_id = "order-" + n;
			event.event_name = "Purchase";
			event.event_time_ms = kNowMs - static_cast<std::int64_t>(i) * 1000;
			event.action_source = "website";
			event.event_source_url = "https://shop.example/checkout/complete?order=" + n;
			event.user_data_json = bag.dump();
			event.custom_data_json = R"({"value": 49.99, "currency": "USD", "order_id": "order-)" + n +
			                         R"(", "content_ids": ["sku-1", "sku-2"], "num_items": 2})";
			event.consent_json = R"({"opt_out": false, "ad_user_data": "granted"})";
			out->push_back(std::move(event));
		}
		return out;
	}();
	return *events;
}

std::vector<const OutboxEvent *> Batch() {
	std::vector<const OutboxEvent *> batch;
	for (const OutboxEvent &event : Events()) {
		batch.push_back(&event);
	}
	return batch;
}

// The same body as MetaAdapter::BuildRequest, through nlohmann::json.
std::string NlohmannBody(const std::vector<const OutboxEvent *> &batch) {
	static constexpr std::pair<const char *, const char *> kHashed[] = {{"em", "email"},
	                                                                    {"ph", "phone"},
	                                                                    {"fn", "first_name"},
	                                                                    {"ln", "last_name"},
	                                                                    {"ge", "gender"},
	                                                                    {"db", "date_of_birth"},
	                                                                    {"ct", "city"},
	                                                                    {"st", "state"},
	                                                                    {"zp", "zip"},
	                                                                    {"country", "country"},
	                                                                    {"external_id", "external_id"}};
	json data = json::array();
	for (const OutboxEvent *event : batch) {
		json bag = json::parse(event->user_data_json);
		json user_data = json::object();
		for (const auto &[meta_key, field] : kHashed) {
			auto found = bag.find(std::string(field) + "@meta");
			if (found == bag.end()) {
				found = bag.find(field);
			}
			if (found != bag.end()) {
				user_data[meta_key] = *found;
			}
		}
		for (const char *plain : {"client_ip_address", "client_user_agent", "fbc", "fbp"}) {
			if (bag.contains(plain)) {
				user_data[plain] = bag[plain];
			}
		}
		json out = {{"event_name", event->event_name},
		            {"event_time", event->event_time_ms / 1000},
		            {"event_id", event->event_id},
		            {"action_source", event->action_source},
		            {"event_source_url", event->event_source_url}};
		json consent = json::parse(event->consent_json);
		if (consent.contains("opt_out")) {
			out["opt_out"] = consent["opt_out"];
		}
		out["user_data"] = std::move(user_data);
		out["custom_data"] = json::parse(event->custom_data_json);
		data.push_back(std::move(out));
	}
	json body = {{"data", std::move(data)}, {"access_token", "EAAB-bench-token-0123456789abcdef"}};
	return body.dump();
}

void NlohmannBaseline(benchmark::State &state) {
	std::vector<const OutboxEvent *> batch = Batch();
	for (auto _ : state) {
		benchmark::DoNotOptimize(NlohmannBody(batch));
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}

void BuildRequest(benchmark::State &state) {
	const MetaAdapter adapter;
	const Destination destination = MetaDestination();
	std::vector<const OutboxEvent *> batch = Batch();
	size_t bytes = 0;
	for (auto _ : state) {
		capi::dispatch::HttpRequest request = adapter.BuildRequest(destination, batch, {}, kNowMs);
		bytes = request.body.size();
		benchmark::DoNotOptimize(request);
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
	state.counters["body_bytes"] = static_cast<double>(bytes);
}

void Preflight(benchmark::State &state) {
	const MetaAdapter adapter;
	const Destination destination = MetaDestination();
	for (auto _ : state) {
		for (const OutboxEvent &event : Events()) {
			if (adapter.Preflight(destination, event, kNowMs)) {
				state.SkipWithError("an event failed Preflight");
				return;
			}
		}
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}

// What the worker does per batch: StartRequest, Add (checks + writes) each event, Finish.
void RequestBuilder(benchmark::State &state) {
	const MetaAdapter adapter;
	const Destination destination = MetaDestination();
	for (auto _ : state) {
		std::unique_ptr<capi::dispatch::RequestBuilder> builder = adapter.StartRequest(destination, {});
		for (const OutboxEvent &event : Events()) {
			if (builder->Add(event, kNowMs)) {
				state.SkipWithError("an event was refused");
				return;
			}
		}
		benchmark::DoNotOptimize(builder->Finish());
	}
	state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * kBatch));
}

// Prints events/s and the ratio to NlohmannBaseline after the console output, from the fastest
// repetition of each benchmark (CPU time): on a shared machine the others only add noise.
class RatioReporter : public benchmark::ConsoleReporter {
public:
	void ReportRuns(const std::vector<Run> &runs) override {
		ConsoleReporter::ReportRuns(runs);
		for (const Run &run : runs) {
			if (run.run_type == Run::RT_Aggregate) {
				continue;
			}
			double batch_us = run.GetAdjustedCPUTime(); // per 1,000-event batch (Unit(kMicrosecond))
			auto [entry, inserted] = batch_us_.emplace(run.run_name.function_name, batch_us);
			if (!inserted && batch_us < entry->second) {
				entry->second = batch_us;
			}
		}
	}

	void PrintRatios() const {
		auto baseline = batch_us_.find("NlohmannBaseline");
		std::printf("\nfastest repetition, CPU time\n%-16s %14s %16s %12s\n", "benchmark", "events/s",
		            "us per 1000 ev", "vs baseline");
		for (const auto &[name, us] : batch_us_) {
			double ratio = baseline == batch_us_.end() ? 0 : baseline->second / us;
			std::printf("%-16s %14.0f %16.1f %11.1fx\n", name.c_str(), kBatch * 1e6 / us, us, ratio);
		}
	}

private:
	std::map<std::string, double> batch_us_;
};

} // namespace

BENCHMARK(NlohmannBaseline)->Unit(benchmark::kMicrosecond);
BENCHMARK(BuildRequest)->Unit(benchmark::kMicrosecond);
BENCHMARK(Preflight)->Unit(benchmark::kMicrosecond);
BENCHMARK(RequestBuilder)->Unit(benchmark::kMicrosecond);

int main(int argc, char **argv) {
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
		return 1;
	}
	// Same bodies, or the comparison is meaningless (the baseline sends no appsecret_proof/partner_agent).
	std::vector<const OutboxEvent *> batch = Batch();
	json ours = json::parse(MetaAdapter().BuildRequest(MetaDestination(), batch, {}, kNowMs).body);
	json theirs = json::parse(NlohmannBody(batch));
	ours.erase("appsecret_proof");
	ours.erase("partner_agent");
	if (ours != theirs) {
		std::fprintf(stderr, "meta_payload_bench: the baseline body differs from BuildRequest's\n");
		return 1;
	}
	RatioReporter reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);
	reporter.PrintRatios();
	benchmark::Shutdown();
	return 0;
}
