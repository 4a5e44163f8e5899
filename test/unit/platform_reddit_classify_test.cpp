// Reddit's replies to outcomes.
#include "core/platforms/reddit/reddit_adapter.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

Destination RedditDestination(std::string endpoint = "") {
	Destination destination;
	destination.name = "rdt";
	destination.platform = identity::Platform::kReddit;
	destination.config_json = R"({"pixel_id": "a2_x"})";
	destination.credentials_json = R"({"access_token": "rdt-secret-token"})";
	destination.endpoint_override = std::move(endpoint);
	return destination;
}

BatchOutcome Classify(long status, std::string_view body, std::size_t batch_size = 4,
                      std::optional<std::int64_t> retry_after_ms = std::nullopt, std::string endpoint = "") {
	ResponseHeaders headers;
	headers.retry_after_ms = retry_after_ms;
	return RedditAdapter().Classify(RedditDestination(endpoint), batch_size, status, body, headers);
}

TEST(RedditClassify, Success) {
	EXPECT_EQ(Classify(200, R"({"message":"Successfully processed 4 conversion events."})").kind,
	          OutcomeKind::kDelivered);
	EXPECT_EQ(Classify(200, "").kind, OutcomeKind::kDelivered);
	EXPECT_EQ(Classify(204, "").kind, OutcomeKind::kDelivered);
}

TEST(RedditClassify, AnInvalidEventRejectsTheBatch) {
	BatchOutcome outcome = Classify(
	    400, R"({"message":"There were 1 invalid conversion events. None were processed.",)"
	         R"("invalid_events":[{"error_message":"event_at timestamp must be less than 168h0m0s old"}]})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(outcome.message, "HTTP 400: There were 1 invalid conversion events. None were processed. | "
	                           "event_at timestamp must be less than 168h0m0s old");
	BatchOutcome named =
	    Classify(400, R"({"message":"invalid","invalid_events":[{"error_message":"events[2].type: unknown"},)"
	                  R"({"error_message":"bad","index":0},{"error_message":"events[9]: out of range"}]})");
	EXPECT_EQ(named.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(named.bad_indexes, std::vector<std::size_t>({0, 2}));
	EXPECT_EQ(Classify(422, R"({"error":{"reason":"INVALID","explanation":"bad"}})").kind,
	          OutcomeKind::kRejectedBatch);
}

TEST(RedditClassify, AuthPermanentRetry) {
	BatchOutcome auth =
	    Classify(401, R"({"error":{"reason":"UNAUTHORIZED","explanation":"Authorization Required"}})");
	EXPECT_EQ(auth.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(auth.message, "HTTP 401: UNAUTHORIZED | Authorization Required");
	EXPECT_EQ(Classify(403, R"({"error":"forbidden"})").kind, OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(404, "").kind, OutcomeKind::kPermanent);
	BatchOutcome limited = Classify(429, R"({"message":"Too Many Requests"})", 4, 3000);
	EXPECT_EQ(limited.kind, OutcomeKind::kRetry);
	EXPECT_EQ(limited.retry_after_ms, 3000);
	EXPECT_EQ(Classify(502, "<html>bad gateway</html>").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(0, "").kind, OutcomeKind::kRetry);
}

TEST(RedditClassify, SecretsAndOtherHosts) {
	EXPECT_EQ(Classify(401, R"({"message":"token rdt-secret-token is invalid"})").message,
	          "HTTP 401: token [REDACTED] is invalid");
	BatchOutcome outcome = Classify(400, "internal page text", 4, std::nullopt, "http://127.0.0.1:9");
	EXPECT_EQ(outcome.message.find("internal page text"), std::string::npos) << outcome.message;
	EXPECT_EQ(Classify(400, "internal page text").message, "HTTP 400: internal page text");
}

} // namespace
} // namespace capi::dispatch
