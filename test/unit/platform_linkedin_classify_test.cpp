// LinkedIn's answers (bodies as LinkedIn sends them) to outcomes, every branch.
#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

Destination LinkedIn(std::string version_config = "") {
	Destination destination;
	destination.name = "shop_linkedin";
	destination.platform = identity::Platform::kLinkedIn;
	destination.config_json =
	    R"({"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1"]})" + version_config + "}";
	destination.credentials_json = R"({"access_token": "AQVtoken-1"})";
	return destination;
}

BatchOutcome Classify(long status, std::string_view body, std::size_t batch = 4, ResponseHeaders headers = {},
                      const Destination &destination = LinkedIn()) {
	return LinkedInAdapter().Classify(destination, batch, status, body, headers);
}

TEST(LinkedInClassify, BatchCreated) {
	BatchOutcome outcome =
	    Classify(200, R"({"elements":[{"status":201},{"status":201},{"status":201},{"status":201}]})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_TRUE(outcome.bad_indexes.empty());
	EXPECT_EQ(Classify(201, "").kind, OutcomeKind::kDelivered);
}

TEST(LinkedInClassify, ElementWithAnErrorStatusInASuccessReply) {
	BatchOutcome outcome = Classify(
	    200,
	    R"({"elements":[{"status":201},{"status":400,"error":{"message":"bad rule","status":400}},{"status":201},{"status":201}]})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial);
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>{1});
	EXPECT_EQ(outcome.bad_messages, std::vector<std::string>{"element status 400: bad rule"});
}

TEST(LinkedInClassify, ValidationErrorNamesElements) {
	BatchOutcome outcome = Classify(
	    422,
	    R"({"message":"Index: 1, ERROR :: /conversionHappenedAt :: field is required but not found and has no default value\nIndex: 3, ERROR :: /user/userIds/0/idValue :: invalid\nERROR :: /conversion :: invalid urn\n","status":422})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, (std::vector<std::size_t>{1, 3}));
	EXPECT_EQ(
	    outcome.bad_messages,
	    (std::vector<std::string>{
	        "HTTP 422: ERROR :: /conversionHappenedAt :: field is required but not found and has no default "
	        "value",
	        "HTTP 422: ERROR :: /user/userIds/0/idValue :: invalid | ERROR :: /conversion :: invalid urn"}));
	// An index beyond the batch is not ours.
	outcome = Classify(422, R"({"message":"Index: 9, ERROR :: /x :: y","status":422})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	// LinkedIn's 400 for a rule not created for the Conversions API names indices too.
	outcome = Classify(
	    400,
	    R"j({"message":"Incorrect conversions information provided. Conversion's method should be CONVERSIONS_API, indices [0, 2] (0-indexed)","status":400})j");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, (std::vector<std::size_t>{0, 2}));
	EXPECT_EQ(outcome.bad_messages[0],
	          "HTTP 400: Incorrect conversions information provided. Conversion's method "
	          "should be CONVERSIONS_API");
	outcome = Classify(422, R"({"message":"Request body is invalid","status":422})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(outcome.message, "HTTP 422: Request body is invalid");
}

TEST(LinkedInClassify, Auth) {
	BatchOutcome outcome = Classify(
	    401,
	    R"({"status":401,"serviceErrorCode":65600,"code":"INVALID_ACCESS_TOKEN","message":"Invalid access token"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(
	    outcome.message.rfind("HTTP 401: INVALID_ACCESS_TOKEN: Invalid access token (the access token", 0),
	    0u);
	outcome = Classify(
	    401,
	    R"({"status":401,"serviceErrorCode":65601,"code":"REVOKED_ACCESS_TOKEN","message":"The token used in the request has been revoked by the user"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kAuthFailed); // the pipeline refreshes once; the grant decides
	EXPECT_NE(outcome.message.find("authorize again and UPDATE the destination's credentials"),
	          std::string::npos);
	outcome = Classify(
	    403,
	    R"({"status":403,"serviceErrorCode":100,"code":"ACCESS_DENIED","message":"Not enough permissions"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_NE(outcome.message.find("rw_conversions"), std::string::npos);
}

TEST(LinkedInClassify, SunsetVersionPausesWithWhatToSet) {
	const char *body =
	    R"({"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20251101 is not active"})";
	BatchOutcome outcome = Classify(426, body, 4, {}, LinkedIn(R"(, "api_version": "202511")"));
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_EQ(
	    outcome.message,
	    "LinkedIn-Version 202511 is no longer served (HTTP 426: NONEXISTENT_VERSION: Requested version "
	    "20251101 "
	    "is not active). LinkedIn retires each monthly version about a year after its release "
	    "(https://learn.microsoft.com/en-us/linkedin/marketing/versioning). Set config.api_version to a "
	    "version "
	    "LinkedIn serves (YYYYMM, released within the last 12 months), or remove it to use pg_capi's default "
	    "202607.");
	outcome = Classify(426, body);
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_NE(outcome.message.find("LinkedIn-Version 202607 is no longer served"), std::string::npos);
	EXPECT_NE(outcome.message.find("or upgrade pg_capi."), std::string::npos);
	outcome =
	    Classify(400, R"({"status":400,"code":"VERSION_MISSING","message":"A version must be present"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
}

TEST(LinkedInClassify, TransientAndOther) {
	ResponseHeaders headers;
	headers.retry_after_ms = 30000;
	BatchOutcome outcome =
	    Classify(429, R"({"status":429,"message":"Resource level throttle limit reached"})", 4, headers);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRetry);
	EXPECT_EQ(outcome.retry_after_ms, 30000);
	EXPECT_EQ(Classify(429, "").retry_after_ms, std::nullopt);
	EXPECT_EQ(Classify(500, R"({"status":500,"message":"Internal Server Error"})").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(503, "<html>busy</html>").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(0, "").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(404, R"({"status":404,"message":"No virtual resource found"})").kind,
	          OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(413, "too large").kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(Classify(400, R"({"status":400,"message":"Malformed"})").kind, OutcomeKind::kRejectedBatch);
}

TEST(LinkedInClassify, OnlyLinkedInsStructureIsQuotedFromAnotherHost) {
	Destination destination = LinkedIn();
	destination.endpoint_override = "https://proxy.internal";
	BatchOutcome outcome = Classify(500, "secret internal page", 4, {}, destination);
	EXPECT_EQ(outcome.message, "HTTP 500: (body of 20 bytes not shown: endpoint override)");
	outcome = Classify(422, R"({"status":422,"message":"Index: 0, ERROR :: /a :: b"})", 4, {}, destination);
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	// Secrets never appear.
	outcome = Classify(400, R"({"status":400,"message":"token AQVtoken-1 is odd"})");
	EXPECT_EQ(outcome.message, "HTTP 400: token [REDACTED] is odd");
}

} // namespace
} // namespace capi::dispatch
