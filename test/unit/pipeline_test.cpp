// DestinationPipeline, the per-destination delivery state machine, driven with the real Meta adapter
// and hand-made HTTP responses (no network; the clock is the now_ms the tests pass): batching and the
// in-flight limit, preflight, unreadable and unbuildable events, splitting a rejected batch, backoff and
// Retry-After, giving up, auth pauses, transport errors, secrets in stored text and independent chunks.
#include "core/dispatch/pipeline.hpp"

#include "core/dispatch/backoff.hpp"
#include "core/platforms/meta/meta_adapter.hpp"
#include "core/outbox/identity_bag_builder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr char kToken[] = "EAAB-pipeline-secret-token-5d2e9";
constexpr char kNewToken[] = "EAAB-rotated-secret-token-81b0c";
constexpr char kAppSecret[] = "app-secret-value-3f7a1c";
constexpr char kPixel[] = "1234567890";
constexpr char kMetaUrl[] = "https://graph.facebook.com/v25.0/1234567890/events";
constexpr std::int64_t kNow = 1'780'000'000'000;  // 2026-05-28T20:26:40Z: the tests' clock
constexpr std::int64_t kFresh = kNow - 60 * 1000; // event_time of an event one minute old
constexpr std::uint64_t kSeed = 42;

Destination MetaDestination(const std::string &token = kToken, bool with_app_secret = false) {
	Destination destination;
	destination.name = "pipeline_meta";
	destination.platform = identity::Platform::kMeta;
	destination.config_json = json{{"pixel_id", kPixel}}.dump();
	json credentials = {{"access_token", token}};
	if (with_app_secret) {
		credentials["app_secret"] = kAppSecret;
	}
	destination.credentials_json = credentials.dump();
	return destination;
}

// The stored bag an INSERT would make (built once: 2,500 events share it).
const std::string &StoredBag() {
	static const std::string *bag = new std::string(outbox::BuildIdentityBag(
	    R"({"email": "John_Smith@gmail.com", "client_ip_address": "203.0.113.7",
	        "client_user_agent": "Mozilla/5.0"})",
	    "US"));
	return *bag;
}

// Events "ev-0", "ev-1", ... that Meta's preflight accepts at kNow.
std::vector<OutboxEvent> MakeEvents(int count, std::int64_t event_time_ms = kFresh) {
	std::vector<OutboxEvent> events(static_cast<std::size_t>(count));
	for (int i = 0; i < count; ++i) {
		OutboxEvent &event = events[static_cast<std::size_t>(i)];
		event.outbox_id = i + 1;
		event.event_id = "ev-" + std::to_string(i);
		event.event_name = "Purchase";
		event.event_time_ms = event_time_ms;
		event.action_source = "website";
		event.event_source_url = "https://shop.example/thanks";
		event.user_data_json = StoredBag();
		event.custom_data_json = R"({"value": 12.5, "currency": "EUR"})";
	}
	return events;
}

json Body(const http::Request &request) {
	return json::parse(request.body);
}

std::size_t DataSize(const http::Request &request) {
	return Body(request).at("data").size();
}

std::vector<std::string> EventIds(const http::Request &request) {
	std::vector<std::string> ids;
	const json body = Body(request);
	for (const json &event : body.at("data")) {
		ids.push_back(event.at("event_id").get<std::string>());
	}
	return ids;
}

std::vector<std::string> Ids(int from, int to) { // "ev-from" .. "ev-(to-1)"
	std::vector<std::string> ids;
	for (int i = from; i < to; ++i) {
		ids.push_back("ev-" + std::to_string(i));
	}
	return ids;
}

http::Response Reply(const http::Request &request, long status, std::string body) {
	http::Response response;
	response.id = request.id;
	response.status = status;
	response.body = std::move(body);
	response.http_version = "HTTP/2";
	return response;
}

// Meta's success body for every event of the request.
http::Response Accepted(const http::Request &request, const std::string &trace_id = "TraceOk") {
	return Reply(
	    request, 200,
	    json{{"events_received", DataSize(request)}, {"messages", json::array()}, {"fbtrace_id", trace_id}}
	        .dump());
}

// A Graph API error body (https://developers.facebook.com/docs/graph-api/guides/error-handling).
std::string GraphError(int code, const std::string &message, json extra = json::object()) {
	json error = {
	    {"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "TraceErr"}};
	error.update(extra);
	return json{{"error", error}}.dump();
}

// What the 401 for an expired token looks like.
std::string ExpiredTokenError() {
	return GraphError(
	    190, "Error validating access token: Session has expired on Tuesday, 24-Nov-26 09:00:00 PST.",
	    {{"error_subcode", 463}});
}

constexpr char kExpiredTokenMessage[] = "HTTP 401: (#190/463) Error validating access token: Session has "
                                        "expired on Tuesday, 24-Nov-26 09:00:00 PST.";

class PipelineTest : public ::testing::Test {
protected:
	MetaAdapter adapter_;
};

// ---- batching and the in-flight limit ----------------------------------------------------------------

TEST_F(PipelineTest, TwoThousandFiveHundredEventsGoAsThousandThousandFiveHundredWithinTheInFlightLimit) {
	PipelineSettings settings;
	settings.max_in_flight = 2;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	EXPECT_TRUE(pipeline.WantsChunk(kNow));
	pipeline.AddChunk(1, MakeEvents(2500), kNow);
	EXPECT_EQ(pipeline.ChunksHeld(), 1u);
	EXPECT_TRUE(pipeline.WantsChunk(kNow)); // 1 chunk held < 2
	ASSERT_NE(pipeline.ChunkEvents(1), nullptr);
	EXPECT_EQ(pipeline.ChunkEvents(1)->size(), 2500u);
	EXPECT_EQ(pipeline.NextDueMs(), kNow);

	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 2u);
	EXPECT_EQ(pipeline.InFlight(), 2u);
	EXPECT_EQ(DataSize(first[0]), 1000u);
	EXPECT_EQ(DataSize(first[1]), 1000u);
	EXPECT_EQ(EventIds(first[0]), Ids(0, 1000));
	EXPECT_EQ(EventIds(first[1]), Ids(1000, 2000));
	EXPECT_EQ(first[0].url, kMetaUrl);
	EXPECT_EQ(first[0].timeout_ms, 30000);
	EXPECT_EQ(Body(first[0]).at("access_token"), kToken);
	EXPECT_EQ(first[0].secrets, std::vector<std::string>{kToken});
	EXPECT_NE(first[0].id, first[1].id);
	EXPECT_TRUE(pipeline.Owns(first[0].id));
	EXPECT_TRUE(pipeline.Owns(first[1].id));
	EXPECT_FALSE(pipeline.Owns(first[1].id + 1000));
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty()) << "max_in_flight = 2";
	// The third request waits for a free slot, which only a response makes: nothing is due by time
	// (a due time in the past would make the worker poll without sleeping).
	EXPECT_FALSE(pipeline.NextDueMs().has_value());

	pipeline.OnResponse(Accepted(first[0], "TraceA"), kNow + 100);
	EXPECT_FALSE(pipeline.Owns(first[0].id));
	EXPECT_EQ(pipeline.InFlight(), 1u);
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "the chunk has 2 open requests";

	std::vector<http::Request> second = pipeline.TakeRequests(kNow + 100);
	ASSERT_EQ(second.size(), 1u);
	EXPECT_EQ(DataSize(second[0]), 500u);
	EXPECT_EQ(EventIds(second[0]), Ids(2000, 2500));
	EXPECT_EQ(pipeline.InFlight(), 2u);
	EXPECT_FALSE(pipeline.NextDueMs().has_value());

	pipeline.OnResponse(Accepted(second[0], "TraceC"), kNow + 200);
	EXPECT_TRUE(pipeline.TakeSettled().empty());
	pipeline.OnResponse(Accepted(first[1], "TraceB"), kNow + 300);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].chunk_id, 1u);
	EXPECT_EQ(settled[0].events, 2500u);
	EXPECT_TRUE(settled[0].failed.empty());
	EXPECT_EQ(settled[0].attempts, 1);
	EXPECT_EQ(settled[0].last_error, "");
	EXPECT_EQ(settled[0].trace_id, "TraceB"); // the last accepted request's fbtrace_id
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
	EXPECT_EQ(pipeline.InFlight(), 0u);
	EXPECT_EQ(pipeline.ChunkEvents(1), nullptr);
	EXPECT_TRUE(pipeline.TakeSettled().empty());
	EXPECT_TRUE(pipeline.TakeRetrying().empty());
	EXPECT_FALSE(pipeline.NextDueMs().has_value());
}

TEST_F(PipelineTest, BatchSizeSettingCapsRequests) {
	PipelineSettings settings;
	settings.batch_size = 300;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(1000), kNow);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 4u);
	EXPECT_EQ(EventIds(requests[0]), Ids(0, 300));
	EXPECT_EQ(EventIds(requests[1]), Ids(300, 600));
	EXPECT_EQ(EventIds(requests[2]), Ids(600, 900));
	EXPECT_EQ(EventIds(requests[3]), Ids(900, 1000));
	for (const http::Request &request : requests) {
		pipeline.OnResponse(Accepted(request), kNow + 10);
	}
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].events, 1000u);
	EXPECT_TRUE(settled[0].failed.empty());
}

TEST_F(PipelineTest, BatchSizeAboveThePlatformCapIsTheCap) {
	PipelineSettings settings;
	settings.batch_size = 5000;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(1001), kNow);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 2u);
	EXPECT_EQ(DataSize(requests[0]), 1000u);
	EXPECT_EQ(DataSize(requests[1]), 1u);
}

TEST_F(PipelineTest, WantsChunkUntilMaxInFlightChunksAreHeld) {
	PipelineSettings settings;
	settings.max_in_flight = 2;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(1), kNow);
	EXPECT_TRUE(pipeline.WantsChunk(kNow));
	pipeline.AddChunk(2, MakeEvents(1), kNow);
	EXPECT_FALSE(pipeline.WantsChunk(kNow));
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 2u);
	pipeline.OnResponse(Accepted(requests[0]), kNow);
	EXPECT_TRUE(pipeline.WantsChunk(kNow));
}

TEST_F(PipelineTest, EmptyChunkSettlesAtOnce) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(5, {}, kNow);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].chunk_id, 5u);
	EXPECT_EQ(settled[0].events, 0u);
	EXPECT_TRUE(settled[0].failed.empty());
	EXPECT_EQ(settled[0].attempts, 0);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

// ---- preflight -----------------------------------------------------------------------------------------

TEST_F(PipelineTest, EightDayOldEventFailsAloneAndTheOthersGoInOneRequest) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	std::vector<OutboxEvent> events = MakeEvents(5);
	events[2].event_time_ms = kNow - 8 * kDayMs;
	pipeline.AddChunk(1, std::move(events), kNow);

	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(EventIds(requests[0]), (std::vector<std::string>{"ev-0", "ev-1", "ev-3", "ev-4"}));
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "the others are in flight";

	pipeline.OnResponse(Accepted(requests[0]), kNow + 10);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].events, 5u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_EQ(settled[0].failed[0].index, 2u);
	EXPECT_EQ(settled[0].failed[0].reason,
	          "event_time is 8 days old; Meta rejects events older than 7 days (62 for physical_store)");
	EXPECT_EQ(settled[0].failed[0].attempts, 0) << "never sent";
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kLocal) << "refused before sending";
}

TEST_F(PipelineTest, ChunkOfOnlyStaleEventsSettlesWithoutARequest) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(1, MakeEvents(2, kNow - 10 * kDayMs), kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 2u);
	EXPECT_EQ(settled[0].failed[0].index, 0u);
	EXPECT_EQ(settled[0].failed[1].index, 1u);
	EXPECT_EQ(settled[0].failed[1].reason.rfind("event_time is 10 days old", 0), 0u)
	    << settled[0].failed[1].reason;
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

// Preflight runs at every send: an event that ages past the limit while waiting for a retry is failed
// alone at the resend, with the sends that included it.
TEST_F(PipelineTest, EventThatAgesPastTheLimitDuringBackoffFailsAloneAtTheResend) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	std::vector<OutboxEvent> events = MakeEvents(3);
	// Accepted now (7 days minus 2 minutes old; the margin is 1 minute), too old in 2 minutes.
	events[1].event_time_ms = kNow - kMetaMaxAgeMs + 2 * 60 * 1000;
	pipeline.AddChunk(1, std::move(events), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	EXPECT_EQ(DataSize(first[0]), 3u);

	http::Response busy =
	    Reply(first[0], 429, GraphError(4, "Application request limit reached", {{"is_transient", true}}));
	busy.retry_after_seconds = 120;
	pipeline.OnResponse(busy, kNow);
	ASSERT_EQ(pipeline.NextDueMs(), kNow + 120000);

	std::vector<http::Request> resend = pipeline.TakeRequests(kNow + 120000);
	ASSERT_EQ(resend.size(), 1u);
	EXPECT_EQ(EventIds(resend[0]), (std::vector<std::string>{"ev-0", "ev-2"}));
	pipeline.OnResponse(Accepted(resend[0]), kNow + 120100);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_EQ(settled[0].failed[0].index, 1u);
	EXPECT_EQ(settled[0].failed[0].reason,
	          "event_time is 7 days old; Meta rejects events older than 7 days (62 for physical_store) (it "
	          "was being "
	          "retried after: HTTP 429: (#4) Application request limit reached)");
	EXPECT_EQ(settled[0].failed[0].attempts, 1);
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kTransient) << "aged out while being retried";
	EXPECT_EQ(settled[0].attempts, 2);
}

// ---- rows the worker could not read, events that cannot be built --------------------------------------

// An unreadable row (its reason set by the reader, its columns empty) fails alone, never sent; its
// chunk-mates go in one request and the chunk settles with their answer.
TEST_F(PipelineTest, UnreadableEventsFailAloneWithTheirReasonAndTheOthersAreSent) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	std::vector<OutboxEvent> events = MakeEvents(6);
	events[1].unreadable_reason = "event_time is -infinity";
	events[1].event_time_ms = 0;
	events[4].unreadable_reason = "custom_data is 104857600 bytes, more than 1048576";
	events[4].custom_data_json.clear();
	events[4].user_data_json.clear();
	pipeline.AddChunk(1, std::move(events), kNow);

	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(EventIds(requests[0]), (std::vector<std::string>{"ev-0", "ev-2", "ev-3", "ev-5"}));
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "the others are in flight";

	pipeline.OnResponse(Accepted(requests[0]), kNow + 10);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].events, 6u);
	ASSERT_EQ(settled[0].failed.size(), 2u);
	EXPECT_EQ(settled[0].failed[0].index, 1u);
	EXPECT_EQ(settled[0].failed[0].reason, "event could not be read: event_time is -infinity");
	EXPECT_EQ(settled[0].failed[0].attempts, 0) << "never sent";
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kLocal);
	EXPECT_EQ(settled[0].failed[1].index, 4u);
	EXPECT_EQ(settled[0].failed[1].reason,
	          "event could not be read: custom_data is 104857600 bytes, more than 1048576");
	EXPECT_EQ(settled[0].event_rows.size(), 6u);
	EXPECT_EQ(settled[0].event_rows[4].event_id, "ev-4") << "handed back for the failure's row";
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

TEST_F(PipelineTest, ChunkOfOnlyUnreadableEventsSettlesWithoutARequest) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	std::vector<OutboxEvent> events(2);
	events[0].outbox_id = 1;
	events[0].unreadable_reason = "event_time is infinity";
	events[1].outbox_id = 2;
	events[1].unreadable_reason = "custom_data is nested deeper than 64 levels";
	pipeline.AddChunk(1, std::move(events), kNow);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u) << "settled at once";
	ASSERT_EQ(settled[0].failed.size(), 2u);
	EXPECT_EQ(settled[0].failed[1].reason,
	          "event could not be read: custom_data is nested deeper than 64 levels");
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

// The Meta adapter, except that its builder throws (after writing part of the event) for events whose
// event_id starts with "boom": a builder failure nobody foresaw.
class ThrowingMetaAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return meta_.platform(); }
	std::size_t MaxBatchSize() const noexcept override { return meta_.MaxBatchSize(); }
	std::vector<std::string_view> OwnHosts() const override { return meta_.OwnHosts(); }
	void Validate(const Destination &destination) const override { meta_.Validate(destination); }
	std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
	                                     std::int64_t now_ms) const override {
		return meta_.Preflight(destination, event, now_ms);
	}
	std::string GroupingKey(const Destination &destination, const OutboxEvent &event) const override {
		return meta_.GroupingKey(destination, event);
	}
	std::unique_ptr<RequestBuilder> StartRequest(const Destination &destination,
	                                             const RequestContext &context) const override {
		return std::make_unique<Builder>(meta_.StartRequest(destination, context));
	}
	BatchOutcome Classify(const Destination &destination, std::size_t batch_size, long http_status,
	                      std::string_view body, const ResponseHeaders &headers) const override {
		return meta_.Classify(destination, batch_size, http_status, body, headers);
	}

private:
	class Builder final : public RequestBuilder {
	public:
		explicit Builder(std::unique_ptr<RequestBuilder> inner) : inner_(std::move(inner)) {}
		std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
			if (event.event_id.rfind("boom", 0) == 0) {
				inner_->Add(MakeEvents(1).front(), now_ms); // a half-written request
				throw std::length_error("basic_string::_M_create");
			}
			return inner_->Add(event, now_ms);
		}
		std::size_t size() const noexcept override { return inner_->size(); }
		bool full() const noexcept override { return inner_->full(); }
		HttpRequest Finish() override { return inner_->Finish(); }

	private:
		std::unique_ptr<RequestBuilder> inner_;
	};
	MetaAdapter meta_;
};

TEST_F(PipelineTest, EventThatCannotBeBuiltFailsAloneAndTheRequestIsBuiltAgainWithoutIt) {
	ThrowingMetaAdapter adapter;
	DestinationPipeline pipeline(MetaDestination(), adapter, PipelineSettings{}, kSeed);
	std::vector<OutboxEvent> events = MakeEvents(5);
	events[1].event_id = "boom-1";
	events[2].event_time_ms = kNow - 8 * kDayMs; // refused by preflight before the failure: once
	events[3].event_id = "boom-3";
	pipeline.AddChunk(1, std::move(events), kNow);

	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(EventIds(requests[0]), (std::vector<std::string>{"ev-0", "ev-4"})) << "no half-written event";
	pipeline.OnResponse(Accepted(requests[0]), kNow + 10);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 3u);
	EXPECT_EQ(settled[0].failed[0].index, 1u);
	EXPECT_EQ(settled[0].failed[0].reason, "event could not be built: basic_string::_M_create");
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kLocal);
	EXPECT_EQ(settled[0].failed[1].index, 2u);
	EXPECT_EQ(settled[0].failed[1].reason.rfind("event_time is 8 days old", 0), 0u);
	EXPECT_EQ(settled[0].failed[2].index, 3u);
	EXPECT_EQ(settled[0].failed[2].reason, "event could not be built: basic_string::_M_create");
}

// ---- rejections ----------------------------------------------------------------------------------------

// A batch of 8 where only ev-4 (event #5) is bad, and Meta's 400 names nothing. Trace (sizes of the
// requests, round by round; every half is sent as soon as its parent is rejected):
//   [0-7] 400 -> [0-3] 200, [4-7] 400 -> [4,5] 400, [6,7] 200 -> [4] 400 (failed alone), [5] 200.
// 7 requests: the full batch, then one pair of halves per level down to the culprit (log2(8) = 3
// levels), i.e. 2*log2(8) + 1.
TEST_F(PipelineTest, WholeBatchRejectionIsSplitUntilTheCulpritIsAlone) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(1, MakeEvents(8), kNow);
	const std::string rejection = GraphError(
	    100, "Invalid parameter",
	    {{"error_user_title", "Invalid parameter"}, {"error_user_msg", "The parameter value is not valid."}});
	// The fake server: 400 for any request holding ev-4, 200 otherwise.
	auto answer = [&](const http::Request &request) {
		std::vector<std::string> ids = EventIds(request);
		const bool bad = std::find(ids.begin(), ids.end(), "ev-4") != ids.end();
		return bad ? Reply(request, 400, rejection) : Accepted(request);
	};
	std::vector<std::size_t> sizes;
	std::vector<std::size_t> per_round;
	for (int round = 0; round < 10; ++round) {
		std::vector<http::Request> requests = pipeline.TakeRequests(kNow + round);
		if (requests.empty()) {
			break;
		}
		per_round.push_back(requests.size());
		for (const http::Request &request : requests) {
			sizes.push_back(DataSize(request));
			pipeline.OnResponse(answer(request), kNow + round);
		}
	}
	EXPECT_EQ(sizes, (std::vector<std::size_t>{8, 4, 4, 2, 2, 1, 1}));
	EXPECT_EQ(per_round, (std::vector<std::size_t>{1, 2, 2, 2}));
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].events, 8u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_EQ(settled[0].failed[0].index, 4u);
	EXPECT_EQ(settled[0].failed[0].reason,
	          "HTTP 400: (#100) Invalid parameter | Invalid parameter | The parameter value is not valid.");
	EXPECT_EQ(settled[0].failed[0].attempts, 1); // the sends of its last request (splits start at 0)
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kPermanent) << "the platform refused it";
	EXPECT_EQ(settled[0].attempts, 1);
	EXPECT_EQ(settled[0].last_error, "") << "a rejection is not a transient error";
	EXPECT_EQ(settled[0].trace_id, "TraceOk");
	EXPECT_TRUE(pipeline.TakeRetrying().empty());
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

// Meta named the bad event (data[2]): it fails, the others are resent at once. The position is among the
// events sent, which differ from the chunk's when the preflight refused one (ev-1 here).
TEST_F(PipelineTest, NamedBadEventFailsAndTheOthersAreResent) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	std::vector<OutboxEvent> events = MakeEvents(5);
	events[1].event_time_ms = kNow - 9 * kDayMs;
	pipeline.AddChunk(1, std::move(events), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	ASSERT_EQ(EventIds(first[0]), (std::vector<std::string>{"ev-0", "ev-2", "ev-3", "ev-4"}));
	pipeline.OnResponse(
	    Reply(first[0], 400,
	          GraphError(100, "Invalid parameter",
	                     {{"error_user_msg", "data[2]: custom_data.value must be a number"}})),
	    kNow + 5);
	std::vector<http::Request> resend = pipeline.TakeRequests(kNow + 5);
	ASSERT_EQ(resend.size(), 1u);
	EXPECT_EQ(EventIds(resend[0]), (std::vector<std::string>{"ev-0", "ev-2", "ev-4"}));
	pipeline.OnResponse(Accepted(resend[0]), kNow + 10);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 2u);
	EXPECT_EQ(settled[0].failed[0].index, 1u);
	EXPECT_EQ(settled[0].failed[0].reason.rfind("event_time is 9 days old", 0), 0u);
	EXPECT_EQ(settled[0].failed[1].index, 3u);
	EXPECT_EQ(settled[0].failed[1].reason,
	          "HTTP 400: (#100) Invalid parameter | data[2]: custom_data.value must be a number");
	EXPECT_EQ(settled[0].failed[1].attempts, 1);
	EXPECT_EQ(settled[0].failed[1].kind, FailureKind::kPermanent);
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kLocal);
}

// ---- transient failures --------------------------------------------------------------------------------

TEST_F(PipelineTest, ServiceUnavailableIsRetriedOnceAfterTheBackoff) {
	PipelineSettings settings;
	settings.backoff.floor_ms = 800; // the delay of a first retry is then in [800, 1000]
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(3, MakeEvents(4), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	pipeline.OnResponse(
	    Reply(first[0], 503, GraphError(2, "Service temporarily unavailable", {{"is_transient", true}})),
	    kNow + 50);
	const std::string error = "HTTP 503: (#2) Service temporarily unavailable";

	// The pipeline's first draw from its RNG, as backoff.hpp defines it.
	std::mt19937_64 rng(kSeed);
	const std::int64_t delay = RetryDelayMs(settings.backoff, 1, std::nullopt, rng);
	ASSERT_GE(delay, 800);
	ASSERT_LE(delay, 1000);
	const std::int64_t due = kNow + 50 + delay;

	EXPECT_TRUE(pipeline.TakeSettled().empty());
	EXPECT_EQ(pipeline.InFlight(), 0u);
	EXPECT_EQ(pipeline.NextDueMs(), due);
	std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 1u);
	EXPECT_EQ(retrying[0].chunk_id, 3u);
	EXPECT_EQ(retrying[0].attempts, 1);
	EXPECT_EQ(retrying[0].last_error, error);
	EXPECT_EQ(retrying[0].next_attempt_ms, due);
	EXPECT_TRUE(pipeline.TakeRetrying().empty()) << "reported once";

	EXPECT_TRUE(pipeline.TakeRequests(kNow + 50 + 799).empty()) << "before the floor";
	EXPECT_TRUE(pipeline.TakeRequests(due - 1).empty());
	std::vector<http::Request> resend = pipeline.TakeRequests(due);
	ASSERT_EQ(resend.size(), 1u);
	EXPECT_NE(resend[0].id, first[0].id);
	EXPECT_EQ(EventIds(resend[0]), Ids(0, 4));
	EXPECT_FALSE(pipeline.NextDueMs().has_value());

	pipeline.OnResponse(Accepted(resend[0], "TraceRetry"), due + 30);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].chunk_id, 3u);
	EXPECT_TRUE(settled[0].failed.empty());
	EXPECT_EQ(settled[0].attempts, 2);
	EXPECT_EQ(settled[0].last_error, error);
	EXPECT_EQ(settled[0].trace_id, "TraceRetry");
	EXPECT_TRUE(pipeline.TakeRetrying().empty());
}

TEST_F(PipelineTest, RetryAfterThirtySecondsIsHonoured) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	http::Response busy = Reply(
	    first[0], 429,
	    GraphError(80003, "There have been too many calls to this ad-account.", {{"is_transient", true}}));
	busy.retry_after_seconds = 30;
	pipeline.OnResponse(busy, kNow + 10);
	// The jitter (at most base_ms = 1 s) is below the 30 s the platform asked for.
	EXPECT_EQ(pipeline.NextDueMs(), kNow + 10 + 30000);
	std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 1u);
	EXPECT_EQ(retrying[0].next_attempt_ms, kNow + 10 + 30000);
	EXPECT_EQ(retrying[0].last_error,
	          "HTTP 429: (#80003) There have been too many calls to this ad-account.");
	EXPECT_TRUE(pipeline.TakeRequests(kNow + 10 + 29999).empty());
	EXPECT_EQ(pipeline.TakeRequests(kNow + 10 + 30000).size(), 1u);
}

TEST_F(PipelineTest, GivesUpAfterMaxAttempts) {
	PipelineSettings settings;
	settings.backoff.max_attempts = 3;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(5), kNow);
	std::int64_t now = kNow;
	for (int attempt = 1; attempt <= 3; ++attempt) {
		std::vector<http::Request> requests = pipeline.TakeRequests(now);
		ASSERT_EQ(requests.size(), 1u) << "attempt " << attempt;
		EXPECT_EQ(DataSize(requests[0]), 5u);
		pipeline.OnResponse(Reply(requests[0], 500, "Internal Server Error"), now + 5);
		std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
		if (attempt < 3) {
			ASSERT_EQ(retrying.size(), 1u);
			EXPECT_EQ(retrying[0].attempts, attempt);
			ASSERT_TRUE(pipeline.NextDueMs().has_value());
			EXPECT_EQ(*pipeline.NextDueMs(), retrying[0].next_attempt_ms);
			now = *pipeline.NextDueMs();
			EXPECT_TRUE(pipeline.TakeSettled().empty());
		} else {
			EXPECT_TRUE(retrying.empty()) << "settled, not retrying";
		}
	}
	EXPECT_FALSE(pipeline.NextDueMs().has_value());
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 5u);
	for (std::size_t i = 0; i < 5; ++i) {
		EXPECT_EQ(settled[0].failed[i].index, i);
		EXPECT_EQ(settled[0].failed[i].reason, "gave up after 3 attempts: HTTP 500: Internal Server Error");
		EXPECT_EQ(settled[0].failed[i].attempts, 3);
	}
	EXPECT_EQ(settled[0].attempts, 3);
	EXPECT_EQ(settled[0].last_error, "HTTP 500: Internal Server Error");
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

TEST_F(PipelineTest, FewerEventsReceivedThanSentIsRetried) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(1, MakeEvents(4), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	pipeline.OnResponse(Reply(first[0], 200, R"({"events_received":3,"fbtrace_id":"T"})"), kNow);
	std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 1u);
	EXPECT_EQ(retrying[0].last_error, "Meta received 3 of 4 events");
	EXPECT_TRUE(pipeline.TakeSettled().empty());
}

TEST_F(PipelineTest, TransportErrorIsRetried) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	pipeline.AddChunk(2, MakeEvents(2), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 2u);
	http::Response reset; // no HTTP response at all
	reset.id = first[0].id;
	reset.error = http::TransportError::kReset;
	reset.curl_code = 56;
	reset.error_text = "Recv failure: Connection reset by peer";
	pipeline.OnResponse(reset, kNow + 10);
	http::Response bare = reset; // without a text, the error's name
	bare.id = first[1].id;
	bare.error_text.clear();
	pipeline.OnResponse(bare, kNow + 10);

	std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 2u);
	EXPECT_EQ(retrying[0].chunk_id, 1u);
	EXPECT_EQ(retrying[0].last_error, "Recv failure: Connection reset by peer");
	EXPECT_EQ(retrying[1].chunk_id, 2u);
	EXPECT_EQ(retrying[1].last_error, "reset");
	ASSERT_TRUE(pipeline.NextDueMs().has_value());
	const std::int64_t due = std::max(retrying[0].next_attempt_ms, retrying[1].next_attempt_ms);
	EXPECT_GE(std::min(retrying[0].next_attempt_ms, retrying[1].next_attempt_ms), kNow + 10 + 250);
	std::vector<http::Request> resend = pipeline.TakeRequests(due);
	ASSERT_EQ(resend.size(), 2u);
	for (const http::Request &request : resend) {
		pipeline.OnResponse(Accepted(request), due);
	}
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 2u);
	EXPECT_TRUE(settled[0].failed.empty());
	EXPECT_EQ(settled[0].attempts, 2);
	EXPECT_TRUE(settled[1].failed.empty());
	EXPECT_EQ(settled[1].attempts, 2);
}

// ---- pauses --------------------------------------------------------------------------------------------

TEST_F(PipelineTest, ExpiredTokenPausesWithoutCountingAnAttemptAndUpdateResumes) {
	PipelineSettings settings;
	settings.auth_pause_ms = 60000;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(3), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	pipeline.OnResponse(Reply(first[0], 401, ExpiredTokenError()), kNow + 20);

	EXPECT_TRUE(pipeline.Paused(kNow + 20));
	EXPECT_EQ(pipeline.paused_until_ms(), kNow + 20 + 60000);
	EXPECT_EQ(pipeline.pause_reason(), kExpiredTokenMessage);
	EXPECT_EQ(pipeline.pause_reason().find(kToken), std::string::npos);
	EXPECT_TRUE(pipeline.TakePauseChanged());
	EXPECT_FALSE(pipeline.TakePauseChanged());
	EXPECT_FALSE(pipeline.WantsChunk(kNow + 20));
	EXPECT_TRUE(pipeline.TakeSettled().empty());
	EXPECT_TRUE(pipeline.TakeRetrying().empty()) << "a pause is not a retry";
	EXPECT_EQ(pipeline.NextDueMs(), kNow + 20 + 60000);
	EXPECT_TRUE(pipeline.TakeRequests(kNow + 20).empty());
	EXPECT_TRUE(pipeline.TakeRequests(kNow + 20 + 59999).empty());

	// A new token: the pause ends now and the same events go with it.
	pipeline.Update(MetaDestination(kNewToken), settings);
	EXPECT_FALSE(pipeline.Paused(kNow + 30000));
	EXPECT_EQ(pipeline.pause_reason(), "");
	EXPECT_TRUE(pipeline.TakePauseChanged());
	EXPECT_FALSE(pipeline.TakePauseChanged());
	EXPECT_TRUE(pipeline.WantsChunk(kNow + 30000));
	std::vector<http::Request> resend = pipeline.TakeRequests(kNow + 30000);
	ASSERT_EQ(resend.size(), 1u);
	EXPECT_EQ(EventIds(resend[0]), Ids(0, 3));
	EXPECT_EQ(Body(resend[0]).at("access_token"), kNewToken);
	pipeline.OnResponse(Accepted(resend[0]), kNow + 30100);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_TRUE(settled[0].failed.empty());
	EXPECT_EQ(settled[0].attempts, 1) << "the 401 send does not count";
}

// The pause also ends by itself; with max_attempts = 1 the resend is still allowed (the 401 burnt
// nothing), and afterwards NextDueMs follows the retries, not the long-past end of the pause.
TEST_F(PipelineTest, PauseEndsAfterAuthPauseMsAndNextDueFollowsLaterRetries) {
	PipelineSettings settings;
	settings.auth_pause_ms = 60000;
	settings.backoff.max_attempts = 2;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(1), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	pipeline.OnResponse(Reply(first[0], 401, ExpiredTokenError()), kNow);
	const std::int64_t end = kNow + 60000;
	EXPECT_TRUE(pipeline.Paused(end - 1));
	EXPECT_FALSE(pipeline.Paused(end));
	std::vector<http::Request> resend = pipeline.TakeRequests(end);
	ASSERT_EQ(resend.size(), 1u);

	pipeline.OnResponse(Reply(resend[0], 503, "upstream connect error"), end + 100);
	std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 1u);
	EXPECT_EQ(retrying[0].attempts, 1) << "the 401 send does not count";
	EXPECT_GE(retrying[0].next_attempt_ms, end + 100 + 250);
	EXPECT_EQ(pipeline.NextDueMs(), retrying[0].next_attempt_ms);
	EXPECT_TRUE(pipeline.TakeRequests(end + 100).empty());

	std::vector<http::Request> last = pipeline.TakeRequests(retrying[0].next_attempt_ms);
	ASSERT_EQ(last.size(), 1u);
	pipeline.OnResponse(Reply(last[0], 503, "upstream connect error"), retrying[0].next_attempt_ms);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_EQ(settled[0].failed[0].reason, "gave up after 2 attempts: HTTP 503: upstream connect error");
	EXPECT_EQ(settled[0].failed[0].kind, FailureKind::kTransient);
}

// A 401 answering a request built with the credentials Update replaced says nothing about the new
// ones: the request is resent with them, without a pause.
TEST_F(PipelineTest, AuthFailureOfARequestSentBeforeUpdateDoesNotPause) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	pipeline.Update(MetaDestination(kNewToken), PipelineSettings{});
	EXPECT_FALSE(pipeline.TakePauseChanged());
	pipeline.OnResponse(Reply(first[0], 401, ExpiredTokenError()), kNow + 10);
	EXPECT_FALSE(pipeline.Paused(kNow + 10));
	EXPECT_EQ(pipeline.pause_reason(), "");
	EXPECT_FALSE(pipeline.TakePauseChanged());
	std::vector<http::Request> resend = pipeline.TakeRequests(kNow + 10);
	ASSERT_EQ(resend.size(), 1u);
	EXPECT_EQ(Body(resend[0]).at("access_token"), kNewToken);
	pipeline.OnResponse(Accepted(resend[0]), kNow + 20);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_TRUE(settled[0].failed.empty());
	EXPECT_EQ(settled[0].attempts, 1);
}

TEST_F(PipelineTest, MissingPermissionPausesTheDestination) {
	PipelineSettings settings;
	settings.auth_pause_ms = 1000;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	ASSERT_EQ(first.size(), 1u);
	pipeline.OnResponse(Reply(first[0], 403, GraphError(200, "Permissions error")), kNow);
	EXPECT_TRUE(pipeline.Paused(kNow));
	EXPECT_EQ(pipeline.pause_reason(), "HTTP 403: (#200) Permissions error");
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "the events are held, not failed";
	EXPECT_EQ(pipeline.TakeRequests(kNow + 1000).size(), 1u);
}

// A destination that became invalid (Update with a config the adapter refuses) pauses instead of
// failing the events; a valid one resumes.
TEST_F(PipelineTest, InvalidDestinationPausesInsteadOfFailingEvents) {
	PipelineSettings settings;
	settings.auth_pause_ms = 5000;
	DestinationPipeline pipeline(MetaDestination(), adapter_, settings, kSeed);
	Destination broken = MetaDestination();
	broken.config_json = "{}";
	pipeline.Update(broken, settings);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	EXPECT_TRUE(pipeline.Paused(kNow));
	EXPECT_NE(pipeline.pause_reason().find("pixel_id"), std::string::npos) << pipeline.pause_reason();
	EXPECT_TRUE(pipeline.TakePauseChanged());
	EXPECT_EQ(pipeline.NextDueMs(), kNow + 5000);
	EXPECT_TRUE(pipeline.TakeSettled().empty());
	EXPECT_EQ(pipeline.ChunksHeld(), 1u);

	pipeline.Update(MetaDestination(), settings);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow + 1);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(DataSize(requests[0]), 2u);
}

// Even without a pause (auth_pause_ms = 0) a request that could not be built is not settled as if
// it had been delivered.
TEST_F(PipelineTest, RequestThatCannotBeBuiltIsNeverSettledAsDelivered) {
	PipelineSettings settings;
	settings.auth_pause_ms = 0;
	Destination broken = MetaDestination();
	broken.config_json = "{}";
	DestinationPipeline pipeline(broken, adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(2), kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	EXPECT_TRUE(pipeline.TakeSettled().empty());
	EXPECT_EQ(pipeline.ChunksHeld(), 1u);
	EXPECT_NE(pipeline.pause_reason().find("pixel_id"), std::string::npos) << pipeline.pause_reason();

	pipeline.Update(MetaDestination(), settings);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow + 1);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(EventIds(requests[0]), Ids(0, 2));
}

// ---- secrets -------------------------------------------------------------------------------------------

class PipelineSecretsTest : public PipelineTest {
protected:
	// The token, the app secret and the appsecret_proof derived from them.
	void ExpectNoSecret(const std::string &text, const std::string &what) const {
		EXPECT_EQ(text.find(kToken), std::string::npos) << what << ": " << text;
		EXPECT_EQ(text.find(kNewToken), std::string::npos) << what << ": " << text;
		EXPECT_EQ(text.find(kAppSecret), std::string::npos) << what << ": " << text;
		EXPECT_EQ(text.find(proof_), std::string::npos) << what << ": " << text;
	}
	std::string Echo() const {
		return std::string("Malformed access token ") + kToken + " (appsecret_proof " + proof_ + ", secret " +
		       kAppSecret + ")";
	}
	std::string proof_ = "unset";
};

TEST_F(PipelineSecretsTest, EchoedCredentialsNeverReachStoredText) {
	PipelineSettings settings;
	settings.auth_pause_ms = 1000;
	DestinationPipeline pipeline(MetaDestination(kToken, true), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(1), kNow); // rejected
	pipeline.AddChunk(2, MakeEvents(1), kNow); // 503, 401, then transport error, then delivered
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 2u);
	proof_ = Body(requests[0]).at("appsecret_proof").get<std::string>();
	ASSERT_EQ(proof_.size(), 64u);

	pipeline.OnResponse(Reply(requests[0], 400, GraphError(100, Echo())), kNow);
	pipeline.OnResponse(Reply(requests[1], 503, Echo()), kNow);
	std::vector<RetryingChunk> retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 1u);
	ExpectNoSecret(retrying[0].last_error, "503 last_error");
	EXPECT_NE(retrying[0].last_error.find("[REDACTED]"), std::string::npos);

	std::int64_t now = retrying[0].next_attempt_ms;
	std::vector<http::Request> resend = pipeline.TakeRequests(now);
	ASSERT_EQ(resend.size(), 1u);
	pipeline.OnResponse(Reply(resend[0], 401, GraphError(190, Echo())), now);
	EXPECT_TRUE(pipeline.Paused(now));
	ExpectNoSecret(pipeline.pause_reason(), "pause_reason");
	EXPECT_EQ(pipeline.pause_reason().rfind("HTTP 401: (#190) Malformed access token [REDACTED]", 0), 0u)
	    << pipeline.pause_reason();

	now += 1000;
	resend = pipeline.TakeRequests(now);
	ASSERT_EQ(resend.size(), 1u);
	http::Response reset;
	reset.id = resend[0].id;
	reset.error = http::TransportError::kReset;
	reset.error_text = Echo(); // the client redacts these already; the pipeline must not rely on it alone
	pipeline.OnResponse(reset, now);
	retrying = pipeline.TakeRetrying();
	ASSERT_EQ(retrying.size(), 1u);
	ExpectNoSecret(retrying[0].last_error, "transport last_error");

	now = retrying[0].next_attempt_ms;
	resend = pipeline.TakeRequests(now);
	ASSERT_EQ(resend.size(), 1u);
	pipeline.OnResponse(Accepted(resend[0]), now);

	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 2u);
	EXPECT_EQ(settled[0].chunk_id, 1u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	ExpectNoSecret(settled[0].failed[0].reason, "rejection reason");
	EXPECT_EQ(settled[0].failed[0].reason.rfind("HTTP 400: (#100) Malformed access token [REDACTED]", 0), 0u)
	    << settled[0].failed[0].reason;
	EXPECT_EQ(settled[1].chunk_id, 2u);
	EXPECT_TRUE(settled[1].failed.empty());
	ExpectNoSecret(settled[1].last_error, "settled last_error");
}

// After a token rotation, the answer to a request sent with the old token may quote it; the old token
// is still a secret.
TEST_F(PipelineSecretsTest, ReplacedTokenEchoedAfterUpdateIsRedacted) {
	PipelineSettings settings;
	settings.backoff.max_attempts = 1;
	DestinationPipeline pipeline(MetaDestination(kToken, true), adapter_, settings, kSeed);
	pipeline.AddChunk(1, MakeEvents(1), kNow);
	pipeline.AddChunk(2, MakeEvents(1), kNow);
	pipeline.AddChunk(3, MakeEvents(1), kNow);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 3u);
	proof_ = Body(requests[0]).at("appsecret_proof").get<std::string>();
	pipeline.Update(MetaDestination(kNewToken), settings);

	pipeline.OnResponse(Reply(requests[0], 400, GraphError(100, Echo())), kNow);
	pipeline.OnResponse(Reply(requests[1], 500, Echo()), kNow);
	pipeline.OnResponse(Reply(requests[2], 401, GraphError(190, Echo())), kNow);
	ExpectNoSecret(pipeline.pause_reason(), "pause_reason");
	std::vector<http::Request> resend = pipeline.TakeRequests(kNow);
	ASSERT_EQ(resend.size(), 1u);
	pipeline.OnResponse(Accepted(resend[0]), kNow);

	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 3u);
	for (const SettledChunk &chunk : settled) {
		ExpectNoSecret(chunk.last_error, "last_error of chunk " + std::to_string(chunk.chunk_id));
		for (const EventFailure &failure : chunk.failed) {
			ExpectNoSecret(failure.reason, "reason in chunk " + std::to_string(chunk.chunk_id));
		}
	}
	ASSERT_EQ(settled[0].chunk_id, 1u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_NE(settled[0].failed[0].reason.find("[REDACTED]"), std::string::npos);
	ASSERT_EQ(settled[1].chunk_id, 2u);
	ASSERT_EQ(settled[1].failed.size(), 1u);
	EXPECT_EQ(settled[1].failed[0].reason.rfind(
	              "gave up after 1 attempt: HTTP 500: Malformed access token [REDACTED]", 0),
	          0u)
	    << settled[1].failed[0].reason;
	ASSERT_EQ(settled[2].chunk_id, 3u);
	EXPECT_TRUE(settled[2].failed.empty());
}

// ---- independent chunks -------------------------------------------------------------

TEST_F(PipelineTest, ChunksSettleIndependentlyInResponseOrder) {
	DestinationPipeline pipeline(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	pipeline.AddChunk(7, MakeEvents(3), kNow);
	pipeline.AddChunk(9, MakeEvents(2), kNow);
	EXPECT_EQ(pipeline.ChunksHeld(), 2u);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 2u);
	EXPECT_EQ(DataSize(requests[0]), 3u); // chunk 7's
	EXPECT_EQ(DataSize(requests[1]), 2u); // chunk 9's

	pipeline.OnResponse(Accepted(requests[1], "Trace9"), kNow + 1);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].chunk_id, 9u);
	EXPECT_EQ(settled[0].events, 2u);
	EXPECT_EQ(settled[0].trace_id, "Trace9");
	EXPECT_EQ(pipeline.ChunkEvents(9), nullptr);
	ASSERT_NE(pipeline.ChunkEvents(7), nullptr);
	EXPECT_EQ(pipeline.ChunkEvents(7)->size(), 3u);

	pipeline.OnResponse(Accepted(requests[0], "Trace7"), kNow + 2);
	settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_EQ(settled[0].chunk_id, 7u);
	EXPECT_EQ(settled[0].events, 3u);
	EXPECT_EQ(settled[0].trace_id, "Trace7");
	EXPECT_EQ(pipeline.ChunksHeld(), 0u);
}

TEST_F(PipelineTest, RequestIdsAreUniqueAcrossPipelines) {
	DestinationPipeline a(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	DestinationPipeline b(MetaDestination(), adapter_, PipelineSettings{}, kSeed);
	a.AddChunk(1, MakeEvents(1), kNow);
	b.AddChunk(1, MakeEvents(1), kNow);
	std::vector<http::Request> from_a = a.TakeRequests(kNow);
	std::vector<http::Request> from_b = b.TakeRequests(kNow);
	ASSERT_EQ(from_a.size(), 1u);
	ASSERT_EQ(from_b.size(), 1u);
	EXPECT_NE(from_a[0].id, from_b[0].id);
	EXPECT_TRUE(a.Owns(from_a[0].id));
	EXPECT_FALSE(a.Owns(from_b[0].id));
	// b's response given to a changes nothing.
	a.OnResponse(Accepted(from_b[0]), kNow);
	EXPECT_TRUE(a.TakeSettled().empty());
	EXPECT_EQ(a.InFlight(), 1u);
}

TEST(FailureKindTest, NamesAreTheStoredWords) {
	EXPECT_STREQ(FailureKindName(FailureKind::kTransient), "transient");
	EXPECT_STREQ(FailureKindName(FailureKind::kPermanent), "permanent");
	EXPECT_STREQ(FailureKindName(FailureKind::kLocal), "local");
}

} // namespace
} // namespace capi::dispatch
