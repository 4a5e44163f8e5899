// TikTok's answers (HTTP 200 with a body code) to outcomes.
#include "core/platforms/tiktok/tiktok_adapter.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

Destination TikTokDestination() {
	Destination destination;
	destination.name = "shop_tiktok";
	destination.platform = identity::Platform::kTikTok;
	destination.config_json = R"({"pixel_code": "C4ABCDEF12345"})";
	destination.credentials_json = R"({"access_token": "tt-token-123"})";
	return destination;
}

BatchOutcome Classify(long status, std::string_view body, std::size_t batch = 10,
                      std::optional<std::int64_t> retry_after = std::nullopt) {
	ResponseHeaders headers;
	headers.retry_after_ms = retry_after;
	return TikTokAdapter().Classify(TikTokDestination(), batch, status, body, headers);
}

// Found by fuzz/classify_tiktok_fuzz: a 5xx, 429 or 401 whose body names a bad event kept the
// event's index, though a retry or an auth failure names no events (adapter.hpp: bad_indexes only for
// kRejectedEvents and kPartial).
TEST(TikTokClassify, RetryAndAuthFailureNameNoEvents) {
	const char *body =
	    R"({"code":40002,"message":"Batch.3.properties.contents.0.content_id: Not a valid string","request_id":"r1"})";
	for (long status : {500L, 503L, 429L, 401L}) {
		const BatchOutcome outcome = Classify(status, body, 5);
		EXPECT_EQ(outcome.kind, status == 401 ? OutcomeKind::kAuthFailed : OutcomeKind::kRetry) << status;
		EXPECT_TRUE(outcome.bad_indexes.empty()) << status;
		EXPECT_TRUE(outcome.bad_messages.empty()) << status;
	}
	EXPECT_EQ(Classify(400, body, 5).bad_indexes, std::vector<std::size_t>{3});
}

TEST(TikTokClassify, CodeZeroIsDelivered) {
	BatchOutcome outcome =
	    Classify(200, R"({"code":0,"message":"OK","request_id":"2023112806502371","data":{}})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_EQ(outcome.trace_id, "2023112806502371");
	EXPECT_EQ(outcome.message, "");
}

TEST(TikTokClassify, Http200WithAnErrorCodeIsNotSuccess) {
	BatchOutcome outcome = Classify(
	    200,
	    R"({"code":40002,"message":"Batch.3.properties.contents.0.content_id: Not a valid string","request_id":"r1","data":{}})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>{3});
	EXPECT_EQ(outcome.message,
	          "TikTok code 40002: Batch.3.properties.contents.0.content_id: Not a valid string");

	outcome = Classify(200, R"({"code":40002,"message":"Batch.12.event: required","request_id":"r1"})", 10);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch); // index outside the batch: not trusted

	outcome = Classify(200, R"({"code":40002,"message":"Invalid parameter value","request_id":"r1"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);

	outcome =
	    Classify(200, R"({"code":40002,"message":"event_source_id: pixel not found","request_id":"r1"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
}

TEST(TikTokClassify, TooManyRequestsIsRetried) {
	BatchOutcome outcome = Classify(
	    200, R"({"code":40100,"message":"Too many requests. Please retry in some time.","request_id":"r"})",
	    10, 3000);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
	EXPECT_EQ(outcome.retry_after_ms, 3000);
	EXPECT_EQ(Classify(429, "", 10, 2000).kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(503, "<html>down</html>").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(200, R"({"code":50000,"message":"System error"})").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(0, "").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(200, "not json").kind, OutcomeKind::kRetry);
}

TEST(TikTokClassify, TokenAndPermission) {
	BatchOutcome outcome = Classify(
	    200, R"({"code":40105,"message":"Access token is incorrect or has been revoked.","request_id":"r"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(200, R"({"code":40104,"message":"Access token is null"})").kind,
	          OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(200, R"({"code":40102,"message":"Access token has expired"})").kind,
	          OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(200, R"({"code":40001,"message":"No permission to operate pixel C4"})").kind,
	          OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(401, "").kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(404, "").kind, OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(400, "").kind, OutcomeKind::kRejectedBatch);
}

TEST(TikTokClassify, UnknownCodesAndPartialSuccess) {
	BatchOutcome outcome = Classify(200, R"({"code":20001,"message":"Partial success","request_id":"r"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_EQ(outcome.message, "TikTok code 20001: Partial success");
	EXPECT_EQ(Classify(200, R"({"code":41000,"message":"Something else"})").kind,
	          OutcomeKind::kRejectedBatch);
}

TEST(TikTokClassify, MessagesNeverCarryTheToken) {
	BatchOutcome outcome = Classify(
	    200, R"({"code":40105,"message":"Access token tt-token-123 is incorrect","request_id":"r"})");
	EXPECT_EQ(outcome.message.find("tt-token-123"), std::string::npos);
	EXPECT_NE(outcome.message.find("[REDACTED]"), std::string::npos);
}

} // namespace
} // namespace capi::dispatch
