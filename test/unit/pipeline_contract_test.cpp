// What the pipeline does for platforms beyond Meta, with a scripted adapter: OAuth2 access tokens
// (fetched before the first request, used, refreshed before expiry and once after a 401, a refused
// grant pauses without a storm of token requests), request-rate limits, per-event failures in a
// success reply (kPartial), several list elements per event (element_events) and skipped events.
#include "core/dispatch/pipeline.hpp"

#include "core/dispatch/common_settings.hpp"
#include "core/dispatch/oauth.hpp"
#include "core/dispatch/settled_batch.hpp"
#include "core/error.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <deque>
#include <string>
#include <vector>

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'780'000'000'000;
constexpr char kRefresh[] = "1//refresh-token-secret-77aa";

// Events named "Skip..." are skipped by design; with config {"fanout": true} every event is two
// list elements. The body is {"ids": [...]} (one entry per element); Classify reads the answer's
// status and a JSON body {"bad": [indexes], "messages": [...]}.
class ScriptedAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kTikTok; }
	std::size_t MaxBatchSize() const noexcept override { return 100; }
	double DefaultRequestsPerSecond() const noexcept override { return 0; }
	std::vector<std::string_view> OwnHosts() const override { return {"api.example"}; }
	void Validate(const Destination &) const override {}
	std::optional<std::string> Preflight(const Destination &, const OutboxEvent &,
	                                     std::int64_t) const override {
		return std::nullopt;
	}
	std::string GroupingKey(const Destination &, const OutboxEvent &) const override { return ""; }
	std::optional<HttpRequest> TokenRequest(const Destination &destination, std::string_view) const override {
		json credentials = json::parse(destination.credentials_json);
		if (!credentials.contains("refresh_token"))
			return std::nullopt;
		return RefreshTokenRequest("https://api.example/token",
		                           RefreshGrant{"client", "client-secret", credentials["refresh_token"]});
	}
	std::unique_ptr<RequestBuilder> StartRequest(const Destination &destination,
	                                             const RequestContext &context) const override {
		return std::make_unique<Builder>(json::parse(destination.config_json).value("fanout", false),
		                                 std::string(context.access_token));
	}
	BatchOutcome Classify(const Destination &, std::size_t batch_size, long http_status,
	                      std::string_view body, const ResponseHeaders &) const override {
		BatchOutcome outcome;
		json answer = json::parse(body, nullptr, false);
		switch (http_status) {
		case 200:
			outcome.kind = OutcomeKind::kDelivered;
			break;
		case 207:
		case 422:
			outcome.kind = http_status == 207 ? OutcomeKind::kPartial : OutcomeKind::kRejectedEvents;
			outcome.bad_indexes = answer["bad"].get<std::vector<std::size_t>>();
			outcome.bad_messages = answer.value("messages", std::vector<std::string>());
			outcome.message = "some events were refused";
			break;
		case 401:
			outcome.kind = OutcomeKind::kAuthFailed;
			outcome.message = "token rejected";
			break;
		default:
			outcome.kind = OutcomeKind::kRetry;
			outcome.message = "try again";
		}
		last_batch_size = batch_size;
		return outcome;
	}
	mutable std::size_t last_batch_size = 0;

private:
	class Builder final : public RequestBuilder {
	public:
		Builder(bool fanout, std::string token) : fanout_(fanout), token_(std::move(token)) {}
		std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t) override {
			if (event.event_name.rfind("Skip", 0) == 0)
				return Refusal::Skip("no mapping for " + event.event_name);
			for (int copy = 0; copy < (fanout_ ? 2 : 1); ++copy) {
				ids_.push_back(event.event_id);
				if (fanout_)
					request_.element_events.push_back(size_);
			}
			++size_;
			return std::nullopt;
		}
		std::size_t size() const noexcept override { return size_; }
		bool full() const noexcept override { return size_ >= 100; }
		HttpRequest Finish() override {
			request_.url = "https://api.example/events";
			request_.headers.push_back("Authorization: Bearer " + token_);
			request_.body = json{{"ids", ids_}}.dump();
			request_.secrets.push_back(token_);
			return std::move(request_);
		}

	private:
		bool fanout_;
		std::string token_;
		std::vector<std::string> ids_;
		std::size_t size_ = 0;
		HttpRequest request_;
	};
};

Destination MakeDestination(json config = json::object(), json credentials = {{"refresh_token", kRefresh}}) {
	Destination destination;
	destination.name = "scripted";
	destination.platform = identity::Platform::kTikTok;
	destination.config_json = config.dump();
	destination.credentials_json = credentials.dump();
	return destination;
}

std::vector<OutboxEvent> Events(int count, const std::string &name = "Purchase") {
	std::vector<OutboxEvent> events(static_cast<std::size_t>(count));
	for (int i = 0; i < count; ++i) {
		events[static_cast<std::size_t>(i)].outbox_id = i + 1;
		events[static_cast<std::size_t>(i)].event_id = "ev-" + std::to_string(i);
		events[static_cast<std::size_t>(i)].event_name = name;
	}
	return events;
}

http::Response Answer(const http::Request &request, long status, std::string body = "{}") {
	http::Response response;
	response.id = request.id;
	response.status = status;
	response.body = std::move(body);
	return response;
}

std::string Bearer(const http::Request &request) {
	for (const std::string &header : request.headers)
		if (header.rfind("Authorization: Bearer ", 0) == 0)
			return header.substr(22);
	return "";
}

PipelineSettings Settings() {
	PipelineSettings settings;
	settings.auth_pause_ms = 60'000;
	settings.backoff.base_ms = 100;
	settings.backoff.cap_ms = 1000;
	settings.backoff.floor_ms = 100;
	return settings;
}

class ContractTest : public ::testing::Test {
protected:
	ScriptedAdapter adapter_;
};

TEST_F(ContractTest, TokenIsFetchedFirstOnlyWhenThereIsWorkAndCarriedByRequests) {
	DestinationPipeline pipeline(MakeDestination(), adapter_, Settings(), 1);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty()) << "no token without events";
	pipeline.AddChunk(1, Events(3), kNow);
	std::vector<http::Request> token = pipeline.TakeRequests(kNow);
	ASSERT_EQ(token.size(), 1u);
	EXPECT_EQ(token[0].url, "https://api.example/token");
	EXPECT_NE(token[0].body.find("grant_type=refresh_token"), std::string::npos);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty()) << "one token request at a time";
	ASSERT_TRUE(pipeline.Owns(token[0].id));
	pipeline.OnResponse(Answer(token[0], 200, R"({"access_token": "T1", "expires_in": 3600})"), kNow);

	std::vector<http::Request> data = pipeline.TakeRequests(kNow);
	ASSERT_EQ(data.size(), 1u);
	EXPECT_EQ(Bearer(data[0]), "T1");
	pipeline.OnResponse(Answer(data[0], 200), kNow);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_TRUE(settled[0].failed.empty());

	// Reused until shortly before it expires, then refreshed before the next request.
	pipeline.AddChunk(2, Events(1), kNow + 1000);
	std::vector<http::Request> reused = pipeline.TakeRequests(kNow + 1000);
	ASSERT_EQ(reused.size(), 1u);
	EXPECT_EQ(Bearer(reused[0]), "T1");
	pipeline.OnResponse(Answer(reused[0], 200), kNow + 1000);
	const std::int64_t later = kNow + 3600 * 1000 - 30 * 1000; // 30 s before expiry
	pipeline.AddChunk(3, Events(1), later);
	std::vector<http::Request> refresh = pipeline.TakeRequests(later);
	ASSERT_EQ(refresh.size(), 1u);
	EXPECT_EQ(refresh[0].url, "https://api.example/token");
}

TEST_F(ContractTest, A401RefreshesOnceAndASecond401WithTheFreshTokenPauses) {
	DestinationPipeline pipeline(MakeDestination(), adapter_, Settings(), 1);
	pipeline.AddChunk(1, Events(2), kNow);
	http::Request token = pipeline.TakeRequests(kNow).at(0);
	pipeline.OnResponse(Answer(token, 200, R"({"access_token": "T1", "expires_in": 3600})"), kNow);
	http::Request first = pipeline.TakeRequests(kNow).at(0);
	pipeline.OnResponse(Answer(first, 401), kNow);
	EXPECT_FALSE(pipeline.Paused(kNow)) << "a token may be revoked early: refresh first";
	http::Request second_token = pipeline.TakeRequests(kNow).at(0);
	EXPECT_EQ(second_token.url, "https://api.example/token");
	pipeline.OnResponse(Answer(second_token, 200, R"({"access_token": "T2", "expires_in": 3600})"), kNow);
	http::Request retry = pipeline.TakeRequests(kNow).at(0);
	EXPECT_EQ(Bearer(retry), "T2");
	pipeline.OnResponse(Answer(retry, 401), kNow);
	EXPECT_TRUE(pipeline.Paused(kNow)) << "the fresh token is refused too: a person must look";
	EXPECT_EQ(pipeline.pause_reason(), "token rejected");
	EXPECT_EQ(pipeline.pause_cause(), PauseCause::kPlatform);
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "nothing failed: the events wait";
}

TEST_F(ContractTest, RefusedGrantPausesWithTheEndpointsWordsAndAsksOncePerPause) {
	PipelineSettings settings = Settings();
	DestinationPipeline pipeline(MakeDestination(), adapter_, settings, 1);
	pipeline.AddChunk(1, Events(2), kNow);
	http::Request token = pipeline.TakeRequests(kNow).at(0);
	pipeline.OnResponse(
	    Answer(token, 400,
	           R"({"error": "invalid_grant", "error_description": "Token has been expired or revoked."})"),
	    kNow);
	ASSERT_TRUE(pipeline.Paused(kNow));
	EXPECT_NE(pipeline.pause_reason().find("invalid_grant"), std::string::npos) << pipeline.pause_reason();
	EXPECT_NE(pipeline.pause_reason().find("Token has been expired or revoked."), std::string::npos);
	EXPECT_EQ(pipeline.pause_reason().find(kRefresh), std::string::npos);
	int token_requests = 0;
	for (std::int64_t t = kNow; t < kNow + 59'000; t += 1000)
		token_requests += static_cast<int>(pipeline.TakeRequests(t).size());
	EXPECT_EQ(token_requests, 0) << "no token request while paused";
	std::vector<http::Request> after = pipeline.TakeRequests(kNow + 60'000);
	ASSERT_EQ(after.size(), 1u) << "one token request when the pause ends";
	EXPECT_EQ(after[0].url, "https://api.example/token");
}

TEST_F(ContractTest, TransientTokenFailureBacksOffWithoutPausing) {
	DestinationPipeline pipeline(MakeDestination(), adapter_, Settings(), 1);
	pipeline.AddChunk(1, Events(1), kNow);
	http::Request token = pipeline.TakeRequests(kNow).at(0);
	pipeline.OnResponse(Answer(token, 503, R"({"error": "temporarily_unavailable"})"), kNow);
	EXPECT_FALSE(pipeline.Paused(kNow));
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty()) << "backoff";
	ASSERT_TRUE(pipeline.NextDueMs().has_value());
	EXPECT_GT(*pipeline.NextDueMs(), kNow);
	std::vector<http::Request> again = pipeline.TakeRequests(kNow + 2000);
	ASSERT_EQ(again.size(), 1u);
	EXPECT_EQ(again[0].url, "https://api.example/token");
}

TEST_F(ContractTest, StaticTokenNeedsNoTokenRequest) {
	DestinationPipeline pipeline(MakeDestination(json::object(), json{{"access_token", "static"}}), adapter_,
	                             Settings(), 1);
	pipeline.AddChunk(1, Events(1), kNow);
	std::vector<http::Request> requests = pipeline.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(requests[0].url, "https://api.example/events");
}

TEST_F(ContractTest, RateLimitNeverLetsMoreThanTheLimitIntoAnySecondAndHoldsReading) {
	DestinationPipeline pipeline(
	    MakeDestination(json{{"max_requests_per_second", 5}}, json{{"access_token", "s"}}), adapter_,
	    Settings(), 1);
	EXPECT_EQ(pipeline.requests_per_second(), 5);
	std::vector<std::int64_t> sent;
	std::uint64_t chunk = 0;
	int reads_refused = 0;
	for (std::int64_t t = kNow; t < kNow + 5000; t += 5) {
		if (pipeline.WantsChunk(t)) {
			pipeline.AddChunk(++chunk, Events(1), t);
		} else {
			++reads_refused;
			if (std::optional<std::int64_t> at = pipeline.ChunkWantedAtMs(t)) {
				EXPECT_GT(*at, t);
			}
		}
		for (http::Request &request : pipeline.TakeRequests(t)) {
			sent.push_back(t);
			pipeline.OnResponse(Answer(request, 200), t);
		}
		pipeline.TakeSettled();
	}
	ASSERT_GE(sent.size(), 20u);
	for (std::size_t i = 0; i < sent.size(); ++i) {
		std::size_t in_window = 0;
		for (std::size_t j = i; j < sent.size() && sent[j] < sent[i] + 1000; ++j)
			++in_window;
		EXPECT_LE(in_window, 5u) << "from " << sent[i] - kNow << " ms";
	}
	EXPECT_LE(sent.size(), 26u);
	EXPECT_GT(reads_refused, 0) << "reading waits for a slot";
}

TEST_F(ContractTest, ASteadyLoadUnderARateLimitIsReadEveryOneOverTheRate) {
	DestinationPipeline pipeline(
	    MakeDestination(json{{"max_requests_per_second", 5}}, json{{"access_token", "s"}}), adapter_,
	    Settings(), 1);
	std::vector<std::int64_t> sent;
	std::uint64_t chunk = 0;
	for (std::int64_t t = kNow; t < kNow + 5000; t += 5) {
		if (pipeline.WantsChunk(t)) {
			pipeline.AddChunk(++chunk, Events(1), t);
		} else if (std::optional<std::int64_t> at = pipeline.ChunkWantedAtMs(t)) {
			EXPECT_GT(*at, t) << "a read waits until a time";
		}
		for (http::Request &request : pipeline.TakeRequests(t)) {
			sent.push_back(t);
			pipeline.OnResponse(Answer(request, 200), t);
		}
		pipeline.TakeSettled();
	}
	ASSERT_GE(sent.size(), 20u);
	for (std::size_t i = 1; i < sent.size(); ++i)
		EXPECT_GE(sent[i] - sent[i - 1], 200) << "no burst of small requests: send " << i;
}

TEST_F(ContractTest, ABurstOfRequestsIsSpreadOverSecondsAtTheLimit) {
	PipelineSettings settings = Settings();
	settings.batch_size = 1; // twelve requests at once
	settings.max_in_flight = 20;
	DestinationPipeline pipeline(
	    MakeDestination(json{{"max_requests_per_second", 5}}, json{{"access_token", "s"}}), adapter_,
	    settings, 1);
	pipeline.AddChunk(1, Events(12), kNow);
	std::vector<http::Request> first = pipeline.TakeRequests(kNow);
	EXPECT_EQ(first.size(), 5u);
	EXPECT_FALSE(pipeline.WantsChunk(kNow)) << "requests wait for slots: read nothing more";
	for (http::Request &request : first)
		pipeline.OnResponse(Answer(request, 200), kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow + 999).empty());
	ASSERT_TRUE(pipeline.NextDueMs().has_value());
	EXPECT_GE(*pipeline.NextDueMs(), kNow + 1000);
	EXPECT_EQ(pipeline.TakeRequests(kNow + 1100).size(), 5u);
}

TEST_F(ContractTest, RateLimitComesFromTheAdapterUnlessConfigured) {
	DestinationPipeline unlimited(MakeDestination(json::object(), json{{"access_token", "s"}}), adapter_,
	                              Settings(), 1);
	EXPECT_EQ(unlimited.requests_per_second(), 0);
	EXPECT_THROW(ReadCommonSettings(MakeDestination(json{{"max_requests_per_second", 0}})), Error);
	EXPECT_THROW(ReadCommonSettings(MakeDestination(json{{"max_requests_per_second", "5"}})), Error);
}

TEST_F(ContractTest, PartialSuccessFailsOnlyTheNamedEventsWithTheirOwnWordsAndNeverResends) {
	DestinationPipeline pipeline(MakeDestination(json::object(), json{{"access_token", "s"}}), adapter_,
	                             Settings(), 1);
	pipeline.AddChunk(1, Events(5), kNow);
	http::Request request = pipeline.TakeRequests(kNow).at(0);
	pipeline.OnResponse(Answer(request, 207, R"({"bad": [1, 3], "messages": ["bad email", "too old"]})"),
	                    kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty()) << "the accepted ones are not sent again";
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 2u);
	EXPECT_EQ(settled[0].failed[0].index, 1u);
	EXPECT_EQ(settled[0].failed[0].reason, "bad email");
	EXPECT_EQ(settled[0].failed[1].index, 3u);
	EXPECT_EQ(settled[0].failed[1].reason, "too old");
	EXPECT_EQ(RecordSettledBatch(settled[0]).status, "partial");
}

TEST_F(ContractTest, ElementIndexesOfFannedOutEventsMapBackToTheirEvents) {
	DestinationPipeline pipeline(MakeDestination(json{{"fanout", true}}, json{{"access_token", "s"}}),
	                             adapter_, Settings(), 1);
	pipeline.AddChunk(1, Events(3), kNow);
	http::Request request = pipeline.TakeRequests(kNow).at(0);
	EXPECT_EQ(json::parse(request.body)["ids"].size(), 6u);
	pipeline.OnResponse(Answer(request, 422, R"({"bad": [3]})"), kNow); // element 3 = event 1's 2nd
	EXPECT_EQ(adapter_.last_batch_size, 6u) << "Classify counts elements";
	std::vector<http::Request> resent = pipeline.TakeRequests(kNow);
	ASSERT_EQ(resent.size(), 1u);
	EXPECT_EQ(json::parse(resent[0].body)["ids"], json({"ev-0", "ev-0", "ev-2", "ev-2"}));
	pipeline.OnResponse(Answer(resent[0], 200), kNow);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_EQ(settled[0].failed[0].index, 1u);
	EXPECT_EQ(settled[0].failed[0].reason, "some events were refused");
}

TEST_F(ContractTest, SkippedEventsSettleAsSkippedNotFailed) {
	DestinationPipeline pipeline(MakeDestination(json::object(), json{{"access_token", "s"}}), adapter_,
	                             Settings(), 1);
	std::vector<OutboxEvent> events = Events(3);
	events[1].event_name = "SkipMe";
	pipeline.AddChunk(1, std::move(events), kNow);
	http::Request request = pipeline.TakeRequests(kNow).at(0);
	EXPECT_EQ(json::parse(request.body)["ids"], json({"ev-0", "ev-2"}));
	pipeline.OnResponse(Answer(request, 200), kNow);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled[0].failed.size(), 1u);
	EXPECT_TRUE(settled[0].failed[0].skipped);
	EXPECT_EQ(settled[0].failed[0].reason, "no mapping for SkipMe");
	EXPECT_EQ(settled[0].failed[0].attempts, 0);
	SettledBatchRecord record = RecordSettledBatch(settled[0]);
	EXPECT_EQ(record.status, "delivered");
	EXPECT_EQ(record.skipped_events, 1u);
	EXPECT_EQ(record.failed_events, 0u);

	pipeline.AddChunk(2, Events(2, "SkipAll"), kNow);
	EXPECT_TRUE(pipeline.TakeRequests(kNow).empty());
	std::vector<SettledChunk> all_skipped = pipeline.TakeSettled();
	ASSERT_EQ(all_skipped.size(), 1u);
	EXPECT_EQ(RecordSettledBatch(all_skipped[0]).status, "skipped");
}

TEST_F(ContractTest, AnOutageOpensTheCircuitProbesWithOneEventAndNothingFails) {
	PipelineSettings settings = Settings();
	settings.circuit_failures = 3;
	settings.circuit_probe_min_ms = 1000;
	settings.backoff.cap_ms = 8000;
	DestinationPipeline pipeline(MakeDestination(json::object(), json{{"access_token", "s"}}), adapter_,
	                             settings, 7);
	pipeline.AddChunk(1, Events(10), kNow);
	std::int64_t t = kNow;
	int sends_while_open = 0;
	std::vector<std::int64_t> probe_times;
	// Two hours of 503s: far longer than any fixed retry schedule.
	for (; t < kNow + 2 * 3600 * 1000; t += 250) {
		for (http::Request &request : pipeline.TakeRequests(t)) {
			if (pipeline.circuit_open()) {
				++sends_while_open;
				probe_times.push_back(t);
				EXPECT_EQ(json::parse(request.body)["ids"].size(), 1u) << "a probe carries one event";
			}
			pipeline.OnResponse(Answer(request, 503), t);
		}
	}
	EXPECT_TRUE(pipeline.circuit_open());
	EXPECT_TRUE(pipeline.Paused(t - 250) || pipeline.NextDueMs().has_value());
	EXPECT_NE(pipeline.pause_reason().find("circuit open after"), std::string::npos)
	    << pipeline.pause_reason();
	EXPECT_EQ(pipeline.pause_cause(), PauseCause::kCircuit);
	EXPECT_STREQ(PauseCauseName(pipeline.pause_cause()), "circuit") << "capi.cursors.paused_by";
	EXPECT_TRUE(pipeline.TakeSettled().empty()) << "nothing failed during the outage";
	ASSERT_GE(probe_times.size(), 5u);
	EXPECT_LE(probe_times.size(), 2u * 3600 / 8 + 10) << "probes at growing intervals, up to the cap";
	EXPECT_GE(probe_times[3] - probe_times[2], probe_times[2] - probe_times[1]) << "intervals grow";
	// The platform is back: the next probe closes the circuit and everything goes.
	int delivered_requests = 0;
	for (std::int64_t end = t + 60'000; t < end; t += 250)
		for (http::Request &request : pipeline.TakeRequests(t)) {
			pipeline.OnResponse(Answer(request, 200), t);
			++delivered_requests;
		}
	EXPECT_FALSE(pipeline.circuit_open());
	EXPECT_FALSE(pipeline.Paused(t));
	EXPECT_EQ(pipeline.pause_cause(), PauseCause::kNone);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	EXPECT_TRUE(settled[0].failed.empty()) << settled[0].failed.front().reason;
	EXPECT_GE(delivered_requests, 2) << "the probe, then the rest";
}

TEST_F(ContractTest, EventsOlderThanTheLimitStopBeingRetriedWithTheLastError) {
	PipelineSettings settings = Settings();
	settings.circuit_failures = 0;
	settings.max_event_age_ms = 60'000;
	DestinationPipeline pipeline(MakeDestination(json::object(), json{{"access_token", "s"}}), adapter_,
	                             settings, 7);
	std::vector<OutboxEvent> events = Events(2);
	for (OutboxEvent &event : events)
		event.event_time_ms = kNow;
	pipeline.AddChunk(1, std::move(events), kNow);
	std::int64_t t = kNow;
	for (; t < kNow + 120'000; t += 100)
		for (http::Request &request : pipeline.TakeRequests(t))
			pipeline.OnResponse(Answer(request, 503), t);
	std::vector<SettledChunk> settled = pipeline.TakeSettled();
	ASSERT_EQ(settled.size(), 1u);
	ASSERT_EQ(settled[0].failed.size(), 2u);
	EXPECT_NE(
	    settled[0].failed[0].reason.find("days old: no more retries (it was being retried after: try again)"),
	    std::string::npos)
	    << settled[0].failed[0].reason;
}

TEST(TokenReply, ReadsTokensErrorsAndTransientAnswers) {
	TokenReply token =
	    ReadTokenReply(200, R"({"access_token": "ya29.x", "expires_in": 3599, "token_type": "Bearer"})");
	EXPECT_EQ(token.kind, TokenReply::Kind::kToken);
	EXPECT_EQ(token.access_token, "ya29.x");
	EXPECT_EQ(token.expires_in_s, 3599);
	EXPECT_EQ(ReadTokenReply(200, R"({"access_token": "x"})").expires_in_s, 3600);
	EXPECT_EQ(ReadTokenReply(200, "not json").kind, TokenReply::Kind::kRetry);
	EXPECT_EQ(ReadTokenReply(400, R"({"error": "invalid_grant"})").kind, TokenReply::Kind::kRejected);
	EXPECT_EQ(ReadTokenReply(401, R"({"error": "invalid_client"})").kind, TokenReply::Kind::kRejected);
	EXPECT_EQ(ReadTokenReply(503, "").kind, TokenReply::Kind::kRetry);
	EXPECT_EQ(ReadTokenReply(429, R"({"error": "rate_limited"})").kind, TokenReply::Kind::kRetry);
	HttpRequest request =
	    RefreshTokenRequest("https://oauth2.googleapis.com/token", {"id", "s&cret", "1//r+t"});
	EXPECT_EQ(request.body,
	          "grant_type=refresh_token&refresh_token=1%2F%2Fr%2Bt&client_id=id&client_secret=s%26cret");
	EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), "1//r+t"), request.secrets.end());
}

} // namespace
} // namespace capi::dispatch
