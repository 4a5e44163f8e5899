// GoogleAdapter::Classify with the bodies both Google APIs send.
#include <gtest/gtest.h>

#include "core/platforms/google/google_adapter.hpp"

namespace capi::dispatch {
namespace {

Destination DataManager() {
	Destination destination;
	destination.name = "shop_google";
	destination.platform = identity::Platform::kGoogle;
	destination.config_json =
	    R"({"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555"}})";
	destination.credentials_json =
	    R"({"client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken"})";
	return destination;
}

Destination Ads() {
	Destination destination = DataManager();
	destination.config_json =
	    R"({"api": "ads", "operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555"}})";
	destination.credentials_json = R"({"access_token": "ya29.tok", "developer_token": "devtok"})";
	return destination;
}

BatchOutcome Classify(const Destination &destination, std::size_t size, long status, std::string_view body,
                      std::optional<std::int64_t> retry_after_ms = std::nullopt) {
	ResponseHeaders headers;
	headers.retry_after_ms = retry_after_ms;
	return GoogleAdapter().Classify(destination, size, status, body, headers);
}

TEST(GoogleClassify, DataManagerSuccessCarriesTheRequestId) {
	BatchOutcome outcome = Classify(DataManager(), 3, 200, R"({"requestId": "dm-req-1"})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kDelivered);
	EXPECT_EQ(outcome.trace_id, "dm-req-1");
	EXPECT_EQ(Classify(DataManager(), 3, 200, "{}").kind, OutcomeKind::kDelivered); // validateOnly
	EXPECT_EQ(Classify(DataManager(), 3, 200, "<html>").kind, OutcomeKind::kRetry);
}

TEST(GoogleClassify, DataManagerInvalidArgumentNamingAnEventRejectsThatEvent) {
	BatchOutcome outcome = Classify(DataManager(), 5, 400, R"({"error": {"code": 400,
	  "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT",
	  "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [
	    {"field": "events[3].user_data.user_identifiers[0].email_address", "description": "Invalid hex encoding."}]}]}})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>{3});
	ASSERT_EQ(outcome.bad_messages.size(), 1u);
	EXPECT_EQ(outcome.bad_messages[0],
	          "events[3].user_data.user_identifiers[0].email_address: Invalid hex encoding.");
	EXPECT_NE(outcome.message.find("HTTP 400 INVALID_ARGUMENT: Request contains an invalid argument."),
	          std::string::npos)
	    << outcome.message;
}

TEST(GoogleClassify, DataManagerUnnamedRejectionSplitsAndADestinationFieldPauses) {
	EXPECT_EQ(
	    Classify(
	        DataManager(), 5, 400,
	        R"({"error": {"code": 400, "message": "Request contains an invalid argument.", "status": "INVALID_ARGUMENT"}})")
	        .kind,
	    OutcomeKind::kRejectedBatch);
	BatchOutcome destination = Classify(DataManager(), 5, 400, R"({"error": {"code": 400, "message": "bad",
	  "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest",
	  "fieldViolations": [{"field": "destinations[0].product_destination_id", "description": "Conversion action not found."}]}]}})");
	EXPECT_EQ(destination.kind, OutcomeKind::kPermanent);
	EXPECT_NE(destination.message.find("Conversion action not found."), std::string::npos);
}

TEST(GoogleClassify, AuthPermissionQuotaAndServerErrors) {
	BatchOutcome auth = Classify(DataManager(), 1, 401, R"({"error": {"code": 401,
	  "message": "Request had invalid authentication credentials.", "status": "UNAUTHENTICATED"}})");
	EXPECT_EQ(auth.kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(DataManager(), 1, 403,
	                   R"({"error": {"code": 403, "message": "The caller does not have permission",
	  "status": "PERMISSION_DENIED"}})")
	              .kind,
	          OutcomeKind::kPermanent);
	BatchOutcome quota =
	    Classify(DataManager(), 1, 429, R"({"error": {"code": 429, "message": "Quota exceeded",
	  "status": "RESOURCE_EXHAUSTED"}})",
	             7000);
	EXPECT_EQ(quota.kind, OutcomeKind::kRetry);
	EXPECT_EQ(quota.retry_after_ms.value_or(0), 7000);
	EXPECT_EQ(Classify(DataManager(), 1, 503,
	                   R"({"error": {"code": 503, "message": "unavailable", "status": "UNAVAILABLE"}})")
	              .kind,
	          OutcomeKind::kRetry);
	EXPECT_EQ(Classify(DataManager(), 1, 502, "<html>bad gateway</html>").kind, OutcomeKind::kRetry);
	EXPECT_EQ(Classify(DataManager(), 1, 401, "").kind, OutcomeKind::kAuthFailed);
	EXPECT_EQ(Classify(DataManager(), 1, 0, "").kind, OutcomeKind::kRetry);
}

TEST(GoogleClassify, AdsAccountProblemsBehindA401Pause) {
	BatchOutcome outcome = Classify(
	    Ads(), 1, 401,
	    R"({"error": {"code": 401, "message": "Request is missing required authentication credential.",
	  "status": "UNAUTHENTICATED", "details": [{"@type": "type.googleapis.com/google.ads.googleads.v25.errors.GoogleAdsFailure",
	  "errors": [{"errorCode": {"authenticationError": "NOT_ADS_USER"}, "message": "User in the cookie is not a valid Ads user."}],
	  "requestId": "ads-req-7"}]}})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_EQ(outcome.trace_id, "ads-req-7");
	EXPECT_NE(outcome.message.find("authenticationError: NOT_ADS_USER"), std::string::npos)
	    << outcome.message;
	EXPECT_EQ(
	    Classify(Ads(), 1, 401, R"({"error": {"code": 401, "message": "expired", "status": "UNAUTHENTICATED",
	  "details": [{"errors": [{"errorCode": {"authenticationError": "OAUTH_TOKEN_EXPIRED"}, "message": "expired"}]}]}})")
	        .kind,
	    OutcomeKind::kAuthFailed);
	EXPECT_EQ(
	    Classify(Ads(), 1, 403, R"({"error": {"code": 403, "message": "denied", "status": "PERMISSION_DENIED",
	  "details": [{"errors": [{"errorCode": {"authorizationError": "DEVELOPER_TOKEN_NOT_APPROVED"}, "message": "x"}]}]}})")
	        .kind,
	    OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(Ads(), 1, 400,
	                   R"({"error": {"code": 400, "message": "bad header", "status": "INVALID_ARGUMENT",
	  "details": [{"errors": [{"errorCode": {"headerError": "INVALID_LOGIN_CUSTOMER_ID"}, "message": "x"}]}]}})")
	              .kind,
	          OutcomeKind::kPermanent);
	EXPECT_EQ(Classify(Ads(), 1, 409, R"({"error": {"code": 409, "message": "busy", "status": "ABORTED",
	  "details": [{"errors": [{"errorCode": {"databaseError": "CONCURRENT_MODIFICATION"}, "message": "x"}]}]}})")
	              .kind,
	          OutcomeKind::kRetry);
}

constexpr const char *kPartial = R"({
  "partialFailureError": {"code": 3, "message": "The conversion action specified in the upload could not be found, at conversions[1].conversion_action",
    "details": [{"@type": "type.googleapis.com/google.ads.googleads.v25.errors.GoogleAdsFailure",
      "errors": [
        {"errorCode": {"conversionUploadError": "NO_CONVERSION_ACTION_FOUND"},
         "message": "The conversion action specified in the upload could not be found.",
         "trigger": {"stringValue": "555"},
         "location": {"fieldPathElements": [{"fieldName": "conversions", "index": 1}, {"fieldName": "conversion_action"}]}},
        {"errorCode": {"conversionUploadError": "EXPIRED_EVENT"}, "message": "The click is too old.",
         "location": {"fieldPathElements": [{"fieldName": "operations", "index": 3}]}}],
      "requestId": "ads-req-1"}]},
  "results": [{"gclid": "a", "conversionAction": "customers/1/conversionActions/555", "conversionDateTime": "x"}, {},
              {"gclid": "c"}, {}],
  "jobId": "123"})";

TEST(GoogleClassify, AdsPartialFailureFailsOnlyTheNamedRows) {
	BatchOutcome outcome = Classify(Ads(), 4, 200, kPartial);
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial);
	EXPECT_EQ(outcome.bad_indexes, (std::vector<std::size_t>{1, 3}));
	ASSERT_EQ(outcome.bad_messages.size(), 2u);
	EXPECT_EQ(outcome.bad_messages[0], "conversionUploadError: NO_CONVERSION_ACTION_FOUND (The conversion "
	                                   "action specified in the upload could not be found.)");
	EXPECT_EQ(outcome.bad_messages[1], "conversionUploadError: EXPIRED_EVENT (The click is too old.)");
	EXPECT_EQ(outcome.trace_id, "ads-req-1");
	// Rows beyond the batch are ignored; empty results name the rows when no path does.
	EXPECT_EQ(Classify(Ads(), 2, 200, kPartial).bad_indexes, std::vector<std::size_t>{1});
	BatchOutcome by_results =
	    Classify(Ads(), 3, 200, R"({"partialFailureError": {"code": 3, "message": "row failed"},
	  "results": [{"gclid": "a"}, {}, {"gclid": "c"}]})");
	EXPECT_EQ(by_results.kind, OutcomeKind::kPartial);
	EXPECT_EQ(by_results.bad_indexes, std::vector<std::size_t>{1});
	EXPECT_EQ(by_results.bad_messages, std::vector<std::string>{"row failed"});
}

// A 2,000-row reply is longer than the HTTP client keeps (64 KiB): the body arrives cut short.
TEST(GoogleClassify, AdsReplyCutShortIsReadFromItsFirstMember) {
	std::string results = R"("results":[)";
	for (int i = 0; i < 3000; ++i)
		results += std::string(i ? "," : "") + R"({"gclid":"Cj0KCQ-gclid-)" + std::to_string(i) + R"("})";
	std::string failure = R"({"partialFailureError":{"code":3,"message":"m","details":[{"errors":[
	  {"errorCode":{"conversionUploadError":"EXPIRED_EVENT"},"message":"old \"}\" click",
	   "location":{"fieldPathElements":[{"fieldName":"conversions","index":1500}]}}]}]},)";
	std::string cut = (failure + results).substr(0, 65536);
	BatchOutcome outcome = Classify(Ads(), 2000, 200, cut);
	EXPECT_EQ(outcome.kind, OutcomeKind::kPartial) << outcome.message;
	EXPECT_EQ(outcome.bad_indexes, std::vector<std::size_t>{1500});
	EXPECT_EQ(Classify(Ads(), 2000, 200, ("{" + results).substr(0, 65536)).kind, OutcomeKind::kDelivered);
	EXPECT_EQ(Classify(Ads(), 2000, 200, R"({"partialFailureError":{"code":3,"mess)").kind,
	          OutcomeKind::kRetry);
	EXPECT_EQ(Classify(DataManager(), 2000, 200, ("{" + results).substr(0, 65536)).kind, OutcomeKind::kRetry);
}

TEST(GoogleClassify, AdsSuccessAndNotAllowlisted) {
	EXPECT_EQ(Classify(Ads(), 2, 200, R"({"results": [{"gclid": "a"}, {"gclid": "b"}], "jobId": "9"})").kind,
	          OutcomeKind::kDelivered);
	EXPECT_EQ(Classify(Ads(), 2, 200, R"({"partialFailureError": {}, "results": [{}, {}]})").kind,
	          OutcomeKind::kDelivered);
	BatchOutcome outcome = Classify(Ads(), 2, 200, R"({"partialFailureError": {"code": 3, "message": "x",
	  "details": [{"errors": [{"errorCode": {"notAllowlistedError": "CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE"},
	  "message": "Customer is not allowlisted for accessing this feature.",
	  "location": {"fieldPathElements": [{"fieldName": "conversions", "index": 0}]}}]}]}, "results": [{}, {}]})");
	EXPECT_EQ(outcome.kind, OutcomeKind::kPermanent);
	EXPECT_NE(outcome.message.find("CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE"), std::string::npos);
}

TEST(GoogleClassify, SecretsAreRedactedAndForeignBodiesNotQuoted) {
	BatchOutcome outcome =
	    Classify(Ads(), 1, 400, R"({"error": {"code": 400, "message": "token ya29.tok and devtok",
	  "status": "INVALID_ARGUMENT"}})");
	EXPECT_EQ(outcome.message.find("ya29.tok"), std::string::npos) << outcome.message;
	EXPECT_EQ(outcome.message.find("devtok"), std::string::npos) << outcome.message;
	Destination elsewhere = DataManager();
	elsewhere.endpoint_override = "http://127.0.0.1:9";
	BatchOutcome foreign = Classify(elsewhere, 1, 500, "internal page secret-content");
	EXPECT_EQ(foreign.message.find("secret-content"), std::string::npos) << foreign.message;
}

} // namespace
} // namespace capi::dispatch
