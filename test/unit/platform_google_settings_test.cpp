#include <gtest/gtest.h>

#include "core/dispatch/common_settings.hpp"
#include "core/error.hpp"
#include "core/platforms/google/google_adapter.hpp"

namespace capi::dispatch {
namespace {

Destination Google(std::string config, std::string credentials) {
	Destination destination;
	destination.name = "shop_google";
	destination.platform = identity::Platform::kGoogle;
	destination.config_json = std::move(config);
	destination.credentials_json = std::move(credentials);
	return destination;
}

constexpr const char *kConfig =
    R"({"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555"}})";
constexpr const char *kGrant =
    R"({"client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken"})";

// The message of the capi::Error that reading the settings throws, with its SQLSTATE checked.
std::string Problem(const Destination &destination) {
	try {
		GoogleAdapter().Validate(destination);
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		return error.what();
	}
	return "(no error)";
}

TEST(GoogleSettings, DataManagerWithARefreshGrantByDefault) {
	GoogleSettings settings = ReadGoogleSettings(Google(kConfig, kGrant));
	EXPECT_EQ(settings.api, GoogleApi::kDataManager);
	EXPECT_EQ(settings.operating_account_id, "1234567890");
	EXPECT_FALSE(settings.login_account_id);
	EXPECT_EQ(settings.conversion_actions.at("Purchase"), "555");
	EXPECT_FALSE(settings.validate_only);
	ASSERT_TRUE(settings.grant);
	EXPECT_EQ(settings.grant->client_id, "cid");
	EXPECT_EQ(settings.grant->client_secret, "csecret");
	EXPECT_EQ(settings.grant->refresh_token, "rtoken");
	EXPECT_EQ(settings.access_token, "");
}

TEST(GoogleSettings, AdsWithStaticTokenDeveloperTokenLoginAccountAndNumericActionIds) {
	GoogleSettings settings = ReadGoogleSettings(
	    Google(R"({"api": "ads", "operating_account_id": "1234567890", "login_account_id": "9876543210",
	               "conversion_actions": {"Purchase": 555, "Lead": "777"}, "validate_only": true,
	               "event_map": {"purchase": "Purchase"}})",
	           R"({"access_token": "ya29.static", "developer_token": "devtok"})"));
	EXPECT_EQ(settings.api, GoogleApi::kAds);
	EXPECT_EQ(settings.login_account_id.value_or(""), "9876543210");
	EXPECT_EQ(settings.conversion_actions.at("Purchase"), "555");
	EXPECT_EQ(settings.conversion_actions.at("Lead"), "777");
	EXPECT_TRUE(settings.validate_only);
	EXPECT_FALSE(settings.grant);
	EXPECT_EQ(settings.access_token, "ya29.static");
	EXPECT_EQ(settings.developer_token, "devtok");
}

TEST(GoogleSettings, ConfigErrorsNameTheKey) {
	EXPECT_NE(
	    Problem(Google(R"({"api": "rest", "operating_account_id": "1", "conversion_actions": {"A": "1"}})",
	                   kGrant))
	        .find("config.api must be \"data_manager\" (the default) or \"ads\""),
	    std::string::npos);
	EXPECT_NE(
	    Problem(Google(R"({"conversion_actions": {"A": "1"}})", kGrant)).find("config.operating_account_id"),
	    std::string::npos);
	EXPECT_NE(
	    Problem(
	        Google(R"({"operating_account_id": "123-456-7890", "conversion_actions": {"A": "1"}})", kGrant))
	        .find(
	            "config.operating_account_id must be a Google Ads customer id: digits only, without hyphens"),
	    std::string::npos);
	EXPECT_NE(
	    Problem(
	        Google(
	            R"({"operating_account_id": "1", "login_account_id": "x", "conversion_actions": {"A": "1"}})",
	            kGrant))
	        .find("config.login_account_id"),
	    std::string::npos);
	EXPECT_NE(Problem(Google(R"({"operating_account_id": "1"})", kGrant))
	              .find("config.conversion_actions is required"),
	          std::string::npos);
	EXPECT_NE(Problem(Google(R"({"operating_account_id": "1", "conversion_actions": {"A": "customers/1/x"}})",
	                         kGrant))
	              .find("config.conversion_actions maps event names"),
	          std::string::npos);
	EXPECT_NE(Problem(Google(R"({"operating_account_id": "1", "conversion_actions": {}})", kGrant))
	              .find("config.conversion_actions must be a non-empty object"),
	          std::string::npos);
	EXPECT_NE(
	    Problem(
	        Google(
	            R"({"operating_account_id": "1", "conversion_actions": {"A": "1"}, "validate_only": "yes"})",
	            kGrant))
	        .find("config.validate_only must be true or false"),
	    std::string::npos);
	EXPECT_NE(
	    Problem(Google(R"({"operating_account_id": "1", "conversion_actions": {"A": "1"}, "pixel_id": "1"})",
	                   kGrant))
	        .find("pixel_id"),
	    std::string::npos);
	EXPECT_NE(
	    Problem(Google(R"({"operating_account_id": "1", "conversion_actions": {"A": "1"}, "event_map": []})",
	                   kGrant))
	        .find("config.event_map"),
	    std::string::npos);
}

TEST(GoogleSettings, CredentialErrorsNeverQuoteASecret) {
	std::string both =
	    Problem(Google(kConfig, R"({"access_token": "tok-SECRET", "refresh_token": "rt-SECRET"})"));
	EXPECT_NE(both.find("credentials.access_token is for a static token"), std::string::npos) << both;
	EXPECT_EQ(both.find("SECRET"), std::string::npos) << both;
	EXPECT_NE(Problem(Google(kConfig, R"({"client_id": "c", "refresh_token": "r"})"))
	              .find("credentials.client_secret"),
	          std::string::npos);
	EXPECT_NE(Problem(Google(kConfig, "{}")).find("credentials.client_id is required"), std::string::npos);
	// developer_token: required with "ads", refused with the Data Manager API (which takes none).
	const std::string ads =
	    R"({"api": "ads", "operating_account_id": "1", "conversion_actions": {"A": "1"}})";
	EXPECT_NE(Problem(Google(ads, kGrant)).find("credentials.developer_token"), std::string::npos);
	std::string unknown =
	    Problem(Google(kConfig, R"({"access_token": "t", "developer_token": "dev-SECRET"})"));
	EXPECT_NE(unknown.find("credentials"), std::string::npos) << unknown;
	EXPECT_EQ(unknown.find("SECRET"), std::string::npos) << unknown;
}

TEST(GoogleSettings, EndpointOverrideMustBeABaseUrl) {
	Destination destination = Google(kConfig, kGrant);
	destination.endpoint_override = "http://127.0.0.1:9999/v1";
	EXPECT_NE(Problem(destination), "(no error)");
	destination.endpoint_override = "http://127.0.0.1:9999";
	EXPECT_EQ(Problem(destination), "(no error)");
}

TEST(GoogleSettings, AdapterBasics) {
	GoogleAdapter adapter;
	EXPECT_EQ(adapter.MaxBatchSize(), 2000u);
	EXPECT_EQ(adapter.DefaultRequestsPerSecond(), 0);
	std::vector<std::string_view> hosts = adapter.OwnHosts();
	EXPECT_EQ(hosts, (std::vector<std::string_view>{"datamanager.googleapis.com", "googleads.googleapis.com",
	                                                "oauth2.googleapis.com"}));
	EXPECT_EQ(&AdapterFor(identity::Platform::kGoogle), FindAdapter(identity::Platform::kGoogle));
	EXPECT_EQ(AdapterFor(identity::Platform::kGoogle).platform(), identity::Platform::kGoogle);
}

TEST(GoogleSettings, TokenRequestOnlyForARefreshGrant) {
	GoogleAdapter adapter;
	EXPECT_FALSE(adapter.TokenRequest(Google(kConfig, R"({"access_token": "t"})"), ""));
	Destination destination =
	    Google(kConfig, R"({"client_id": "cid", "client_secret": "c s&", "refresh_token": "r/1"})");
	std::optional<HttpRequest> token = adapter.TokenRequest(destination, "");
	ASSERT_TRUE(token);
	EXPECT_EQ(token->url, "https://oauth2.googleapis.com/token");
	EXPECT_EQ(token->body,
	          "grant_type=refresh_token&refresh_token=r%2F1&client_id=cid&client_secret=c%20s%26");
	EXPECT_NE(std::find(token->secrets.begin(), token->secrets.end(), "c s&"), token->secrets.end());
	// The endpoint override replaces the scheme and host of the token request too; the path stays.
	destination.endpoint_override = "http://127.0.0.1:8123";
	EXPECT_EQ(adapter.TokenRequest(destination, "")->url, "http://127.0.0.1:8123/token");
	EXPECT_EQ(adapter.TokenRequest(destination, "http://localhost:1")->url, "http://localhost:1/token");
}

} // namespace
} // namespace capi::dispatch
