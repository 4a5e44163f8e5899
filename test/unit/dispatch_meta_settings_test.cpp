#include "core/platforms/meta/meta_adapter.hpp"

#include <gtest/gtest.h>

#include "core/dispatch/adapter.hpp"
#include "core/error.hpp"

namespace capi::dispatch {
namespace {

constexpr const char *kToken = "EAAtoken-123";

Destination MetaDestination(std::string config,
                            std::string credentials = R"({"access_token": "EAAtoken-123"})") {
	Destination destination;
	destination.name = "shop_meta";
	destination.platform = identity::Platform::kMeta;
	destination.config_json = std::move(config);
	destination.credentials_json = std::move(credentials);
	return destination;
}

// The capi::Error message of reading these settings ("" when they are fine).
std::string ErrorOf(const Destination &destination) {
	try {
		ReadMetaSettings(destination);
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_EQ(std::string(error.what()).find(kToken), std::string::npos) << error.what();
		EXPECT_EQ(std::string(error.what()).find("s3cr"), std::string::npos) << error.what();
		return error.what();
	}
	return "";
}

TEST(MetaSettings, Defaults) {
	MetaSettings settings = ReadMetaSettings(MetaDestination(R"({"pixel_id": "123456789012345"})"));
	EXPECT_EQ(settings.pixel_id, "123456789012345");
	EXPECT_EQ(settings.api_version, "v25.0");
	EXPECT_EQ(settings.test_event_code, std::nullopt);
	EXPECT_EQ(settings.partner_agent, std::nullopt);
	EXPECT_EQ(settings.access_token, kToken);
	EXPECT_EQ(settings.appsecret_proof, std::nullopt);
}

TEST(MetaSettings, EverySetting) {
	MetaSettings settings = ReadMetaSettings(MetaDestination(
	    R"({"pixel_id": "42", "api_version": "v24.0", "test_event_code": "TEST123", "partner_agent": "pg_capi"})",
	    R"({"access_token": "EAAtoken-123", "app_secret": "app-secret-42"})"));
	EXPECT_EQ(settings.api_version, "v24.0");
	EXPECT_EQ(settings.test_event_code, "TEST123");
	EXPECT_EQ(settings.partner_agent, "pg_capi");
	// python3: hmac.new(b'app-secret-42', b'EAAtoken-123', hashlib.sha256).hexdigest()
	EXPECT_EQ(settings.appsecret_proof, "012d8cb0a810c5b078576c8a07e6e1a98256af561585c5e26935963c03483a68");
}

TEST(MetaSettings, ConfigErrors) {
	EXPECT_EQ(ErrorOf(MetaDestination(R"({"pixel_id": "12a3"})")),
	          "destination shop_meta: config.pixel_id must be a string of digits");
	EXPECT_EQ(ErrorOf(MetaDestination(R"({"pixel_id": 123})")),
	          "destination shop_meta: config.pixel_id must be a string");
	EXPECT_EQ(ErrorOf(MetaDestination(R"({})")), "destination shop_meta: config.pixel_id is required");
	EXPECT_EQ(ErrorOf(MetaDestination("")), "destination shop_meta: config.pixel_id is required");
	EXPECT_EQ(ErrorOf(MetaDestination(R"({"pixel_id": ""})")),
	          "destination shop_meta: config.pixel_id must not be empty");
	EXPECT_EQ(ErrorOf(MetaDestination(R"({"pixel_id": "1", "api_version": "25.0"})")),
	          "destination shop_meta: config.api_version must look like \"v25.0\"");
	EXPECT_EQ(
	    ErrorOf(MetaDestination(R"({"pixel_id": "1", "pixelid": "2"})")),
	    "destination shop_meta: config has an unknown key \"pixelid\" (expected: pixel_id, api_version, "
	    "test_event_code, partner_agent, event_map, max_requests_per_second, denied_ad_user_data)");
	EXPECT_EQ(ErrorOf(MetaDestination(R"({"pixel_id": "1",)")),
	          "destination shop_meta: config is not valid JSON");
	EXPECT_EQ(ErrorOf(MetaDestination(R"(["1"])")), "destination shop_meta: config must be a JSON object");
}

TEST(MetaSettings, CredentialErrorsNeverQuoteSecrets) {
	const std::string config = R"({"pixel_id": "1"})";
	EXPECT_EQ(ErrorOf(MetaDestination(config, R"({})")),
	          "destination shop_meta: credentials.access_token is required");
	EXPECT_EQ(ErrorOf(MetaDestination(config, R"({"access_token": 5})")),
	          "destination shop_meta: credentials.access_token must be a string");
	EXPECT_EQ(ErrorOf(MetaDestination(config, R"({"access_token": "EAAtoken-123\n"})")),
	          "destination shop_meta: credentials.access_token must not contain control characters");
	// The parser would quote the text around the error: here, the token itself.
	EXPECT_EQ(ErrorOf(MetaDestination(config, R"({"access_token": "EAAtoken-123)")),
	          "destination shop_meta: credentials is not valid JSON");
	EXPECT_EQ(ErrorOf(MetaDestination(config, R"({"access_token": "x", "EAAtoken-123": "s3cr"})")),
	          "destination shop_meta: credentials has an unknown key (expected: access_token, app_secret)");
	EXPECT_EQ(ErrorOf(MetaDestination(config, R"({"access_token": "EAAtoken-123", "app_secret": 7})")),
	          "destination shop_meta: credentials.app_secret must be a string");
}

TEST(MetaSettings, ValidateChecksTheEndpointOverrideToo) {
	const MetaAdapter adapter;
	Destination destination = MetaDestination(R"({"pixel_id": "1"})");
	EXPECT_NO_THROW(adapter.Validate(destination));
	destination.endpoint_override = "http://127.0.0.1:8080/";
	EXPECT_NO_THROW(adapter.Validate(destination));
	destination.endpoint_override = "http://127.0.0.1:8080/prefix";
	EXPECT_THROW(adapter.Validate(destination), Error);
	destination.endpoint_override = "127.0.0.1:8080";
	EXPECT_THROW(adapter.Validate(destination), Error);
	destination.endpoint_override = "https://user:pw@example.com";
	EXPECT_THROW(adapter.Validate(destination), Error);
}

TEST(AdapterRegistry, EveryPlatformDelivers) {
	const std::pair<identity::Platform, std::size_t> kCaps[] = {
	    {identity::Platform::kMeta, 1000u},     {identity::Platform::kGoogle, 2000u},
	    {identity::Platform::kTikTok, 1000u},   {identity::Platform::kLinkedIn, 5000u},
	    {identity::Platform::kSnap, 2000u},     {identity::Platform::kReddit, 1000u},
	    {identity::Platform::kPinterest, 1000u}};
	for (const auto &[platform, cap] : kCaps) {
		const PlatformAdapter *adapter = FindAdapter(platform);
		ASSERT_NE(adapter, nullptr) << identity::PlatformName(platform);
		EXPECT_EQ(adapter->platform(), platform);
		EXPECT_EQ(adapter, &AdapterFor(platform));
		EXPECT_EQ(adapter->MaxBatchSize(), cap) << identity::PlatformName(platform);
	}
	EXPECT_EQ(OutcomeKindName(OutcomeKind::kRejectedEvents), "rejected_events");
	EXPECT_EQ(OutcomeKindName(OutcomeKind::kPartial), "partial");
}

} // namespace
} // namespace capi::dispatch
