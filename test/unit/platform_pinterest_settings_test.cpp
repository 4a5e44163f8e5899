#include "core/platforms/pinterest/pinterest_adapter.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

Destination WithSettings(std::string config,
                         std::string credentials = R"({"access_token": "tok-secret-9"})") {
	Destination destination;
	destination.name = "pin";
	destination.platform = identity::Platform::kPinterest;
	destination.config_json = std::move(config);
	destination.credentials_json = std::move(credentials);
	return destination;
}

std::string ErrorOf(const Destination &destination) {
	try {
		PinterestAdapter().Validate(destination);
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidParameterValue);
		return error.what();
	}
	return "";
}

TEST(PinterestSettings, Valid) {
	PinterestSettings settings =
	    ReadPinterestSettings(WithSettings(R"({"ad_account_id": "549755885175", "test": true,
	                                          "event_map": {"Donate": "custom"}, "max_requests_per_second": 2})"));
	EXPECT_EQ(settings.ad_account_id, "549755885175");
	EXPECT_TRUE(settings.test);
	EXPECT_EQ(settings.access_token, "tok-secret-9");
	EXPECT_EQ(settings.common.event_map.at("Donate"), "custom");
	EXPECT_FALSE(ReadPinterestSettings(WithSettings(R"({"ad_account_id": "1"})")).test);
	EXPECT_EQ(ErrorOf(WithSettings(R"({"ad_account_id": "1", "test": null})")), "");
}

TEST(PinterestSettings, Errors) {
	EXPECT_EQ(ErrorOf(WithSettings("{}")), "destination pin: config.ad_account_id is required");
	EXPECT_EQ(ErrorOf(WithSettings(R"({"ad_account_id": "act_12"})")),
	          "destination pin: config.ad_account_id must be a string of digits (the ad account id in Ads "
	          "Manager)");
	EXPECT_EQ(ErrorOf(WithSettings(R"({"ad_account_id": 12})")),
	          "destination pin: config.ad_account_id must be a string");
	EXPECT_EQ(ErrorOf(WithSettings(R"({"ad_account_id": "1", "test": "yes"})")),
	          "destination pin: config.test must be true or false");
	EXPECT_NE(ErrorOf(WithSettings(R"({"ad_account_id": "1", "pixel_id": "2"})")).find("pixel_id"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(WithSettings(R"({"ad_account_id": "1", "event_map": []})")).find("event_map"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(WithSettings(R"({"ad_account_id": "1"})", "{}")).find("credentials.access_token"),
	          std::string::npos);
	std::string unknown =
	    ErrorOf(WithSettings(R"({"ad_account_id": "1"})", R"({"access_token": "a", "tok-secret-9": "b"})"));
	EXPECT_NE(unknown, "");
	EXPECT_EQ(unknown.find("tok-secret-9"), std::string::npos);
	Destination endpoint = WithSettings(R"({"ad_account_id": "1"})");
	endpoint.endpoint_override = "http://127.0.0.1:1/path";
	EXPECT_NE(ErrorOf(endpoint), "");
}

} // namespace
} // namespace capi::dispatch
