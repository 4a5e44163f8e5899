// DryRun (capi.dry_run's core): one send per request in the platform's test mode, a verdict per event.
// Driven with the real Meta adapter and hand-made Graph answers (no network): accepted events, an
// event Meta names in a rejected batch (the others are sent again and accepted), events refused
// before sending, events skipped by design or for want of an event_id, a transient failure that is
// not retried, and a reply that refuses the destination itself. An OAuth destination (scripted
// adapter) whose token request fails is not retried either.
#include "core/dispatch/dry_run.hpp"

#include "core/dispatch/oauth.hpp"
#include "core/dispatch/test_mode.hpp"
#include "core/error.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/platforms/meta/meta_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'780'000'000'000;
constexpr char kToken[] = "EAAB-dry-run-secret-token-0c4f";

Destination MetaInTestMode() {
	Destination destination;
	destination.name = "meta_dry";
	destination.platform = identity::Platform::kMeta;
	destination.config_json = R"({"pixel_id": "1234567890"})";
	destination.credentials_json = json{{"access_token", kToken}}.dump();
	static const MetaAdapter adapter;
	return InTestMode(destination, adapter, std::string("TEST42"));
}

std::vector<OutboxEvent> Events(int count) {
	static const std::string bag = outbox::BuildIdentityBag(
	    R"({"email": "jane@example.com", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"})",
	    "US");
	std::vector<OutboxEvent> events(static_cast<std::size_t>(count));
	for (int i = 0; i < count; ++i) {
		OutboxEvent &event = events[static_cast<std::size_t>(i)];
		event.outbox_id = 100 + i;
		event.event_id = "ev-" + std::to_string(i);
		event.event_name = "Purchase";
		event.event_time_ms = kNow - 60 * 1000;
		event.action_source = "website";
		event.event_source_url = "https://shop.example/thanks";
		event.user_data_json = bag;
		event.custom_data_json = R"({"value": 12.5, "currency": "EUR"})";
	}
	return events;
}

http::Response Reply(const http::Request &request, long status, std::string body) {
	http::Response response;
	response.id = request.id;
	response.status = status;
	response.body = std::move(body);
	return response;
}

http::Response Accepted(const http::Request &request) {
	std::size_t events = json::parse(request.body)["data"].size();
	return Reply(request, 200, json{{"events_received", events}, {"messages", json::array()}}.dump());
}

std::string GraphError(int code, const std::string &message, json extra = json::object()) {
	json error = {{"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "T"}};
	error.update(extra);
	return json{{"error", error}}.dump();
}

std::vector<std::string> Verdicts(const DryRun &dry_run) {
	std::vector<std::string> verdicts;
	for (const DryRunResult &result : dry_run.Results())
		verdicts.push_back(DryRunVerdictName(result.verdict));
	return verdicts;
}

PipelineSettings Settings() {
	PipelineSettings settings;
	settings.backoff.max_attempts = 0; // the worker's default: the dry run sends once all the same
	return settings;
}

class DryRunTest : public ::testing::Test {
protected:
	MetaAdapter adapter_;
};

TEST_F(DryRunTest, EveryEventAcceptedInOneTestRequest) {
	DryRun dry_run(MetaInTestMode(), adapter_, Settings(), Events(3), kNow, 1);
	std::vector<http::Request> requests = dry_run.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	json body = json::parse(requests[0].body);
	EXPECT_EQ(body["test_event_code"], "TEST42");
	EXPECT_EQ(body["data"].size(), 3u);
	EXPECT_FALSE(dry_run.Done());
	dry_run.OnResponse(Accepted(requests[0]), kNow);
	ASSERT_TRUE(dry_run.Done());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"accepted", "accepted", "accepted"}));
	EXPECT_EQ(dry_run.Results()[2].index, 2u);
	EXPECT_TRUE(dry_run.Results()[0].message.empty());
	EXPECT_TRUE(dry_run.TakeRequests(kNow).empty());
}

TEST_F(DryRunTest, AnEventMetaNamesIsRejectedAndTheOthersAreSentAgain) {
	DryRun dry_run(MetaInTestMode(), adapter_, Settings(), Events(3), kNow, 1);
	http::Request first = dry_run.TakeRequests(kNow).at(0);
	dry_run.OnResponse(Reply(first, 400,
	                         GraphError(100, "Invalid parameter",
	                                    {{"error_user_msg", "Event data[1]: event_id 'ev-1' is refused."}})),
	                   kNow);
	ASSERT_FALSE(dry_run.Done());
	std::vector<http::Request> again = dry_run.TakeRequests(kNow);
	ASSERT_EQ(again.size(), 1u);
	EXPECT_EQ(json::parse(again[0].body)["data"].size(), 2u);
	dry_run.OnResponse(Accepted(again[0]), kNow);
	ASSERT_TRUE(dry_run.Done());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"accepted", "rejected", "accepted"}));
	EXPECT_NE(dry_run.Results()[1].message.find("event_id 'ev-1' is refused"), std::string::npos)
	    << dry_run.Results()[1].message;
}

TEST_F(DryRunTest, RefusedBeforeSendingSkippedAndWithoutEventIdAreNotSent) {
	std::vector<OutboxEvent> events = Events(4);
	events[0].event_time_ms = kNow - 9LL * 24 * 3600 * 1000; // older than Meta takes
	events[1].consent_json = R"({"ad_user_data": "denied"})";
	events[2].event_id.clear(); // Meta keeps test events: the real delivery could not be deduplicated
	DryRun dry_run(MetaInTestMode(), adapter_, Settings(), std::move(events), kNow, 1);
	std::vector<http::Request> requests = dry_run.TakeRequests(kNow);
	ASSERT_EQ(requests.size(), 1u);
	EXPECT_EQ(json::parse(requests[0].body)["data"].size(), 1u) << "only ev-3 is sent";
	dry_run.OnResponse(Accepted(requests[0]), kNow);
	ASSERT_TRUE(dry_run.Done());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"invalid", "skipped", "skipped", "accepted"}));
	EXPECT_NE(dry_run.Results()[0].message.find("days old"), std::string::npos);
	EXPECT_NE(dry_run.Results()[1].message.find("consent"), std::string::npos);
	EXPECT_NE(dry_run.Results()[2].message.find("without an event_id"), std::string::npos);
}

TEST_F(DryRunTest, NothingToSendIsDoneAtOnce) {
	std::vector<OutboxEvent> events = Events(1);
	events[0].event_id.clear();
	DryRun dry_run(MetaInTestMode(), adapter_, Settings(), std::move(events), kNow, 1);
	EXPECT_TRUE(dry_run.Done());
	EXPECT_TRUE(dry_run.TakeRequests(kNow).empty());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"skipped"}));
	DryRun empty(MetaInTestMode(), adapter_, Settings(), {}, kNow, 1);
	EXPECT_TRUE(empty.Done());
	EXPECT_TRUE(empty.Results().empty());
}

TEST_F(DryRunTest, ATransientFailureIsTheAnswerNotARetry) {
	DryRun dry_run(MetaInTestMode(), adapter_, Settings(), Events(2), kNow, 1);
	http::Request request = dry_run.TakeRequests(kNow).at(0);
	dry_run.OnResponse(
	    Reply(request, 503, GraphError(2, "Service temporarily unavailable", {{"is_transient", true}})),
	    kNow);
	ASSERT_TRUE(dry_run.Done());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"error", "error"}));
	EXPECT_NE(dry_run.Results()[0].message.find("Service temporarily unavailable"), std::string::npos)
	    << dry_run.Results()[0].message;
	EXPECT_FALSE(dry_run.NextDueMs().has_value());
}

TEST_F(DryRunTest, ARefusedTokenEndsTheRunWithItsWordsAndNeverTheToken) {
	DryRun dry_run(MetaInTestMode(), adapter_, Settings(), Events(2), kNow, 1);
	http::Request request = dry_run.TakeRequests(kNow).at(0);
	dry_run.OnResponse(Reply(request, 401, GraphError(190, std::string("Malformed access token ") + kToken)),
	                   kNow);
	ASSERT_TRUE(dry_run.Done());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"error", "error"}));
	for (const DryRunResult &result : dry_run.Results()) {
		EXPECT_NE(result.message.find("Malformed access token [REDACTED]"), std::string::npos)
		    << result.message;
		EXPECT_EQ(result.message.find(kToken), std::string::npos);
	}
	EXPECT_TRUE(dry_run.TakeRequests(kNow + 3600 * 1000).empty()) << "no resend after the pause";
}

// An OAuth platform whose token endpoint fails transiently: the dry run ends instead of backing off.
class TokenAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kGoogle; }
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kFlag, "validate_only", false, "a validate mode"};
	}
	std::size_t MaxBatchSize() const noexcept override { return 10; }
	std::vector<std::string_view> OwnHosts() const override { return {"api.example"}; }
	void Validate(const Destination &) const override {}
	std::optional<std::string> Preflight(const Destination &, const OutboxEvent &,
	                                     std::int64_t) const override {
		return std::nullopt;
	}
	std::string GroupingKey(const Destination &, const OutboxEvent &) const override { return ""; }
	std::optional<HttpRequest> TokenRequest(const Destination &, std::string_view) const override {
		return RefreshTokenRequest("https://api.example/token", RefreshGrant{"client", "secret", "refresh"});
	}
	std::unique_ptr<RequestBuilder> StartRequest(const Destination &, const RequestContext &) const override {
		throw Error(sqlstate::kInternalError, "no data request is expected");
	}
	BatchOutcome Classify(const Destination &, std::size_t, long, std::string_view,
	                      const ResponseHeaders &) const override {
		return {};
	}
};

TEST(DryRunToken, ATransientTokenFailureEndsTheRun) {
	TokenAdapter adapter;
	Destination destination;
	destination.name = "oauth_dry";
	destination.platform = identity::Platform::kGoogle;
	DryRun dry_run(destination, adapter, PipelineSettings(), Events(2), kNow, 1);
	std::vector<http::Request> token = dry_run.TakeRequests(kNow);
	ASSERT_EQ(token.size(), 1u);
	EXPECT_EQ(token[0].url, "https://api.example/token");
	dry_run.OnResponse(Reply(token[0], 503, R"({"error": "temporarily_unavailable"})"), kNow);
	ASSERT_TRUE(dry_run.Done());
	EXPECT_EQ(Verdicts(dry_run), (std::vector<std::string>{"error", "error"}));
	EXPECT_NE(dry_run.Results()[0].message.find("temporarily_unavailable"), std::string::npos)
	    << dry_run.Results()[0].message;
	EXPECT_EQ(dry_run.Results()[0].message.find("secret"), std::string::npos);
}

} // namespace
} // namespace capi::dispatch
