// TikTok Events API 2.0 requests: settings, the exact body, batching, consent and event names.
#include "core/platforms/tiktok/tiktok_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr const char *kToken = "tt-token-123";
constexpr const char *kEmail = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
constexpr const char *kMetaPhone =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kPlusPhone =
    "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"; // +16505551212
constexpr const char *kJohn = "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a";
constexpr const char *kSmith = "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd";
constexpr const char *kZip = "1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e";
constexpr const char *kCrm42 = "c995655d9d4b04d624bc48b0bf3e4e773b6a3ab4dc56e9ec623aebf3ff5be297";
constexpr const char *kMetaCity = "350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5";
constexpr std::int64_t kNow = 1762902400000;

Destination TikTokDestination(std::string config = R"({"pixel_code": "C4ABCDEF12345"})") {
	Destination destination;
	destination.name = "shop_tiktok";
	destination.platform = identity::Platform::kTikTok;
	destination.config_json = std::move(config);
	destination.credentials_json = R"({"access_token": "tt-token-123"})";
	return destination;
}

OutboxEvent Purchase() {
	OutboxEvent event;
	event.outbox_id = 1;
	event.event_id = "order-1001";
	event.event_name = "Purchase";
	event.event_time_ms = 1762902353789;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/checkout?step=3";
	event.user_data_json =
	    json{
	        {"email", {kEmail}},
	        {"phone", {kMetaPhone}},
	        {"phone@tiktok", {kPlusPhone}},
	        {"first_name", {kJohn}},
	        {"last_name", {kSmith}},
	        {"zip", {kZip}},
	        {"city", {kMetaCity}},
	        {"city@tiktok", {"newyork"}},
	        {"state@tiktok", {"ny"}},
	        {"country@tiktok", {"us"}},
	        {"external_id", {kCrm42}},
	        {"gender", {kJohn}}, // TikTok has no gender key: not sent
	        {"client_ip_address", "203.0.113.7"},
	        {"client_user_agent", "Mozilla/5.0 (\"quoted\")"},
	        {"ttclid", "E.C.P.abc"},
	        {"ttp", "2F7h37YkS1j57AYSKTI7IHhJPYH"},
	        {"fbc", "fb.1.1554763741205.AbCdEf"},
	    }
	        .dump();
	event.custom_data_json = R"({"value": 123.45, "currency": "usd", "content_type": "product",
	    "contents": [{"id": 1077218, "quantity": 2, "item_price": 9.99, "title": "shirt", "delivery_category": "home_delivery"}],
	    "content_ids": ["1077218"], "num_items": 2, "order_id": "1001", "search_string": "red shirt", "status": "x"})";
	event.consent_json = R"({"opt_out": false, "ad_user_data": "granted"})";
	return event;
}

OutboxEvent Lead() {
	OutboxEvent event;
	event.outbox_id = 2;
	event.event_name = "Lead";
	event.event_time_ms = 1762902000000;
	event.action_source = "website";
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("]})";
	event.consent_json = R"({"ldu": true})";
	return event;
}

TEST(TikTokRequest, BodyMapsEveryColumn) {
	const TikTokAdapter adapter;
	OutboxEvent purchase = Purchase(), lead = Lead();
	HttpRequest request = adapter.BuildRequest(
	    TikTokDestination(R"({"pixel_code": "C4ABCDEF12345", "test_event_code": "TEST123"})"),
	    {&purchase, &lead}, {""}, kNow);
	EXPECT_EQ(request.url, "https://business-api.tiktok.com/open_api/v1.3/event/track/");
	EXPECT_EQ(request.headers,
	          (std::vector<std::string>{"Content-Type: application/json", "Access-Token: tt-token-123"}));
	EXPECT_EQ(request.secrets, std::vector<std::string>{kToken});
	EXPECT_EQ(request.body.find(kToken), std::string::npos);

	json expected = {
	    {"event_source", "web"},
	    {"event_source_id", "C4ABCDEF12345"},
	    {"test_event_code", "TEST123"},
	    {"data",
	     {
	         {
	             {"event", "Purchase"},
	             {"event_time", 1762902353}, // Unix seconds
	             {"event_id", "order-1001"},
	             {"user",
	              {
	                  {"email", {kEmail}},
	                  {"phone", {kPlusPhone}}, // phone@tiktok: E.164 with "+"
	                  {"external_id", {kCrm42}},
	                  {"first_name", kJohn},
	                  {"last_name", kSmith},
	                  {"zip_code", kZip},
	                  {"city", "newyork"}, // plain, from city@tiktok
	                  {"state", "ny"},
	                  {"country", "us"},
	                  {"ttclid", "E.C.P.abc"},
	                  {"ttp", "2F7h37YkS1j57AYSKTI7IHhJPYH"},
	                  {"ip", "203.0.113.7"},
	                  {"user_agent", "Mozilla/5.0 (\"quoted\")"},
	              }},
	             {"properties",
	              {
	                  {"value", 123.45},
	                  {"currency", "USD"},
	                  {"content_type", "product"},
	                  {"contents",
	                   {{{"content_id", "1077218"},
	                     {"quantity", 2},
	                     {"price", 9.99},
	                     {"content_name", "shirt"}}}},
	                  {"content_ids", {"1077218"}},
	                  {"num_items", 2},
	                  {"order_id", "1001"},
	                  {"query", "red shirt"},
	              }},
	             {"page", {{"url", "https://shop.example/checkout?step=3"}}},
	         },
	         {
	             {"event", "Lead"},
	             {"event_time", 1762902000},
	             {"user", {{"email", {kEmail}}}},
	             {"properties", json::object()},
	             {"limited_data_use", true},
	         },
	     }},
	};
	EXPECT_EQ(json::parse(request.body), expected) << request.body;
}

TEST(TikTokRequest, KeyOrderIsTikToks) {
	const TikTokAdapter adapter;
	OutboxEvent lead = Lead();
	HttpRequest request = adapter.BuildRequest(TikTokDestination(), {&lead}, {""}, kNow);
	EXPECT_EQ(
	    request.body,
	    std::string(R"({"event_source":"web","event_source_id":"C4ABCDEF12345","data":[{"event":"Lead",)") +
	        R"("event_time":1762902000,"user":{"email":[")" + kEmail +
	        R"("]},"properties":{},"limited_data_use":true}]})");
}

TEST(TikTokRequest, EndpointOverrideKeepsThePath) {
	const TikTokAdapter adapter;
	OutboxEvent lead = Lead();
	Destination destination = TikTokDestination();
	destination.endpoint_override = "https://proxy.example:8443";
	EXPECT_EQ(adapter.BuildRequest(destination, {&lead}, {""}, kNow).url,
	          "https://proxy.example:8443/open_api/v1.3/event/track/");
	EXPECT_EQ(adapter.BuildRequest(destination, {&lead}, {"http://127.0.0.1:9"}, kNow).url,
	          "http://127.0.0.1:9/open_api/v1.3/event/track/");
}

TEST(TikTokRequest, EventSourceFollowsActionSource) {
	EXPECT_EQ(TikTokEventSource("website"), "web");
	EXPECT_EQ(TikTokEventSource("app"), "app");
	EXPECT_EQ(TikTokEventSource("physical_store"), "offline");
	EXPECT_EQ(TikTokEventSource("phone_call"), "offline");
	EXPECT_EQ(TikTokEventSource("system_generated"), "crm");
	const TikTokAdapter adapter;
	OutboxEvent web = Lead(), store = Lead();
	store.action_source = "physical_store";
	EXPECT_NE(adapter.GroupingKey(TikTokDestination(), web), adapter.GroupingKey(TikTokDestination(), store));
	HttpRequest request = adapter.BuildRequest(TikTokDestination(), {&store}, {""}, kNow);
	EXPECT_EQ(json::parse(request.body)["event_source"], "offline");
}

TEST(TikTokRequest, BatchingStopsAtTheCap) {
	const TikTokAdapter adapter;
	EXPECT_EQ(adapter.MaxBatchSize(), 1000u);
	EXPECT_EQ(adapter.DefaultRequestsPerSecond(), 0);
	Destination destination = TikTokDestination();
	auto builder = adapter.StartRequest(destination, {""});
	OutboxEvent lead = Lead();
	for (int i = 0; i < 1000; ++i) {
		ASSERT_FALSE(builder->full());
		ASSERT_FALSE(builder->Add(lead, kNow));
	}
	EXPECT_TRUE(builder->full());
	EXPECT_THROW(builder->Add(lead, kNow), Error);
	HttpRequest request = builder->Finish();
	EXPECT_EQ(json::parse(request.body)["data"].size(), 1000u);
}

TEST(TikTokRequest, DeniedAdUserDataIsSkippedByDefault) {
	const TikTokAdapter adapter;
	OutboxEvent purchase = Purchase();
	purchase.consent_json = R"({"ad_user_data": "denied"})";
	auto builder = adapter.StartRequest(TikTokDestination(), {""});
	std::optional<Refusal> refusal = builder->Add(purchase, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("ad_user_data is denied"), std::string::npos);
	EXPECT_EQ(builder->size(), 0u);
	EXPECT_TRUE(adapter.Preflight(TikTokDestination(), purchase, kNow));
}

TEST(TikTokRequest, DeniedAdUserDataSentWithoutIdentifiersWhenChosen) {
	const TikTokAdapter adapter;
	OutboxEvent purchase = Purchase();
	purchase.consent_json = R"({"ad_user_data": "denied", "ldu": true})";
	HttpRequest request = adapter.BuildRequest(
	    TikTokDestination(
	        R"({"pixel_code": "C4ABCDEF12345", "denied_ad_user_data": "send_without_identifiers"})"),
	    {&purchase}, {""}, kNow);
	json event = json::parse(request.body)["data"][0];
	EXPECT_EQ(event["user"], json::object());
	EXPECT_EQ(event["limited_data_use"], true);
	EXPECT_EQ(request.body.find(kEmail), std::string::npos);
	EXPECT_EQ(request.body.find("203.0.113.7"), std::string::npos);
	EXPECT_EQ(request.body.find("E.C.P.abc"), std::string::npos);
}

TEST(TikTokRequest, EventNamesMapAndUnmappedAreSkipped) {
	const TikTokAdapter adapter;
	OutboxEvent event = Lead();
	event.event_name = "PageView";
	auto builder = adapter.StartRequest(TikTokDestination(), {""});
	std::optional<Refusal> refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(refusal->reason,
	          "no TikTok event for \"PageView\": add it to the destination's config.event_map to send it");

	Destination mapped = TikTokDestination(
	    R"({"pixel_code": "C4ABCDEF12345", "event_map": {"PageView": "Pageview", "Lead": ""}})");
	HttpRequest request = adapter.BuildRequest(mapped, {&event}, {""}, kNow);
	EXPECT_EQ(json::parse(request.body)["data"][0]["event"], "Pageview");
	OutboxEvent lead = Lead();
	refusal = adapter.StartRequest(mapped, {""})->Add(lead, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip); // "" = do not send

	EXPECT_EQ(TikTokEventName({}, "Purchase"), "Purchase");
	EXPECT_EQ(TikTokEventName({}, "CompleteRegistration"), "CompleteRegistration");
	EXPECT_FALSE(TikTokEventName({}, "Donate"));
	EXPECT_FALSE(TikTokEventName({}, "purchase")); // case-sensitive
}

TEST(TikTokRequest, ChecksRefuseWhatTikTokWouldRejectTheBatchFor) {
	const TikTokAdapter adapter;
	const Destination destination = TikTokDestination();
	auto refused = [&](OutboxEvent event) -> std::string {
		std::optional<std::string> reason = adapter.Preflight(destination, event, kNow);
		std::optional<Refusal> added = adapter.StartRequest(destination, {""})->Add(event, kNow);
		EXPECT_EQ(reason.has_value(), added.has_value());
		if (added) {
			EXPECT_FALSE(added->skip);
		}
		return reason.value_or("");
	};
	EXPECT_EQ(refused(Purchase()), "");
	OutboxEvent event = Purchase();
	event.event_time_ms = kNow + 11 * 60 * 1000;
	EXPECT_EQ(refused(event), "event_time is 660 s in the future; TikTok rejects it");
	event = Purchase();
	event.event_time_ms = kNow - 400LL * 24 * 3600 * 1000; // no age limit (undocumented)
	EXPECT_EQ(refused(event), "");
	event = Purchase();
	event.user_data_json = R"({"email": ["John@Example.com"]})";
	EXPECT_EQ(refused(event), "user: a email value for TikTok is not a lowercase SHA-256 hex digest");
	event.user_data_json = R"({"client_ip_address": "not-an-ip"})";
	EXPECT_EQ(refused(event), "user.ip is not an IPv4 or IPv6 address");
	event = Purchase();
	event.custom_data_json = R"({"value": "12.5"})";
	EXPECT_EQ(refused(event), "custom_data.value must be a number for TikTok");
	event.custom_data_json = R"({"contents": [{"id": {"x": 1}}]})";
	EXPECT_EQ(refused(event), "custom_data.contents[].id must be a string for TikTok");
	event.custom_data_json = R"({"contents": [{"quantity": 1.5}]})";
	EXPECT_EQ(refused(event), "custom_data.contents[].quantity must be an integer for TikTok");
	event.custom_data_json = R"({"currency": 840})";
	EXPECT_EQ(refused(event), "custom_data.currency must be a string for TikTok");
}

TEST(TikTokSettings, ErrorsNameTheKeyNeverTheSecret) {
	auto message = [](const std::string &config, const std::string &credentials) -> std::string {
		Destination destination = TikTokDestination(config);
		destination.credentials_json = credentials;
		try {
			TikTokAdapter().Validate(destination);
		} catch (const Error &error) {
			EXPECT_STREQ(error.sqlstate(), "22023");
			return error.what();
		}
		return "";
	};
	const std::string token = R"({"access_token": "tt-token-123"})";
	EXPECT_EQ(message(R"({"pixel_code": "C4ABCDEF12345"})", token), "");
	EXPECT_EQ(message(R"({})", token), "destination shop_tiktok: config.pixel_code is required");
	EXPECT_NE(message(R"({"pixel_code": "C4/../x"})", token).find("config.pixel_code must be"),
	          std::string::npos);
	EXPECT_NE(message(R"({"pixel_code": "C4", "pixel_id": "1"})", token).find("pixel_id"), std::string::npos);
	EXPECT_NE(message(R"({"pixel_code": "C4", "event_map": []})", token).find("config.event_map"),
	          std::string::npos);
	EXPECT_NE(message(R"({"pixel_code": "C4"})", "{}").find("credentials.access_token"), std::string::npos);
	std::string bad = message(R"({"pixel_code": "C4"})", R"({"access_token": "secret\r\nX-Injected: 1"})");
	EXPECT_NE(bad.find("credentials.access_token must not contain control characters"), std::string::npos);
	EXPECT_EQ(bad.find("secret"), std::string::npos);
	std::string unknown = message(R"({"pixel_code": "C4"})", R"({"access_token": "a", "s3cr3t_name": "b"})");
	EXPECT_EQ(unknown.find("s3cr3t"), std::string::npos);
	EXPECT_NE(unknown, "");
}

} // namespace
} // namespace capi::dispatch
