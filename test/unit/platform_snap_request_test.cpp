// Snap Conversions API v3 requests: settings, URL with the token, the exact body, batching, consent,
// event names, checks.
#include "core/platforms/snap/snap_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr const char *kEmail =
    "7b17fb0bd173f625b58636fb796407c22b3d16fc78302d79f0fd30c2fc2fc068"; // name@example.com
constexpr const char *kPhone =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kPlusPhone = "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8";
constexpr const char *kJohn = "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a";
constexpr const char *kDob = "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c";
constexpr const char *kPixel = "a1b2c3d4-0000-4000-8000-123456789abc";
constexpr std::int64_t kNow = 1762902400000;

Destination SnapDestination(std::string config = std::string(R"({"pixel_id": ")") + kPixel + "\"}") {
	Destination destination;
	destination.name = "shop_snap";
	destination.platform = identity::Platform::kSnap;
	destination.config_json = std::move(config);
	destination.credentials_json = R"({"access_token": "snap/tok+en=1"})";
	return destination;
}

OutboxEvent Purchase() {
	OutboxEvent event;
	event.outbox_id = 1;
	event.event_id = "order-1001";
	event.event_name = "Purchase";
	event.event_time_ms = 1762902353789;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/checkout";
	event.user_data_json =
	    json{
	        {"email", {kEmail}},
	        {"phone", {kPhone}},
	        {"phone@tiktok", {kPlusPhone}}, // TikTok's: not Snap's
	        {"first_name", {kJohn}},
	        {"date_of_birth", {kDob}},
	        {"client_ip_address", "203.0.113.7"},
	        {"client_user_agent", "Mozilla/5.0"},
	        {"sc_click_id", "sc-click-1"},
	        {"sc_cookie1", "cookie-1"},
	        {"ttclid", "E.C.P.x"},
	    }
	        .dump();
	event.custom_data_json = R"({"value": 10.5, "currency": "USD", "order_id": "1001"})";
	event.consent_json = R"({"opt_out": false, "ldu": {"country": 1, "state": 1000}})";
	return event;
}

TEST(SnapRequest, UrlTokenAndBody) {
	const SnapAdapter adapter;
	OutboxEvent purchase = Purchase();
	HttpRequest request = adapter.BuildRequest(SnapDestination(), {&purchase}, {""}, kNow);
	EXPECT_EQ(request.url, std::string("https://tr.snapchat.com/v3/") + kPixel +
	                           "/events?access_token=snap%2Ftok%2Ben%3D1");
	EXPECT_EQ(request.headers, std::vector<std::string>{"Content-Type: application/json"});
	EXPECT_EQ(request.secrets, (std::vector<std::string>{"snap/tok+en=1", "snap%2Ftok%2Ben%3D1"}));
	EXPECT_EQ(request.body.find("tok"), std::string::npos);
	json expected = {{"data",
	                  {{
	                      {"event_name", "PURCHASE"},
	                      {"event_time", 1762902353}, // seconds (Snap's documented example)
	                      {"event_id", "order-1001"},
	                      {"action_source", "WEB"},
	                      {"event_source_url", "https://shop.example/checkout"},
	                      {"opt_out", false},
	                      {"user_data",
	                       {{"em", {kEmail}},
	                        {"ph", {kPhone}},
	                        {"fn", {kJohn}},
	                        {"db", kDob},
	                        {"client_ip_address", "203.0.113.7"},
	                        {"client_user_agent", "Mozilla/5.0"},
	                        {"sc_click_id", "sc-click-1"},
	                        {"sc_cookie1", "cookie-1"}}},
	                      {"custom_data", {{"value", 10.5}, {"currency", "USD"}, {"order_id", "1001"}}},
	                      {"data_processing_options", {"LDU"}},
	                      {"data_processing_options_country", 1},
	                      {"data_processing_options_state", 1000},
	                  }}}};
	EXPECT_EQ(json::parse(request.body), expected) << request.body;
}

TEST(SnapRequest, ValidateAndEndpointOverride) {
	const SnapAdapter adapter;
	OutboxEvent purchase = Purchase();
	Destination destination =
	    SnapDestination(std::string(R"({"pixel_id": ")") + kPixel + R"(", "validate": true})");
	EXPECT_EQ(adapter.BuildRequest(destination, {&purchase}, {"http://127.0.0.1:9"}, kNow).url,
	          std::string("http://127.0.0.1:9/v3/") + kPixel +
	              "/events/validate?access_token=snap%2Ftok%2Ben%3D1");
	EXPECT_EQ(SnapActionSource("app"), "MOBILE_APP");
	EXPECT_EQ(SnapActionSource("physical_store"), "OFFLINE");
}

TEST(SnapRequest, BatchingStopsAtTheCap) {
	const SnapAdapter adapter;
	EXPECT_EQ(adapter.MaxBatchSize(), 2000u);
	EXPECT_EQ(adapter.DefaultRequestsPerSecond(), 0);
	Destination destination = SnapDestination();
	auto builder = adapter.StartRequest(destination, {""});
	OutboxEvent purchase = Purchase();
	for (int i = 0; i < 2000; ++i) {
		ASSERT_FALSE(builder->Add(purchase, kNow));
	}
	EXPECT_TRUE(builder->full());
	EXPECT_THROW(builder->Add(purchase, kNow), Error);
	EXPECT_EQ(json::parse(builder->Finish().body)["data"].size(), 2000u);
}

TEST(SnapRequest, ConsentAndNames) {
	const SnapAdapter adapter;
	OutboxEvent event = Purchase();
	event.consent_json = R"({"ad_user_data": "denied"})";
	std::optional<Refusal> refusal = adapter.StartRequest(SnapDestination(), {""})->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("ad_user_data is denied"), std::string::npos);
	// Stripped, Snap's minimum identifiers are gone: still not sent, with that reason.
	refusal = adapter
	              .StartRequest(SnapDestination(std::string(R"({"pixel_id": ")") + kPixel +
	                                            R"(", "denied_ad_user_data": "send_without_identifiers"})"),
	                            {""})
	              ->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("Snap requires em, ph"), std::string::npos);

	event = Purchase();
	event.event_name = "Lead";
	refusal = adapter.StartRequest(SnapDestination(), {""})->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(refusal->reason,
	          "no Snap event for \"Lead\": add it to the destination's config.event_map to send it");
	Destination mapped = SnapDestination(std::string(R"({"pixel_id": ")") + kPixel +
	                                     R"(", "event_map": {"Lead": "SIGN_UP"}})");
	EXPECT_EQ(json::parse(adapter.BuildRequest(mapped, {&event}, {""}, kNow).body)["data"][0]["event_name"],
	          "SIGN_UP");
	EXPECT_EQ(SnapEventName({}, "AddToCart"), "ADD_CART");
	EXPECT_EQ(SnapEventName({}, "PageView"), "PAGE_VIEW");
}

TEST(SnapRequest, Checks) {
	const SnapAdapter adapter;
	auto refused = [&](const OutboxEvent &event) {
		return adapter.Preflight(SnapDestination(), event, kNow).value_or("");
	};
	EXPECT_EQ(refused(Purchase()), "");
	OutboxEvent event = Purchase();
	event.event_time_ms = kNow - 38 * kSnapDayMs;
	EXPECT_EQ(refused(event), "event_time is 38 days old; Snap takes events up to 37 days old");
	event.event_time_ms = kNow - 36 * kSnapDayMs;
	EXPECT_EQ(refused(event), "");
	event.event_time_ms = kNow + 11 * 60 * 1000;
	EXPECT_EQ(refused(event), "event_time is 660 s in the future; Snap rejects it");
	event = Purchase();
	event.user_data_json = R"({"email": ["Name@Example.com"]})";
	EXPECT_EQ(refused(event), "user_data: a email value for Snap is not a lowercase SHA-256 hex digest");
	event.user_data_json = R"({"client_ip_address": "203.0.113.7"})";
	EXPECT_EQ(refused(event), "Snap requires em, ph, or client_ip_address with client_user_agent");
}

TEST(SnapSettings, Errors) {
	auto message = [](const std::string &config, const std::string &credentials) -> std::string {
		Destination destination = SnapDestination(config);
		destination.credentials_json = credentials;
		try {
			SnapAdapter().Validate(destination);
		} catch (const Error &error) {
			EXPECT_STREQ(error.sqlstate(), "22023");
			return error.what();
		}
		return "";
	};
	const std::string token = R"({"access_token": "t"})";
	EXPECT_EQ(message(R"({"pixel_id": "abc-1"})", token), "");
	EXPECT_EQ(message(R"({})", token), "destination shop_snap: config.pixel_id is required");
	EXPECT_NE(message(R"({"pixel_id": "a/b"})", token).find("config.pixel_id must be"), std::string::npos);
	EXPECT_EQ(message(R"({"pixel_id": "a", "validate": "yes"})", token),
	          "destination shop_snap: config.validate must be true or false");
	EXPECT_NE(message(R"({"pixel_id": "a", "pixel_code": "x"})", token).find("pixel_code"),
	          std::string::npos);
	std::string bad = message(R"({"pixel_id": "a"})", R"({"access_token": "sec\nret"})");
	EXPECT_NE(bad.find("credentials.access_token must not contain control characters"), std::string::npos);
	EXPECT_EQ(bad.find("sec"), std::string::npos);
}

TEST(SnapClassify, Answers) {
	auto classify = [](long status, std::string_view body, std::size_t batch = 5) {
		return SnapAdapter().Classify(SnapDestination(), batch, status, body, {});
	};
	EXPECT_EQ(classify(200, R"({"status":"VALID","reason":""})").kind, OutcomeKind::kDelivered);
	BatchOutcome invalid = classify(400, R"({"status":"INVALID","reason":"event_time is too old"})");
	EXPECT_EQ(invalid.kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(invalid.message, "HTTP 400: Snap: INVALID: event_time is too old");
	BatchOutcome named = classify(400, R"({"status":"INVALID","reason":"bad em","event":3})");
	EXPECT_EQ(named.kind, OutcomeKind::kRejectedEvents);
	EXPECT_EQ(named.bad_indexes, std::vector<std::size_t>{3});
	EXPECT_EQ(classify(400, R"({"status":"INVALID","reason":"bad em","event":9})").kind,
	          OutcomeKind::kRejectedBatch);
	EXPECT_EQ(classify(200, R"({"status":"INVALID","reason":"x"})").kind, OutcomeKind::kRejectedBatch);
	EXPECT_EQ(classify(401, R"({"status":"INVALID","reason":"Unauthorized"})").kind,
	          OutcomeKind::kAuthFailed);
	EXPECT_EQ(classify(400, R"({"status":"INVALID","reason":"invalid access_token"})").kind,
	          OutcomeKind::kAuthFailed);
	EXPECT_EQ(classify(403, R"({"status":"INVALID","reason":"no access to pixel"})").kind,
	          OutcomeKind::kPermanent);
	EXPECT_EQ(classify(404, "").kind, OutcomeKind::kPermanent);
	EXPECT_EQ(classify(429, "").kind, OutcomeKind::kRetry);
	EXPECT_EQ(classify(503, R"({"status":"INVALID","reason":"down"})").kind, OutcomeKind::kRetry);
	EXPECT_EQ(classify(200, "{}").kind, OutcomeKind::kRetry);
	BatchOutcome leaked = classify(401, R"({"status":"INVALID","reason":"token snap/tok+en=1 revoked"})");
	EXPECT_EQ(leaked.message.find("snap/tok+en=1"), std::string::npos);
}

} // namespace
} // namespace capi::dispatch
