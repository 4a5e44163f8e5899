#include "core/platforms/reddit/reddit_adapter.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

Destination WithSettings(std::string config,
                         std::string credentials = R"({"access_token": "rdt-secret-9"})") {
	Destination destination;
	destination.name = "rdt";
	destination.platform = identity::Platform::kReddit;
	destination.config_json = std::move(config);
	destination.credentials_json = std::move(credentials);
	return destination;
}

std::string ErrorOf(const Destination &destination) {
	try {
		RedditAdapter().Validate(destination);
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), sqlstate::kInvalidParameterValue);
		return error.what();
	}
	return "";
}

TEST(RedditSettings, Valid) {
	RedditSettings settings = ReadRedditSettings(WithSettings(
	    R"({"pixel_id": "a2_ewxbfz9xk2d5", "test_id": "t2_abc", "max_requests_per_second": 5})"));
	EXPECT_EQ(settings.pixel_id, "a2_ewxbfz9xk2d5");
	EXPECT_EQ(settings.test_id, "t2_abc");
	EXPECT_EQ(settings.access_token, "rdt-secret-9");
	EXPECT_EQ(settings.common.max_requests_per_second, 5);
	EXPECT_EQ(ReadRedditSettings(WithSettings(R"({"pixel_id": "t2_1"})")).test_id, std::nullopt);
}

TEST(RedditSettings, Errors) {
	EXPECT_EQ(ErrorOf(WithSettings("{}")), "destination rdt: config.pixel_id is required");
	EXPECT_EQ(ErrorOf(WithSettings(R"({"pixel_id": "a2/../x"})")),
	          "destination rdt: config.pixel_id must be Reddit's pixel id (letters, digits and _, as in "
	          "\"a2_abc123\")");
	EXPECT_EQ(ErrorOf(WithSettings(R"({"pixel_id": "a2_x", "test_id": 5})")),
	          "destination rdt: config.test_id must be a string");
	EXPECT_NE(ErrorOf(WithSettings(R"({"pixel_id": "a2_x", "test_mode": true})")).find("test_mode"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(WithSettings(R"({"pixel_id": "a2_x", "denied_ad_user_data": "maybe"})"))
	              .find("denied_ad_user_data"),
	          std::string::npos);
	EXPECT_NE(ErrorOf(WithSettings(R"({"pixel_id": "a2_x"})", "{}")).find("credentials.access_token"),
	          std::string::npos);
	std::string unknown =
	    ErrorOf(WithSettings(R"({"pixel_id": "a2_x"})", R"({"access_token": "a", "rdt-secret-9": "b"})"));
	EXPECT_NE(unknown, "");
	EXPECT_EQ(unknown.find("rdt-secret-9"), std::string::npos);
}

} // namespace
} // namespace capi::dispatch
