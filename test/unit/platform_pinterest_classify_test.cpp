// Pinterest's replies (https://developers.pinterest.com/docs/api/v5/events-create) to outcomes.
#include "core/platforms/pinterest/pinterest_adapter.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

constexpr const char *kToken = "pina_secret-token";

Destination PinterestDestination(std::string endpoint = "") {
	Destination destination;
	destination.name = "pin";
	destination.platform = identity::Platform::kPinterest;
	destination.config_json = R"({"ad_account_id": "1"})";
	destination.credentials_json = std::string(R"({"access_token": ")") + kToken + "\"}";
	destination.endpoint_override = std::move(endpoint);
	return destination;
}

BatchOutcome Classify(long status, std::string_view body, std::size_t batch_size = 3,
                      std::optional<std::int64_t> retry_after_ms = std::nullopt, std::string endpoint = "") {
	ResponseHeaders headers;
	headers.retry_after_ms = retry_after_ms;
	return PinterestAdapter().Classify(PinterestDestination(endpoint), batch_size, status, body, headers);
}

TEST(PinterestClassify, AllProcessedIsDelivered) {
	BatchOutcome outcome = Classify(200, R"({"num_events_received":2,"num_events_processed":2,"events":[
	    {"status":"processed","error_message":"","warning_message":""},
	    {"status":"processed","error_message":null,"warning_message":"em is not hashed correctly"}]})",
	                                2);
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_TRUE(outcome.bad_indexes.empty());
	EXPECT_EQ(outcome.message, "data[1]: em is not hashed correctly");
}

TEST(PinterestClassify, FailedEventsArePartial) {
	BatchOutcome outcome = Classify(200, R"({"num_events_received":3,"num_events_processed":1,"events":[
	    {"status":"failed","error_message":"event_time is too far in the past"},
	    {"status":"processed"},
	    {"status":"failed","error_message":"Invalid token pina_secret-token"}]})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial);
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>({0, 2}));
	EXPECT_EQ(outcome.bad_messages, std::vector<std::string>({"Pinterest: event_time is too far in the past",
	                                                          "Pinterest: Invalid token [REDACTED]"}));
	EXPECT_EQ(outcome.message, "2 of 3 events failed at Pinterest");
}

TEST(PinterestClassify, MissingStatusesAreRetried) {
	EXPECT_EQ(Classify(200, R"({"num_events_received":3,"num_events_processed":3})").kind,
	          OutcomeKind::kRetry);
	EXPECT_EQ(Classify(200, R"({"events":[{"status":"processed"}]})").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(200, "OK").kind, OutcomeKind::kRetry);
	BatchOutcome odd = Classify(200, R"({"events":[{"status":"processed"},{"status":"queued"},{}]})");
	EXPECT_EQ(odd.kind, OutcomeKind::kPartial);
	EXPECT_EQ(odd.bad_indexes, std::vector<std::size_t>({1, 2}));
}

TEST(PinterestClassify, AuthPermanentAndRetry) {
	BatchOutcome auth = Classify(401, R"({"code":2,"message":"Authentication failed."})");
	EXPECT_EQ(auth.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(auth.message, "HTTP 401: (code 2) Authentication failed.");
	EXPECT_EQ(Classify(403, R"({"code":29,"message":"You are not permitted to access that resource."})").kind,
	          OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(404, R"({"code":2609,"message":"Ad account not found."})").kind,
	          OutcomeKind::kPermanent);
	BatchOutcome limited = Classify(
	    429, R"({"code":8,"message":"You have exceeded your rate limit. Try again later."})", 3, 7000);
	EXPECT_EQ(limited.kind, OutcomeKind::kRetry);
	EXPECT_EQ(limited.retry_after_ms, 7000);
	BatchOutcome ramped = Classify(503, R"({"code":0,"message":"The endpoint has been ramped down and is )"
	                                    R"(currently not accepting any traffic."})");
	EXPECT_EQ(ramped.kind, OutcomeKind::kRetry);
	EXPECT_EQ(ramped.retry_after_ms, std::nullopt);
	EXPECT_EQ(Classify(500, "").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(0, "").kind, OutcomeKind::kRetry);
}

TEST(PinterestClassify, BadRequests) {
	BatchOutcome whole = Classify(400, R"({"code":1,"message":"Invalid request body"})");
	EXPECT_EQ(whole.kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(whole.message, "HTTP 400: (code 1) Invalid request body");
	BatchOutcome named =
	    Classify(400, R"({"code":1,"message":"data[2].event_time: must be an integer; data.0.x"})");
	EXPECT_EQ(named.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(named.bad_indexes, std::vector<std::size_t>({0, 2}));
	// Out of range, or another word: no index.
	EXPECT_EQ(Classify(400, R"({"code":1,"message":"data[9] and user_data.3"})").kind,
	          OutcomeKind::kRejectedBatch);
	EXPECT_EQ(Classify(413, "too large").kind, OutcomeKind::kRejectedBatch);
}

TEST(PinterestClassify, OtherHostsAreNotQuoted) {
	BatchOutcome outcome = Classify(400, "secret internal page", 3, std::nullopt, "http://127.0.0.1:9");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(outcome.message.find("secret internal page"), std::string::npos) << outcome.message;
	outcome = Classify(400, R"({"message":"no code"})", 3, std::nullopt, "http://127.0.0.1:9");
	EXPECT_EQ(outcome.message.find("no code"), std::string::npos) << outcome.message;
	outcome = Classify(400, R"({"code":1,"message":"shaped"})", 3, std::nullopt, "http://127.0.0.1:9");
	EXPECT_EQ(outcome.message, "HTTP 400: (code 1) shaped");
}

} // namespace
} // namespace capi::dispatch

namespace capi::dispatch {
namespace {

// A reply for many events, as long as the HTTP client may cut it (64 KiB kept).
std::string LongReply(std::size_t events, std::size_t processed, std::size_t failed_at) {
	std::string body = R"({"num_events_received":)" + std::to_string(events) + R"(,"num_events_processed":)" +
	                   std::to_string(processed) + R"(,"events":[)";
	for (std::size_t i = 0; i < events; ++i) {
		body += i > 0 ? "," : "";
		body += i == failed_at
		            ? R"({"status":"failed","error_message":"em \"x\" is not hashed","warning_message":null})"
		            : R"({"status":"processed","error_message":null,"warning_message":null})";
	}
	return body + "]}";
}

TEST(PinterestClassify, ACutReplyIsReadAsFarAsItGoes) {
	std::string whole = LongReply(1000, 1000, 9999);
	ASSERT_GT(whole.size(), 65536u);
	BatchOutcome outcome = Classify(200, std::string_view(whole).substr(0, 65536), 1000);
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered) << outcome.message;

	std::string one_failed = LongReply(1000, 999, 5);
	outcome = Classify(200, std::string_view(one_failed).substr(0, 65536), 1000);
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial);
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>({5}));
	EXPECT_EQ(outcome.bad_messages, std::vector<std::string>({"Pinterest: em \"x\" is not hashed"}));

	// The failed event is in the part cut off: nothing is known, so the batch is retried.
	std::string late_failure = LongReply(1000, 999, 995);
	EXPECT_EQ(Classify(200, std::string_view(late_failure).substr(0, 65536), 1000).kind, OutcomeKind::kRetry);
	// Cut inside the counts.
	EXPECT_EQ(Classify(200, std::string_view(whole).substr(0, 40), 1000).kind, OutcomeKind::kRetry);
}

} // namespace
} // namespace capi::dispatch
