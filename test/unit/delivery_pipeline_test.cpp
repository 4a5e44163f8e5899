// End to end, without PostgreSQL: raw identifiers -> BuildIdentityBag -> OutboxEvent -> Meta adapter
// request -> http::Client -> capi_test_server (in-process, loopback) -> Classify. Proves the three
// delivery components agree on the wire format, batching, fault outcomes and secret handling.
#include "core/dispatch/adapter.hpp"
#include "core/dispatch/event.hpp"
#include "core/platforms/meta/meta_adapter.hpp"
#include "core/http/client.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "server/app/test_server.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace capi {
namespace {

using dispatch::BatchOutcome;
using dispatch::Destination;
using dispatch::HttpRequest;
using dispatch::MetaAdapter;
using dispatch::OutboxEvent;
using dispatch::OutcomeKind;
using nlohmann::json;

// Meta's published example: SHA-256 of the normalized "John_Smith@gmail.com".
constexpr char kEmailHash[] = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
constexpr char kToken[] = "EAAB-e2e-secret-token-7f3a";
constexpr char kPixel[] = "1234567890";

std::int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

// The stored bag an INSERT would make of these raw identifiers.
std::string StoredBag() {
	return outbox::BuildIdentityBag(R"({"email": "John_Smith@gmail.com", "phone": "+1 (650) 555-1212",
	                                   "client_ip_address": "203.0.113.7",
	                                   "client_user_agent": "Mozilla/5.0"})",
	                                "US");
}

std::vector<OutboxEvent> MakeEvents(int count, std::int64_t event_time_ms,
                                    const std::string &prefix = "ev-") {
	const std::string bag = StoredBag();
	std::vector<OutboxEvent> events(static_cast<std::size_t>(count));
	for (int i = 0; i < count; ++i) {
		OutboxEvent &event = events[static_cast<std::size_t>(i)];
		event.outbox_id = i + 1;
		event.event_id = prefix + std::to_string(i);
		event.event_name = "Purchase";
		event.event_time_ms = event_time_ms;
		event.action_source = "website";
		event.event_source_url = "https://shop.example/thanks";
		event.user_data_json = bag;
		event.custom_data_json = R"({"value": 12.5, "currency": "EUR"})";
	}
	return events;
}

class DeliveryPipelineTest : public ::testing::Test {
protected:
	void SetUp() override {
		record_path_ = "/tmp/capi_delivery_pipeline_" + std::to_string(getpid()) + ".jsonl";
		std::remove(record_path_.c_str());
		testserver::ServerOptions options;
		options.quiet = true;
		options.meta_tokens = {kToken};
		options.meta_pixels = {kPixel};
		options.record_path = record_path_;
		server_ = std::make_unique<testserver::TestServer>(options);
		port_ = server_->Start();
		thread_ = std::thread([this] { server_->Run(); });
		base_url_ = "http://127.0.0.1:" + std::to_string(port_);
		client_ = std::make_unique<http::Client>(http::ClientOptions{});
	}

	void TearDown() override {
		client_.reset();
		server_->RequestStop();
		thread_.join();
		server_.reset();
		std::remove(record_path_.c_str());
	}

	Destination MetaDestination(const std::string &token = kToken) const {
		Destination destination;
		destination.name = "e2e_meta";
		destination.platform = identity::Platform::kMeta;
		destination.config_json = json{{"pixel_id", kPixel}}.dump();
		destination.credentials_json = json{{"access_token", token}}.dump();
		destination.endpoint_override = base_url_;
		return destination;
	}

	// Builds requests the way the worker does: Add until full, then Finish. Sizes per request in *sizes.
	std::vector<HttpRequest> BuildRequests(const Destination &destination,
	                                       const std::vector<OutboxEvent> &events,
	                                       std::vector<std::size_t> *sizes) {
		std::vector<HttpRequest> requests;
		std::unique_ptr<dispatch::RequestBuilder> builder;
		const std::int64_t now = NowMs();
		for (const OutboxEvent &event : events) {
			if (!builder) {
				builder = adapter_.StartRequest(destination, {});
			}
			std::optional<dispatch::Refusal> refused = builder->Add(event, now);
			EXPECT_FALSE(refused.has_value()) << refused->reason;
			if (builder->full()) {
				sizes->push_back(builder->size());
				requests.push_back(builder->Finish());
				builder.reset();
			}
		}
		if (builder && builder->size() > 0) {
			sizes->push_back(builder->size());
			requests.push_back(builder->Finish());
		}
		return requests;
	}

	static http::Request ToHttp(const HttpRequest &request, std::uint64_t id) {
		http::Request out;
		out.id = id;
		out.url = request.url;
		out.headers = request.headers;
		out.body = request.body;
		out.secrets = request.secrets;
		return out;
	}

	// Drives the client until every submitted transfer completed; responses ordered by id.
	std::vector<http::Response> Drain(std::size_t expected) {
		std::vector<http::Response> responses;
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
		while (responses.size() < expected && std::chrono::steady_clock::now() < deadline) {
			client_->Poll(100);
			for (http::Response &response : client_->TakeCompleted()) {
				responses.push_back(std::move(response));
			}
		}
		EXPECT_EQ(responses.size(), expected) << "timed out";
		std::sort(responses.begin(), responses.end(),
		          [](const http::Response &a, const http::Response &b) { return a.id < b.id; });
		return responses;
	}

	http::Response SendOne(const HttpRequest &request) {
		client_->Submit(ToHttp(request, 1));
		std::vector<http::Response> responses = Drain(1);
		return responses.empty() ? http::Response{} : responses[0];
	}

	// As SendOne, on a new Client. libcurl silently resends a request once when a reused keep-alive
	// connection dies before any reply byte, so a reset is only seen as such on a fresh connection.
	http::Response SendOnNewConnection(const HttpRequest &request) {
		client_ = std::make_unique<http::Client>(http::ClientOptions{});
		return SendOne(request);
	}

	BatchOutcome Classify(const Destination &destination, std::size_t batch_size,
	                      const http::Response &response) {
		dispatch::ResponseHeaders headers;
		if (response.retry_after_seconds) {
			headers.retry_after_ms = *response.retry_after_seconds * 1000;
		}
		return adapter_.Classify(destination, batch_size, response.status, response.body, headers);
	}

	// The control API, through the same Client.
	json Control(http::Method method, const std::string &path, const std::string &body = "") {
		http::Request request;
		request.id = 99;
		request.method = method;
		request.url = base_url_ + "/__control/" + path;
		if (method == http::Method::kPost) {
			request.headers = {"Content-Type: application/json"};
			request.body = body;
		}
		client_->Submit(request);
		std::vector<http::Response> responses = Drain(1);
		if (responses.empty()) {
			return json();
		}
		EXPECT_EQ(responses[0].status, 200) << responses[0].body;
		return json::parse(responses[0].body, nullptr, false);
	}
	json Stats() { return Control(http::Method::kGet, "stats"); }
	void AddFault(const json &rule) { Control(http::Method::kPost, "faults", rule.dump()); }

	MetaAdapter adapter_;
	std::unique_ptr<testserver::TestServer> server_;
	std::thread thread_;
	std::uint16_t port_ = 0;
	std::string base_url_;
	std::string record_path_;
	std::unique_ptr<http::Client> client_;
};

TEST_F(DeliveryPipelineTest, RawIdentifiersAreDeliveredHashedAndCountedOnce) {
	ASSERT_EQ(json::parse(StoredBag())["email"], json::array({kEmailHash}));
	const Destination destination = MetaDestination();
	std::vector<OutboxEvent> events = MakeEvents(250, NowMs());
	std::vector<std::size_t> sizes;
	std::vector<HttpRequest> requests = BuildRequests(destination, events, &sizes);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(sizes, std::vector<std::size_t>({250}));
	EXPECT_EQ(requests[0].url, base_url_ + "/v25.0/" + kPixel + "/events");

	http::Response response = SendOne(requests[0]);
	ASSERT_EQ(response.status, 200) << response.body << response.error_text;
	EXPECT_EQ(json::parse(response.body)["events_received"], 250);
	BatchOutcome outcome = Classify(destination, 250, response);
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << outcome.message;
	EXPECT_EQ(outcome.trace_id.size(), 23u);

	json stats = Stats();
	EXPECT_EQ(stats["requests"], 1);
	EXPECT_EQ(stats["accepted_events"], 250);
	EXPECT_EQ(stats["duplicate_events"], 0);
	EXPECT_EQ(stats["unique_event_keys"], 250);
	EXPECT_EQ(stats["destinations"], json({{std::string("meta/") + kPixel, 250}}));

	// What the server recorded is what the bag held: Meta's published hash, in seconds, in order.
	std::ifstream record(record_path_);
	std::vector<json> lines;
	for (std::string line; std::getline(record, line);) {
		lines.push_back(json::parse(line));
	}
	ASSERT_EQ(lines.size(), 250u);
	for (std::size_t i = 0; i < lines.size(); ++i) {
		EXPECT_EQ(lines[i]["event_id"], "ev-" + std::to_string(i));
		EXPECT_EQ(lines[i]["event"]["user_data"]["em"], json::array({kEmailHash}));
		EXPECT_EQ(lines[i]["event"]["user_data"]["client_ip_address"], "203.0.113.7");
		EXPECT_EQ(lines[i]["event_time"], events[i].event_time_ms / 1000);
	}
	json recent = Control(http::Method::kGet, "events?limit=1000");
	ASSERT_EQ(recent["events"].size(), 250u);
	EXPECT_EQ(recent["events"][249]["event_id"], "ev-249");

	// Resending the same request (what a retry after a lost reply does) is accepted again and the
	// server counts exactly those 250 as duplicates: the zero above was a real count.
	EXPECT_EQ(Classify(destination, 250, SendOne(requests[0])).kind, OutcomeKind::kDelivered);
	stats = Stats();
	EXPECT_EQ(stats["accepted_events"], 500);
	EXPECT_EQ(stats["duplicate_events"], 250);
}

TEST_F(DeliveryPipelineTest, TwoThousandFiveHundredEventsGoAsThreeConcurrentCappedRequests) {
	const Destination destination = MetaDestination();
	std::vector<OutboxEvent> events = MakeEvents(2500, NowMs());
	std::vector<std::size_t> sizes;
	std::vector<HttpRequest> requests = BuildRequests(destination, events, &sizes);
	ASSERT_EQ(requests.size(), 3u);
	EXPECT_EQ(sizes, std::vector<std::size_t>({1000, 1000, 500}));

	for (std::size_t i = 0; i < requests.size(); ++i) {
		client_->Submit(ToHttp(requests[i], i + 1));
	}
	EXPECT_EQ(client_->InFlight(), 3u); // all three at once, none queued
	EXPECT_EQ(client_->Queued(), 0u);
	std::vector<http::Response> responses = Drain(3);
	ASSERT_EQ(responses.size(), 3u);
	for (std::size_t i = 0; i < responses.size(); ++i) {
		ASSERT_EQ(responses[i].status, 200) << responses[i].body << responses[i].error_text;
		EXPECT_EQ(json::parse(responses[i].body)["events_received"], sizes[i]);
		EXPECT_EQ(Classify(destination, sizes[i], responses[i]).kind, OutcomeKind::kDelivered);
	}
	EXPECT_EQ(client_->Stats().new_connections, 3u);

	json stats = Stats(); // over a kept-alive connection
	EXPECT_EQ(stats["requests"], 3);
	EXPECT_EQ(stats["accepted_events"], 2500);
	EXPECT_EQ(stats["duplicate_events"], 0);
	EXPECT_EQ(stats["batch_sizes"], json({{"1000", 2}, {"500", 1}}));
	EXPECT_EQ(client_->Stats().new_connections, 3u);
	EXPECT_GE(client_->Stats().reused_connections, 1u);
}

TEST_F(DeliveryPipelineTest, ServerFaultsMapToTheWorkerOutcomes) {
	const Destination destination = MetaDestination();
	std::vector<OutboxEvent> events = MakeEvents(5, NowMs());
	std::vector<std::size_t> sizes;
	HttpRequest request = BuildRequests(destination, events, &sizes).at(0);

	// 503 with Retry-After: retry, no sooner than 2 s.
	AddFault({{"status", 503}, {"retry_after", 2}});
	http::Response response = SendOne(request);
	EXPECT_EQ(response.status, 503);
	EXPECT_EQ(response.retry_after_seconds, 2);
	BatchOutcome outcome = Classify(destination, 5, response);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
	EXPECT_EQ(outcome.retry_after_ms, 2000);

	// Graph error 190: the destination's credentials are bad.
	AddFault({{"meta_error", {{"code", 190}}}});
	response = SendOne(request);
	EXPECT_EQ(response.status, 401);
	EXPECT_EQ(Classify(destination, 5, response).kind, OutcomeKind::kAuthFailed);

	// A token the server does not know: the same outcome, without a fault rule.
	const Destination wrong = MetaDestination("EAAB-wrong-token");
	HttpRequest wrong_request = BuildRequests(wrong, events, &sizes).at(0);
	response = SendOne(wrong_request);
	EXPECT_EQ(response.status, 401);
	outcome = Classify(wrong, 5, response);
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(outcome.message.find("EAAB-wrong-token"), std::string::npos);

	// Connection reset: no HTTP status at all, a transport error the worker retries.
	AddFault({{"reset", true}});
	response = SendOnNewConnection(request);
	EXPECT_EQ(response.status, 0);
	EXPECT_NE(response.error, http::TransportError::kNone);
	EXPECT_FALSE(response.error_text.empty());
	EXPECT_EQ(response.error_text.find(kToken), std::string::npos);
	EXPECT_EQ(Classify(destination, 5, response).kind, OutcomeKind::kRetry);

	// After all that, a clean send is delivered: nothing above was accepted.
	response = SendOne(request);
	EXPECT_EQ(Classify(destination, 5, response).kind, OutcomeKind::kDelivered);
	json stats = Stats();
	EXPECT_EQ(stats["accepted_events"], 5);
	EXPECT_EQ(stats["requests"], 5);

	// One event rejected by id: exactly its position is named, the others may be resent.
	AddFault({{"reject_event_id", "ev-3"}});
	response = SendOne(request);
	EXPECT_EQ(response.status, 400);
	outcome = Classify(destination, 5, response);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents) << outcome.message;
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>({3}));
	EXPECT_EQ(Stats()["accepted_events"], 5); // the other four were not accepted either
}

TEST_F(DeliveryPipelineTest, StaleEventIsRefusedByAddBeforeSending) {
	const Destination destination = MetaDestination();
	const std::int64_t now = NowMs();
	std::vector<OutboxEvent> events = MakeEvents(2, now);
	events[1].event_time_ms = now - 8 * dispatch::kDayMs;

	std::unique_ptr<dispatch::RequestBuilder> builder = adapter_.StartRequest(destination, {});
	EXPECT_FALSE(builder->Add(events[0], now).has_value());
	std::optional<dispatch::Refusal> refused = builder->Add(events[1], now);
	ASSERT_TRUE(refused.has_value());
	EXPECT_NE(refused->reason.find("8 days old"), std::string::npos) << refused->reason;
	EXPECT_EQ(builder->size(), 1u);

	http::Response response = SendOne(builder->Finish());
	EXPECT_EQ(Classify(destination, 1, response).kind, OutcomeKind::kDelivered);
	json stats = Stats();
	EXPECT_EQ(stats["accepted_events"], 1);
	EXPECT_EQ(stats["rejected_requests"], 0);
}

TEST_F(DeliveryPipelineTest, TokenNeverInUrlNorInErrorTextNorOutcomeMessage) {
	const Destination destination = MetaDestination();
	std::vector<OutboxEvent> events = MakeEvents(3, NowMs());
	std::vector<std::size_t> sizes;
	HttpRequest request = BuildRequests(destination, events, &sizes).at(0);
	EXPECT_EQ(request.url.find(kToken), std::string::npos);
	EXPECT_EQ(request.url.find("access_token"), std::string::npos);
	EXPECT_NE(request.body.find(kToken), std::string::npos); // it travels in the body
	EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), kToken), request.secrets.end());

	// A platform error message quoting the token comes back redacted.
	AddFault(
	    {{"meta_error", {{"code", 100}, {"message", std::string("bad token ") + kToken + " in data[1]"}}}});
	http::Response response = SendOne(request);
	ASSERT_EQ(response.status, 400);
	BatchOutcome outcome = Classify(destination, 3, response);
	EXPECT_EQ(outcome.message.find(kToken), std::string::npos) << outcome.message;
	EXPECT_NE(outcome.message.find("[REDACTED]"), std::string::npos) << outcome.message;

	// Transport failures: reset, and a timeout.
	AddFault({{"reset", true}});
	response = SendOnNewConnection(request);
	EXPECT_EQ(response.status, 0);
	EXPECT_EQ(response.error_text.find(kToken), std::string::npos) << response.error_text;
	EXPECT_EQ(Classify(destination, 3, response).message.find(kToken), std::string::npos);

	AddFault({{"delay_ms", 2000}});
	http::Request slow = ToHttp(request, 1);
	slow.timeout_ms = 200;
	client_->Submit(slow);
	std::vector<http::Response> timed_out = Drain(1);
	ASSERT_EQ(timed_out.size(), 1u);
	EXPECT_EQ(timed_out[0].status, 0);
	EXPECT_FALSE(timed_out[0].error_text.empty());
	EXPECT_EQ(timed_out[0].error_text.find(kToken), std::string::npos) << timed_out[0].error_text;
}

} // namespace
} // namespace capi
