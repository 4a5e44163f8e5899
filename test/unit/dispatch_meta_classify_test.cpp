#include "core/platforms/meta/meta_adapter.hpp"

#include <gtest/gtest.h>

#include "core/dispatch/message_text.hpp"

namespace capi::dispatch {
namespace {

constexpr const char *kToken = "EAAtoken-123";

Destination MetaDestination() {
	Destination destination;
	destination.name = "shop_meta";
	destination.config_json = R"({"pixel_id": "1"})";
	destination.credentials_json = R"({"access_token": "EAAtoken-123", "app_secret": "app-secret-42"})";
	return destination;
}

BatchOutcome Classify(long status, std::string_view body, size_t batch_size = 10,
                      std::optional<std::int64_t> retry_after_ms = std::nullopt) {
	ResponseHeaders headers;
	headers.retry_after_ms = retry_after_ms;
	return MetaAdapter().Classify(MetaDestination(), batch_size, status, body, headers);
}

std::string GraphError(int code, int subcode = 0, std::string extra = "",
                       std::string message = "Some message") {
	std::string body =
	    R"({"error":{"message":")" + message + R"(","type":"OAuthException","code":)" + std::to_string(code);
	if (subcode != 0) {
		body += R"(,"error_subcode":)" + std::to_string(subcode);
	}
	return body + extra + R"(,"fbtrace_id":"AbC123"}})";
}

TEST(MetaClassify, Delivered) {
	BatchOutcome outcome = Classify(200, R"({"events_received":10,"messages":[],"fbtrace_id":"Tr4ce"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_EQ(outcome.trace_id, "Tr4ce");
	EXPECT_EQ(outcome.message, "");
	EXPECT_TRUE(outcome.bad_indexes.empty());
	outcome = Classify(200, R"({"events_received":1,"messages":["note"]})", 1);
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_EQ(outcome.message, "note");
}

TEST(MetaClassify, EventsReceivedMismatchIsRetried) {
	BatchOutcome outcome = Classify(200, R"({"events_received":9,"fbtrace_id":"Tr4ce"})", 10, 5000);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
	EXPECT_EQ(outcome.message, "Meta received 9 of 10 events");
	EXPECT_EQ(outcome.trace_id, "Tr4ce");
	EXPECT_EQ(outcome.retry_after_ms, 5000);
	EXPECT_EQ(Classify(200, R"({"fbtrace_id":"x"})").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(200, "OK").kind, OutcomeKind::kRetry);
}

TEST(MetaClassify, TransientCodesAreRetried) {
	for (int code : {1, 2, 4, 17, 32, 341, 368, 613, 5000, 21009, 80003}) {
		BatchOutcome outcome = Classify(400, GraphError(code));
		EXPECT_EQ(outcome.kind, OutcomeKind::kRetry) << code;
		EXPECT_EQ(outcome.trace_id, "AbC123");
		EXPECT_EQ(outcome.retry_after_ms, std::nullopt);
	}
	BatchOutcome outcome = Classify(500, GraphError(1, 0, "", "An unknown error occurred"));
	EXPECT_EQ(outcome.message, "HTTP 500: (#1) An unknown error occurred");
}

TEST(MetaClassify, IsTransientFlagIsRetried) {
	EXPECT_EQ(Classify(400, GraphError(100, 0, R"(,"is_transient":true)")).kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(400, GraphError(12345, 0, R"(,"is_transient":true)")).kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(400, GraphError(12345, 0, R"(,"is_transient":false)")).kind,
	          OutcomeKind::kRejectedBatch);
}

TEST(MetaClassify, RateLimitWithRetryAfter) {
	BatchOutcome outcome = Classify(429, "Too Many Requests", 10, 30000);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
	EXPECT_EQ(outcome.retry_after_ms, 30000);
	EXPECT_EQ(outcome.message, "HTTP 429: Too Many Requests");
	outcome = Classify(429, GraphError(4), 10, 2000);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
	EXPECT_EQ(outcome.retry_after_ms, 2000);
}

TEST(MetaClassify, ServerErrorsAreRetried) {
	for (long status : {500L, 502L, 503L, 504L}) {
		EXPECT_EQ(Classify(status, "<html>Bad gateway</html>").kind, OutcomeKind::kRetry) << status;
		EXPECT_EQ(Classify(status, GraphError(99999)).kind, OutcomeKind::kRetry) << status;
	}
	EXPECT_EQ(Classify(408, "").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(0, "").kind, OutcomeKind::kRetry);
}

TEST(MetaClassify, InvalidTokenPausesTheDestination) {
	BatchOutcome outcome =
	    Classify(401, GraphError(190, 463, "", "Error validating access token: Session has expired"));
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(outcome.message, "HTTP 401: (#190/463) Error validating access token: Session has expired");
	EXPECT_EQ(Classify(400, GraphError(190)).kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(400, GraphError(104)).kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(401, "Unauthorized").kind, OutcomeKind::kAuthFailed);
}

TEST(MetaClassify, RejectedRequestParameterPausesInsteadOfSplitting) {
	// A bad test_event_code or partner_agent is the destination's: every split half would fail too.
	BatchOutcome outcome =
	    Classify(400, GraphError(100, 0, R"(,"error_user_msg":"The test_event_code TEST999 is not valid")",
	                             "Invalid parameter"));
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_EQ(outcome.message,
	          "HTTP 400: (#100) Invalid parameter | The test_event_code TEST999 is not valid");
	EXPECT_EQ(Classify(400, GraphError(100, 0, "", "Invalid parameter partner_agent")).kind,
	          OutcomeKind::kPermanent);
	// An event named alongside wins: that event is the culprit.
	EXPECT_EQ(Classify(400, GraphError(100, 0, "", "data[1]: test_event_code mismatch"), 5).kind,
	          OutcomeKind::kRejectedEvents);
	// Without such a parameter: still a whole-batch rejection to split.
	EXPECT_EQ(Classify(400, GraphError(100, 0, "", "Invalid parameter")).kind, OutcomeKind::kRejectedBatch);
}

TEST(MetaClassify, TooOldEventWithoutIndexRejectsTheBatch) {
	// As capi_test_server words it without the event position.
	BatchOutcome outcome = Classify(
	    400,
	    GraphError(
	        100, 2804003,
	        R"(,"is_transient":false,"error_user_title":"Event Timestamp Too Old","error_user_msg":"The timestamp for this event is too far in the past.")",
	        "Invalid parameter"));
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	EXPECT_TRUE(outcome.bad_indexes.empty());
	EXPECT_EQ(outcome.message,
	          "HTTP 400: (#100/2804003) Invalid parameter | Event Timestamp Too Old | The timestamp "
	          "for this event is too far in the past.");
}

TEST(MetaClassify, NamedEventIndexesAreReported) {
	// capi_test_server's wording: "Event data[N]: <detail>." in error_user_msg.
	BatchOutcome outcome = Classify(
	    400,
	    GraphError(
	        100, 2804003,
	        R"(,"error_user_msg":"The timestamp for this event is too far in the past. Event data[3]: event_time 1 is 20000 days old.")"),
	    10);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>({3}));

	outcome =
	    Classify(400, GraphError(100, 0, "", "Invalid parameter: event at index 7 and data[2] are invalid"));
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<size_t>({2, 7}));

	// Other words ending in "data[" or "index" are not event positions.
	outcome = Classify(
	    400, GraphError(100, 0, R"(,"error_user_msg":"custom_data[2] and user_data[1] reindex 4")"), 10);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);

	// An index outside the batch is no evidence.
	outcome = Classify(400, GraphError(100, 0, R"(,"error_user_msg":"Event data[12]: bad")"), 10);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	EXPECT_TRUE(outcome.bad_indexes.empty());
}

TEST(MetaClassify, DestinationErrorsArePermanent) {
	for (int code : {10, 200, 294, 33, 3}) {
		EXPECT_EQ(Classify(403, GraphError(code)).kind, OutcomeKind::kPermanent) << code;
	}
	// Unknown pixel: "Unsupported post request. Object with ID '1' does not exist ..."
	BatchOutcome outcome =
	    Classify(400, GraphError(100, 33, "", "Unsupported post request. Object with ID '1' does not exist"));
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(404, "Not Found").kind, OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(403, "Forbidden").kind, OutcomeKind::kPermanent);
}

TEST(MetaClassify, UnknownClientErrorsRejectTheBatch) {
	EXPECT_EQ(Classify(400, GraphError(100)).kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(Classify(400, GraphError(2655)).kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(Classify(413, "Payload Too Large").kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(Classify(400, "not json at all").kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(Classify(400, R"({"error": "a string, not an object"})").kind, OutcomeKind::kRejectedBatch);
}

TEST(MetaClassify, GarbageBodies) {
	EXPECT_EQ(Classify(502, std::string(5000, '\xff')).kind, OutcomeKind::kRetry);
	BatchOutcome outcome = Classify(400, std::string("bad\0byte\xC3", 9));
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(outcome.message, "HTTP 400: bad\xEF\xBF\xBD"
	                           "byte\xEF\xBF\xBD");
}

TEST(MetaClassify, MessagesAreRedactedAndBounded) {
	BatchOutcome outcome = Classify(
	    400, GraphError(100, 0, "", std::string("token EAAtoken-123 is odd; ") + std::string(3000, 'x')));
	EXPECT_EQ(outcome.message.find(kToken), std::string::npos);
	EXPECT_NE(outcome.message.find("token [REDACTED] is odd"), std::string::npos);
	EXPECT_LE(outcome.message.size(), kMaxOutcomeMessageBytes);
	EXPECT_EQ(outcome.message.substr(outcome.message.size() - 3), "...");
	// The appsecret_proof derived from the app secret is scrubbed as well.
	outcome = Classify(
	    400,
	    GraphError(100, 0, "", "proof 012d8cb0a810c5b078576c8a07e6e1a98256af561585c5e26935963c03483a68 bad"));
	EXPECT_EQ(outcome.message, "HTTP 400: (#100) proof [REDACTED] bad");
}

TEST(OutcomeMessage, RedactsLongestFirstAndCutsOnCharacterBoundaries) {
	EXPECT_EQ(OutcomeMessage("abc abcdef", {"abc", "abcdef"}), "[REDACTED] [REDACTED]");
	EXPECT_EQ(OutcomeMessage("x", {""}), "x");
	EXPECT_EQ(OutcomeMessage("aéééé", {}, 5), "a..."); // cutting at byte 2 would split "é"
	EXPECT_EQ(OutcomeMessage("aéééé", {}, 6), "aé...");
	EXPECT_EQ(OutcomeMessage("abcdef", {}, 6), "abcdef");
	EXPECT_EQ(OutcomeMessage("abcdefg", {}, 6), "abc...");
}

} // namespace
} // namespace capi::dispatch
