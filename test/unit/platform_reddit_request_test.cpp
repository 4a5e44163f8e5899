// Reddit's request: URL, headers, the exact body (ms, type, user, metadata), the batch cap, the
// age window, consent (LDU) and the event-name mapping.
#include "core/platforms/reddit/reddit_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr const char *kToken = "rdt-conversion-token-1";
// Reddit's published example: Al.ice$+Apple@Example.Com -> alice@example.com
constexpr const char *kRedditEmail = "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976";
constexpr const char *kMetaEmail = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
constexpr const char *kPhonePlus =
    "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"; // +16505551212
constexpr const char *kCrm42 = "c995655d9d4b04d624bc48b0bf3e4e773b6a3ab4dc56e9ec623aebf3ff5be297";
constexpr std::int64_t kNow = 1762902400000;

Destination RedditDestination(std::string config = R"({"pixel_id": "a2_ewxbfz9xk2d5"})") {
	Destination destination;
	destination.name = "shop_reddit";
	destination.platform = identity::Platform::kReddit;
	destination.config_json = std::move(config);
	destination.credentials_json = std::string(R"({"access_token": ")") + kToken + "\"}";
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
	        {"email", {kMetaEmail}},
	        {"email@reddit", {kRedditEmail}},
	        {"phone@reddit", {kPhonePlus}},
	        {"external_id", {kCrm42}},
	        {"first_name", {kMetaEmail}}, // not Reddit's
	        {"client_ip_address", "203.0.113.7"},
	        {"client_user_agent", "Mozilla/5.0"},
	        {"rdt_click_id", "t3_clickid"},
	        {"rdt_uuid", "1684189007728.7c2f1c02-2ac4-4a6a-9b6c-9c0d2f0e4a11"},
	        {"epik", "not-reddit"},
	    }
	        .dump();
	event.custom_data_json =
	    R"({"value": 123.45, "currency": "usd", "order_id": "1001",)"
	    R"( "contents": [{"id": "sku-1", "quantity": 2, "title": "Mug", "category": "Kitchen"},)"
	    R"( {"id": 7, "quantity": 1}], "content_type": "product"})";
	event.consent_json = R"({"ad_user_data": "granted"})";
	return event;
}

OutboxEvent Lead() {
	OutboxEvent event;
	event.outbox_id = 2;
	event.event_id = "lead-7";
	event.event_name = "Lead";
	event.event_time_ms = 1762902000000;
	event.action_source = "phone_call";
	event.user_data_json = std::string(R"({"email@reddit": [")") + kRedditEmail + R"("]})";
	event.consent_json = R"({"ldu": {"country": 1, "state": 1000}})";
	return event;
}

HttpRequest Build(const Destination &destination, std::vector<const OutboxEvent *> events) {
	return RedditAdapter().BuildRequest(destination, events, {""}, kNow);
}

TEST(RedditRequest, BodyMapsEveryColumn) {
	OutboxEvent purchase = Purchase(), lead = Lead();
	json body = json::parse(Build(RedditDestination(), {&purchase, &lead}).body);
	json expected_purchase = {
	    {"event_at", 1762902353789}, // milliseconds
	    {"action_source", "WEBSITE"},
	    {"click_id", "t3_clickid"},
	    {"type", {{"tracking_type", "PURCHASE"}}},
	    {"user",
	     {{"email", kRedditEmail}, // email@reddit (Reddit's normalization), a single string
	      {"phone_number", kPhonePlus},
	      {"external_id", kCrm42},
	      {"ip_address", "203.0.113.7"},
	      {"user_agent", "Mozilla/5.0"},
	      {"uuid", "1684189007728.7c2f1c02-2ac4-4a6a-9b6c-9c0d2f0e4a11"}}},
	    {"metadata",
	     {{"conversion_id", "order-1001"},
	      {"value", 123.45},
	      {"currency", "USD"},
	      {"products", {{{"id", "sku-1"}, {"name", "Mug"}, {"category", "Kitchen"}}, {{"id", "7"}}}},
	      {"item_count", 3}}},
	};
	json expected_lead = {
	    {"event_at", 1762902000000},
	    {"action_source", "OTHER"},
	    {"type", {{"tracking_type", "LEAD"}}},
	    {"user",
	     {{"email", kRedditEmail},
	      {"data_processing_options", {{"modes", {"LDU"}}, {"country", "US"}, {"region", "US-CA"}}}}},
	    {"metadata", {{"conversion_id", "lead-7"}}},
	};
	EXPECT_EQ(body, json({{"data", {{"events", {expected_purchase, expected_lead}}}}})) << body.dump(2);
}

TEST(RedditRequest, ExactTextUrlHeadersAndSecrets) {
	OutboxEvent lead = Lead();
	lead.consent_json = "";
	lead.event_id = "";
	HttpRequest request = Build(RedditDestination(R"({"pixel_id": "a2_x", "test_id": "t2_test"})"), {&lead});
	EXPECT_EQ(request.body,
	          std::string(R"({"data":{"test_id":"t2_test","events":[{"event_at":1762902000000,)") +
	              R"("action_source":"OTHER","type":{"tracking_type":"LEAD"},"user":{"email":")" +
	              kRedditEmail + R"("}}]}})");
	EXPECT_EQ(request.url, "https://ads-api.reddit.com/api/v3/pixels/a2_x/conversion_events");
	EXPECT_EQ(request.headers, std::vector<std::string>({"Content-Type: application/json",
	                                                     std::string("Authorization: Bearer ") + kToken}));
	EXPECT_EQ(request.secrets, std::vector<std::string>({kToken}));
	Destination local = RedditDestination();
	local.endpoint_override = "http://127.0.0.1:9000";
	EXPECT_EQ(Build(local, {&lead}).url,
	          "http://127.0.0.1:9000/api/v3/pixels/a2_ewxbfz9xk2d5/conversion_events");
	EXPECT_EQ(RedditAdapter().BuildRequest(local, {&lead}, {"http://[::1]:1"}, kNow).url,
	          "http://[::1]:1/api/v3/pixels/a2_ewxbfz9xk2d5/conversion_events");
}

TEST(RedditRequest, BatchCapAndRate) {
	RedditAdapter adapter;
	EXPECT_EQ(adapter.MaxBatchSize(), 1000u);
	EXPECT_EQ(adapter.DefaultRequestsPerSecond(), 1.0);
	Destination destination = RedditDestination();
	auto builder = adapter.StartRequest(destination, {""});
	OutboxEvent lead = Lead();
	for (int i = 0; i < 1000; ++i) {
		EXPECT_FALSE(builder->full());
		ASSERT_EQ(builder->Add(lead, kNow), std::nullopt);
	}
	EXPECT_TRUE(builder->full());
	EXPECT_THROW(builder->Add(lead, kNow), Error);
	EXPECT_EQ(json::parse(builder->Finish().body)["data"]["events"].size(), 1000u);
}

TEST(RedditRequest, TimeWindow) {
	RedditAdapter adapter;
	OutboxEvent event = Lead();
	event.event_time_ms = kNow - 168LL * 3600 * 1000 + 2 * 60 * 1000; // 167 h 58 min
	EXPECT_EQ(adapter.Preflight(RedditDestination(), event, kNow), std::nullopt);
	event.event_time_ms = kNow - 168LL * 3600 * 1000 + 30 * 1000; // would expire on the way
	EXPECT_EQ(adapter.Preflight(RedditDestination(), event, kNow),
	          "event_time is 167 hours old; Reddit rejects events 168 hours (7 days) old");
	event.event_time_ms = kNow + 5 * 60 * 1000;
	EXPECT_EQ(adapter.Preflight(RedditDestination(), event, kNow), std::nullopt);
	event.event_time_ms = kNow + 5 * 60 * 1000 + 1000;
	EXPECT_EQ(adapter.Preflight(RedditDestination(), event, kNow),
	          "event_time is 301 s in the future; Reddit rejects more than 5 minutes ahead");
}

TEST(RedditRequest, RefusedEventsLeaveNothingBehind) {
	auto builder = RedditAdapter().StartRequest(RedditDestination(), {""});
	OutboxEvent unhashed = Lead();
	unhashed.user_data_json = R"({"email@reddit": ["alice@example.com"]})";
	std::optional<Refusal> refusal = builder->Add(unhashed, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_FALSE(refusal->skip);
	EXPECT_EQ(*refusal, "user: a email value for Reddit is not a lowercase SHA-256 hex digest");
	OutboxEvent bad_ip = Lead();
	bad_ip.user_data_json = R"({"client_ip_address": "999.1.1.1"})";
	refusal = builder->Add(bad_ip, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_EQ(*refusal, "user.ip_address is not an IPv4 or IPv6 address");
	OutboxEvent bad_value = Lead();
	bad_value.custom_data_json = R"({"value": "12"})";
	EXPECT_TRUE(builder->Add(bad_value, kNow));
	EXPECT_EQ(builder->size(), 0u);
	OutboxEvent good = Lead();
	ASSERT_EQ(builder->Add(good, kNow), std::nullopt);
	EXPECT_EQ(json::parse(builder->Finish().body)["data"]["events"].size(), 1u);
}

TEST(RedditRequest, ConsentAndLdu) {
	OutboxEvent denied = Purchase();
	denied.consent_json = R"({"ad_user_data": "denied", "ldu": true})";
	std::optional<Refusal> refusal =
	    RedditAdapter().StartRequest(RedditDestination(), {""})->Add(denied, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("ad_user_data is denied"), std::string::npos);

	// Sent without identifiers when the destination chooses so: no user but LDU, no click id.
	Destination stripped =
	    RedditDestination(R"({"pixel_id": "a2_x", "denied_ad_user_data": "send_without_identifiers"})");
	json event = json::parse(Build(stripped, {&denied}).body)["data"]["events"][0];
	EXPECT_EQ(event["user"], json({{"data_processing_options", {{"modes", {"LDU"}}}}})) << event.dump();
	EXPECT_FALSE(event.contains("click_id"));
	EXPECT_EQ(event["metadata"]["conversion_id"], "order-1001");

	OutboxEvent lead = Lead();
	auto user_of = [&](const char *consent) {
		lead.consent_json = consent;
		return json::parse(Build(RedditDestination(), {&lead}).body)["data"]["events"][0]["user"];
	};
	std::string email = std::string(R"({"email":")") + kRedditEmail + "\"";
	EXPECT_EQ(user_of(""), json::parse(email + "}"));
	EXPECT_EQ(user_of(R"({"ldu": true})"),
	          json::parse(email + R"(,"data_processing_options":{"modes":["LDU"]}})"));
	EXPECT_EQ(user_of(R"({"ldu": {"country": 1, "state": 0}})"),
	          json::parse(email + R"(,"data_processing_options":{"modes":["LDU"],"country":"US"}})"));
	EXPECT_EQ(user_of(R"({"opt_out": true})"),
	          json::parse(email + R"(,"data_processing_options":{"modes":["LDU"]}})"));
	EXPECT_EQ(user_of(R"({"opt_out": false, "ldu": false})"), json::parse(email + "}"));
}

TEST(RedditRequest, EventTypesAndEventMap) {
	CommonSettings common;
	auto type_of = [&](std::string_view name) {
		std::optional<RedditEventType> type = RedditEventTypeFor(common, name);
		return type ? std::string(type->tracking_type) + "/" + std::string(type->custom_event_name)
		            : std::string("none");
	};
	EXPECT_EQ(type_of("Purchase"), "PURCHASE/");
	EXPECT_EQ(type_of("AddToCart"), "ADD_TO_CART/");
	EXPECT_EQ(type_of("CompleteRegistration"), "SIGN_UP/");
	EXPECT_EQ(type_of("PageView"), "PAGE_VISIT/");
	EXPECT_EQ(type_of("InitiateCheckout"), "CUSTOM/InitiateCheckout");
	EXPECT_EQ(type_of("Donate"), "none");
	common.event_map = {{"Donate", "CUSTOM"}, {"Quote", "LEAD"}, {"Purchase", ""}, {"Trial", "Free Trial"}};
	EXPECT_EQ(type_of("Donate"), "CUSTOM/Donate");
	EXPECT_EQ(type_of("Quote"), "LEAD/");
	EXPECT_EQ(type_of("Purchase"), "none");
	EXPECT_EQ(type_of("Trial"), "CUSTOM/Free Trial");

	OutboxEvent donate = Lead();
	donate.event_name = "Donate";
	std::optional<Refusal> refusal =
	    RedditAdapter().StartRequest(RedditDestination(), {""})->Add(donate, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(*refusal,
	          "no Reddit event for \"Donate\": add it to the destination's config.event_map to send it");
	json event = json::parse(
	    Build(RedditDestination(R"({"pixel_id": "a2_x", "event_map": {"Donate": "CUSTOM"}})"), {&donate})
	        .body)["data"]["events"][0];
	EXPECT_EQ(event["type"], json({{"tracking_type", "CUSTOM"}, {"custom_event_name", "Donate"}}));
	Destination long_name = RedditDestination(
	    std::string(R"({"pixel_id": "a2_x", "event_map": {"Donate": ")") + std::string(65, 'x') + "\"}}");
	refusal = RedditAdapter().StartRequest(long_name, {""})->Add(donate, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_FALSE(refusal->skip);
}

} // namespace
} // namespace capi::dispatch
