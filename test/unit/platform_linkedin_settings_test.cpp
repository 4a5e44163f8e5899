// LinkedIn destination settings: config and credentials keys (ISSUE 9 §3), errors that never quote a
// secret, the OAuth token request and the registry line.
#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

constexpr const char *kRules = R"("conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:123"]})";

Destination LinkedIn(std::string config, std::string credentials = R"({"access_token": "AQVtoken-1"})") {
	Destination destination;
	destination.name = "shop_linkedin";
	destination.platform = identity::Platform::kLinkedIn;
	destination.config_json = std::move(config);
	destination.credentials_json = std::move(credentials);
	return destination;
}

std::string ErrorOf(const Destination &destination) {
	try {
		LinkedInAdapter().Validate(destination);
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		for (const char *secret : {"AQVtoken-1", "s3cr", "r-tok"})
			EXPECT_EQ(std::string(error.what()).find(secret), std::string::npos) << error.what();
		return error.what();
	}
	return "";
}

TEST(LinkedInSettings, Defaults) {
	LinkedInSettings settings = ReadLinkedInSettings(LinkedIn(std::string("{") + kRules + "}"));
	EXPECT_EQ(settings.api_version, "202607");
	EXPECT_FALSE(settings.api_version_configured);
	EXPECT_FALSE(settings.send_user_info);
	EXPECT_EQ(settings.access_token, "AQVtoken-1");
	EXPECT_FALSE(settings.grant.has_value());
	ASSERT_EQ(settings.conversion_rules.size(), 1u);
	EXPECT_EQ(settings.conversion_rules.at("Purchase"),
	          std::vector<std::string>{"urn:lla:llaPartnerConversion:123"});
	EXPECT_EQ(settings.max_rules_per_event, 1u);
}

TEST(LinkedInSettings, EverySetting) {
	LinkedInSettings settings = ReadLinkedInSettings(
	    LinkedIn(R"({"api_version": "202610", "send_user_info": true, "event_map": {"order": "Purchase"},
	                 "max_requests_per_second": 1,
	                 "conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1", "urn:lla:llaPartnerConversion:2"],
	                                      "LEAD": "urn:lla:llaPartnerConversion:3"}})",
	             R"({"client_id": "cid", "client_secret": "s3cret", "refresh_token": "r-tok"})"));
	EXPECT_EQ(settings.api_version, "202610");
	EXPECT_TRUE(settings.api_version_configured);
	EXPECT_TRUE(settings.send_user_info);
	EXPECT_EQ(settings.max_rules_per_event, 2u);
	EXPECT_EQ(settings.conversion_rules.at("LEAD"),
	          std::vector<std::string>{"urn:lla:llaPartnerConversion:3"});
	ASSERT_TRUE(settings.grant.has_value());
	EXPECT_EQ(settings.grant->client_id, "cid");
	EXPECT_EQ(settings.grant->client_secret, "s3cret");
	EXPECT_EQ(settings.grant->refresh_token, "r-tok");
	EXPECT_EQ(settings.access_token, "");
}

TEST(LinkedInSettings, ConfigErrors) {
	EXPECT_EQ(ErrorOf(LinkedIn("{}")), "destination shop_linkedin: config.conversion_rules is required: "
	                                   "{\"<event name>\": [\"urn:lla:llaPartnerConversion:<id>\", ...]}");
	EXPECT_NE(ErrorOf(LinkedIn(R"({"conversion_rules": {}})")).find("must be a non-empty JSON object"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(R"({"conversion_rules": {"Purchase": ["urn:li:conversion:1"]}})"))
	              .find("config.conversion_rules.Purchase must hold conversion rule URNs"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(R"({"conversion_rules": {"Purchase": []}})"))
	              .find("config.conversion_rules.Purchase must be an array of 1 to 50"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(R"({"conversion_rules": {"Purchase": [7]}})")).find("must hold strings"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(R"({"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1",
	                                                                  "urn:lla:llaPartnerConversion:1"]}})"))
	              .find("lists urn:lla:llaPartnerConversion:1 twice"),
	          std::string::npos);
	for (const char *version :
	     {"\"2026-07\"", "\"v202607\"", "\"202613\"", "\"202105\"", "\"2026070\"", "202607"}) {
		SCOPED_TRACE(version);
		EXPECT_NE(ErrorOf(LinkedIn(std::string("{") + kRules + ", \"api_version\": " + version + "}"))
		              .find("config.api_version must"),
		          std::string::npos);
	}
	EXPECT_EQ(ErrorOf(LinkedIn(std::string("{") + kRules + ", \"api_version\": \"202508.02\"}")), "");
	EXPECT_EQ(ErrorOf(LinkedIn(std::string("{") + kRules + ", \"send_user_info\": \"yes\"}")),
	          "destination shop_linkedin: config.send_user_info must be true or false");
	EXPECT_NE(ErrorOf(LinkedIn(std::string("{") + kRules + ", \"pixel_id\": \"1\"}")).find("pixel_id"),
	          std::string::npos);
	EXPECT_NE(
	    ErrorOf(LinkedIn(std::string("{") + kRules + ", \"event_map\": {\"a\": 1}}")).find("event_map.a"),
	    std::string::npos);
}

TEST(LinkedInSettings, CredentialErrorsNeverQuoteSecrets) {
	const std::string config = std::string("{") + kRules + "}";
	EXPECT_NE(ErrorOf(LinkedIn(config, "{}")).find("credentials.access_token is required"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(config, R"({"access_token": "AQVtoken-1", "refresh_token": "r-tok"})"))
	              .find("exclude each other"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(config, R"({"refresh_token": "r-tok", "client_id": "cid"})"))
	              .find("credentials.client_secret"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(config, R"({"access_token": "AQVtoken-1", "client_secret": "s3cret"})"))
	              .find("go with refresh_token"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(LinkedIn(config, R"({"access_token": "AQVtoken-1", "s3cret_key": "x"})")), "");
	EXPECT_NE(ErrorOf(LinkedIn(config, R"({"access_token": "AQVtoken-1\n"})")).find("control characters"),
	          std::string::npos);
}

TEST(LinkedInSettings, TokenRequestGoesToTheTokenHostOrTheEndpointOverride) {
	const LinkedInAdapter adapter;
	Destination destination = LinkedIn(std::string("{") + kRules + "}");
	EXPECT_FALSE(adapter.TokenRequest(destination, "").has_value()); // a static token
	destination.credentials_json =
	    R"({"client_id": "cid", "client_secret": "s3cret", "refresh_token": "r-tok/1"})";
	std::optional<HttpRequest> request = adapter.TokenRequest(destination, "");
	ASSERT_TRUE(request.has_value());
	EXPECT_EQ(request->url, "https://www.linkedin.com/oauth/v2/accessToken");
	EXPECT_EQ(request->body,
	          "grant_type=refresh_token&refresh_token=r-tok%2F1&client_id=cid&client_secret=s3cret");
	EXPECT_NE(std::find(request->secrets.begin(), request->secrets.end(), "s3cret"), request->secrets.end());
	destination.endpoint_override = "http://127.0.0.1:7001";
	EXPECT_EQ(adapter.TokenRequest(destination, "")->url, "http://127.0.0.1:7001/oauth/v2/accessToken");
	EXPECT_EQ(adapter.TokenRequest(destination, "http://[::1]:9")->url,
	          "http://[::1]:9/oauth/v2/accessToken");
}

TEST(LinkedInSettings, RegistryAndLimits) {
	const PlatformAdapter *adapter = FindAdapter(identity::Platform::kLinkedIn);
	ASSERT_NE(adapter, nullptr);
	EXPECT_EQ(adapter->platform(), identity::Platform::kLinkedIn);
	EXPECT_EQ(adapter->MaxBatchSize(), 5000u);
	EXPECT_EQ(adapter->DefaultRequestsPerSecond(), 3.0);
	EXPECT_EQ(adapter->OwnHosts(), (std::vector<std::string_view>{"api.linkedin.com", "www.linkedin.com"}));
	EXPECT_EQ(adapter->GroupingKey(LinkedIn(std::string("{") + kRules + "}"), OutboxEvent()), "");
}

} // namespace
} // namespace capi::dispatch
