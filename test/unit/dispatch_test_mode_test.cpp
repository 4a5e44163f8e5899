// InTestMode (capi.dry_run): each platform's request, built by its own adapter, carries the
// platform's test or validate marker (Meta and TikTok test_event_code, Google validateOnly for both
// APIs, Snap's /events/validate, Reddit data.test_id, Pinterest ?test=true); LinkedIn, which has no
// such mode, is refused; a code is required where the platform wants one and refused where it takes
// none; messages never carry a credential.
#include "core/dispatch/test_mode.hpp"

#include "core/error.hpp"
#include "core/outbox/identity_bag_builder.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr std::int64_t kNow = 1'780'000'000'000;
constexpr char kSecret[] = "secret-token-test-mode-7c1d";

Destination Make(identity::Platform platform, json config, json credentials = {{"access_token", kSecret}}) {
	Destination destination;
	destination.name = "dry";
	destination.platform = platform;
	destination.config_json = config.dump();
	destination.credentials_json = credentials.dump();
	return destination;
}

OutboxEvent Purchase() {
	OutboxEvent event;
	event.outbox_id = 7;
	event.event_id = "order-7";
	event.event_name = "Purchase";
	event.event_time_ms = kNow - 60 * 1000;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/thanks";
	event.user_data_json = outbox::BuildIdentityBag(
	    R"({"email": "jane@example.com", "phone": "+1 650 555 1212", "client_ip_address": "203.0.113.7",
	        "client_user_agent": "Mozilla/5.0", "gclid": "Cj0KCQ-gclid"})",
	    "US");
	event.custom_data_json = R"({"value": 12.5, "currency": "EUR", "order_id": "7"})";
	return event;
}

HttpRequest BuildInTestMode(const Destination &destination, std::optional<std::string> code = std::nullopt) {
	const PlatformAdapter &adapter = AdapterFor(destination.platform);
	Destination tested = InTestMode(destination, adapter, code);
	OutboxEvent event = Purchase();
	return adapter.BuildRequest(tested, {&event}, RequestContext{}, kNow);
}

// The error InTestMode throws, with its SQLSTATE and hint.
struct Thrown {
	std::string sqlstate;
	std::string message;
	std::string hint;
};
Thrown ErrorOf(const Destination &destination, std::optional<std::string> code = std::nullopt) {
	try {
		InTestMode(destination, AdapterFor(destination.platform), code);
	} catch (const Error &error) {
		return {error.sqlstate(), error.what(), error.hint()};
	}
	return {};
}

TEST(TestMode, MetaSendsTheTestEventCodeGivenOrConfigured) {
	json given = json::parse(
	    BuildInTestMode(Make(identity::Platform::kMeta, {{"pixel_id", "1234"}}), std::string("TEST123"))
	        .body);
	EXPECT_EQ(given["test_event_code"], "TEST123");
	json configured = json::parse(
	    BuildInTestMode(Make(identity::Platform::kMeta, {{"pixel_id", "1234"}, {"test_event_code", "TEST9"}}))
	        .body);
	EXPECT_EQ(configured["test_event_code"], "TEST9");
	json overridden = json::parse(
	    BuildInTestMode(Make(identity::Platform::kMeta, {{"pixel_id", "1234"}, {"test_event_code", "TEST9"}}),
	                    std::string("TEST5"))
	        .body);
	EXPECT_EQ(overridden["test_event_code"], "TEST5") << "the argument wins over the config";
}

TEST(TestMode, MetaAndTikTokAndRedditNeedACode) {
	for (const Destination &destination :
	     {Make(identity::Platform::kMeta, {{"pixel_id", "1234"}}),
	      Make(identity::Platform::kTikTok, {{"pixel_code", "C4ABCDEF12345"}}),
	      Make(identity::Platform::kReddit, {{"pixel_id", "a2_x"}})}) {
		Thrown error = ErrorOf(destination);
		EXPECT_EQ(error.sqlstate, "22023") << error.message;
		EXPECT_NE(error.message.find("needs a test code"), std::string::npos) << error.message;
		EXPECT_NE(error.hint.find("test_code =>"), std::string::npos) << error.hint;
		EXPECT_EQ(ErrorOf(destination, std::string("")).sqlstate, "22023") << "an empty code";
	}
	EXPECT_NE(ErrorOf(Make(identity::Platform::kReddit, {{"pixel_id", "a2_x"}})).hint.find("config.test_id"),
	          std::string::npos);
}

TEST(TestMode, GoogleValidatesOnlyOnBothApis) {
	json config = {{"operating_account_id", "1234567890"}, {"conversion_actions", {{"Purchase", "555"}}}};
	json data_manager = json::parse(BuildInTestMode(Make(identity::Platform::kGoogle, config)).body);
	EXPECT_EQ(data_manager["validateOnly"], true);
	config["api"] = "ads";
	json ads = json::parse(BuildInTestMode(Make(identity::Platform::kGoogle, config,
	                                            {{"access_token", kSecret}, {"developer_token", "dev"}}))
	                           .body);
	EXPECT_EQ(ads["validateOnly"], true);
}

TEST(TestMode, TikTokSendsTheTestEventCode) {
	json body =
	    json::parse(BuildInTestMode(Make(identity::Platform::kTikTok, {{"pixel_code", "C4ABCDEF12345"}}),
	                                std::string("TEST77"))
	                    .body);
	EXPECT_EQ(body["test_event_code"], "TEST77");
}

TEST(TestMode, SnapUsesTheValidateEndpoint) {
	HttpRequest request = BuildInTestMode(
	    Make(identity::Platform::kSnap, {{"pixel_id", "a1b2c3d4-0000-4000-8000-123456789abc"}}));
	EXPECT_NE(request.url.find("/v3/a1b2c3d4-0000-4000-8000-123456789abc/events/validate?"),
	          std::string::npos)
	    << request.url;
}

TEST(TestMode, RedditSendsTheTestId) {
	json body = json::parse(
	    BuildInTestMode(Make(identity::Platform::kReddit, {{"pixel_id", "a2_x"}}), std::string("t2_t")).body);
	EXPECT_EQ(body["data"]["test_id"], "t2_t");
}

TEST(TestMode, PinterestAsksForTestTrue) {
	HttpRequest request =
	    BuildInTestMode(Make(identity::Platform::kPinterest, {{"ad_account_id", "549755885175"}}));
	EXPECT_EQ(request.url, "https://api.pinterest.com/v5/ad_accounts/549755885175/events?test=true");
}

TEST(TestMode, AFlagPlatformTakesNoCode) {
	Thrown error = ErrorOf(Make(identity::Platform::kPinterest, {{"ad_account_id", "1"}}), std::string("T1"));
	EXPECT_EQ(error.sqlstate, "22023");
	EXPECT_EQ(error.message, "destination \"dry\": Pinterest's test mode (?test=true) takes no test code");
}

TEST(TestMode, LinkedInHasNoTestModeAndIsRefused) {
	Thrown error = ErrorOf(Make(identity::Platform::kLinkedIn,
	                            {{"conversion_rules", {{"Purchase", {"urn:lla:llaPartnerConversion:1"}}}}}));
	EXPECT_EQ(error.sqlstate, "0A000");
	EXPECT_EQ(error.message,
	          "destination \"dry\": linkedin has no test or validate mode, so a dry run would record real "
	          "conversions");
	EXPECT_NE(error.hint.find("capi.preview"), std::string::npos);
}

TEST(TestMode, TheDestinationIsCheckedWithItsCodeAndNoSecretIsQuoted) {
	Thrown error =
	    ErrorOf(Make(identity::Platform::kTikTok, {{"pixel_code", "C4ABCDEF12345"}}), std::string(65, 'x'));
	EXPECT_EQ(error.sqlstate, "22023");
	EXPECT_NE(error.message.find("test_event_code must be at most 64 bytes"), std::string::npos)
	    << error.message;
	Thrown bad_pixel = ErrorOf(Make(identity::Platform::kMeta, {{"pixel_id", "abc"}}), std::string("T"));
	EXPECT_EQ(bad_pixel.sqlstate, "22023");
	EXPECT_EQ(bad_pixel.message.find(kSecret), std::string::npos);
	EXPECT_EQ(ErrorOf(Make(identity::Platform::kMeta, {{"pixel_id", "1"}})).message.find(kSecret),
	          std::string::npos);
}

TEST(TestMode, TheOriginalDestinationIsUnchanged) {
	Destination destination = Make(identity::Platform::kSnap, {{"pixel_id", "abc"}});
	Destination tested = InTestMode(destination, AdapterFor(destination.platform), std::nullopt);
	EXPECT_EQ(json::parse(tested.config_json)["validate"], true);
	EXPECT_FALSE(json::parse(destination.config_json).contains("validate"));
	EXPECT_EQ(tested.credentials_json, destination.credentials_json);
}

} // namespace
} // namespace capi::dispatch
