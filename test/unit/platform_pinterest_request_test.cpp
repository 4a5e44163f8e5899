// Pinterest's request: URL, headers, the exact body (hashed arrays, seconds, decimal strings), the
// batch cap, consent and the event-name mapping.
#include "core/platforms/pinterest/pinterest_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr const char *kToken = "pina_conversion-token-1";
constexpr const char *kEmail =
    "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"; // john_smith@gmail.com
constexpr const char *kPhone =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kMary = "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec";
constexpr const char *kUs = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";
constexpr const char *kOtherHash = "0000000000000000000000000000000000000000000000000000000000000001";
constexpr std::int64_t kNow = 1762902400000;

Destination PinterestDestination(std::string config = R"({"ad_account_id": "549755885175"})") {
	Destination destination;
	destination.name = "shop_pinterest";
	destination.platform = identity::Platform::kPinterest;
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
	        {"email", {kEmail}},
	        {"email@google", {kOtherHash}},
	        {"phone", {kPhone}},
	        {"first_name", {kMary}},
	        {"country", {kUs}},
	        {"country@pinterest", {kOtherHash}},
	        {"client_ip_address", "203.0.113.7"},
	        {"client_user_agent", "Mozilla/5.0"},
	        {"epik", "dj0yJnU9abc"},
	        {"fbc", "fb.1.1554763741205.AbCdEf"},
	    }
	        .dump();
	event.custom_data_json =
	    R"({"value": 123.45, "currency": "usd", "order_id": 1001, "content_ids": ["sku-1", 7],)"
	    R"( "contents": [{"id": "sku-1", "quantity": 2, "item_price": 10, "title": "Mug"}],)"
	    R"( "num_items": 2, "content_type": "product", "predicted_ltv": 500})";
	event.consent_json = R"({"opt_out": false, "ad_user_data": "granted"})";
	return event;
}

OutboxEvent Lead() {
	OutboxEvent event;
	event.outbox_id = 2;
	event.event_id = "lead-7";
	event.event_name = "Lead";
	event.event_time_ms = 1762902000000;
	event.action_source = "phone_call";
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("]})";
	event.consent_json = R"({"ldu": true})";
	return event;
}

HttpRequest Build(const Destination &destination, std::vector<const OutboxEvent *> events) {
	return PinterestAdapter().BuildRequest(destination, events, {""}, kNow);
}

TEST(PinterestRequest, BodyMapsEveryColumn) {
	OutboxEvent purchase = Purchase(), lead = Lead();
	json body = json::parse(Build(PinterestDestination(), {&purchase, &lead}).body);
	json expected_purchase = {
	    {"event_name", "checkout"},
	    {"action_source", "web"},
	    {"event_time", 1762902353}, // seconds
	    {"event_id", "order-1001"},
	    {"event_source_url", "https://shop.example/checkout"},
	    {"opt_out", false},
	    {"user_data",
	     {{"em", {kEmail}},
	      {"ph", {kPhone}},
	      {"fn", {kMary}},
	      {"country", {kOtherHash}}, // country@pinterest wins
	      {"client_ip_address", "203.0.113.7"},
	      {"client_user_agent", "Mozilla/5.0"},
	      {"click_id", "dj0yJnU9abc"}}},
	    {"custom_data",
	     {{"value", "123.45"},
	      {"currency", "USD"},
	      {"order_id", "1001"},
	      {"content_ids", {"sku-1", "7"}},
	      {"contents", {{{"id", "sku-1"}, {"quantity", 2}, {"item_price", "10"}, {"item_name", "Mug"}}}},
	      {"num_items", 2}}},
	};
	json expected_lead = {
	    {"event_name", "lead"},
	    {"action_source", "offline"},
	    {"event_time", 1762902000},
	    {"event_id", "lead-7"},
	    {"opt_out", true}, // LDU rides on opt_out
	    {"user_data", {{"em", {kEmail}}}},
	};
	EXPECT_EQ(body, json({{"data", {expected_purchase, expected_lead}}})) << body.dump(2);
}

TEST(PinterestRequest, ExactTextUrlHeadersAndSecrets) {
	OutboxEvent lead = Lead();
	lead.consent_json = "";
	HttpRequest request = Build(PinterestDestination(), {&lead});
	EXPECT_EQ(request.body, std::string(R"({"data":[{"event_name":"lead","action_source":"offline",)") +
	                            R"("event_time":1762902000,"event_id":"lead-7","user_data":{"em":[")" +
	                            kEmail + R"("]}}]})");
	EXPECT_EQ(request.url, "https://api.pinterest.com/v5/ad_accounts/549755885175/events");
	EXPECT_EQ(request.headers, std::vector<std::string>({"Content-Type: application/json",
	                                                     std::string("Authorization: Bearer ") + kToken}));
	EXPECT_EQ(request.secrets, std::vector<std::string>({kToken}));
	EXPECT_EQ(request.body.find(kToken), std::string::npos);
}

TEST(PinterestRequest, TestModeAndEndpointOverride) {
	OutboxEvent lead = Lead();
	Destination destination = PinterestDestination(R"({"ad_account_id": "42", "test": true})");
	EXPECT_EQ(Build(destination, {&lead}).url,
	          "https://api.pinterest.com/v5/ad_accounts/42/events?test=true");
	destination.endpoint_override = "http://127.0.0.1:9000";
	EXPECT_EQ(Build(destination, {&lead}).url, "http://127.0.0.1:9000/v5/ad_accounts/42/events?test=true");
	EXPECT_EQ(PinterestAdapter().BuildRequest(destination, {&lead}, {"http://[::1]:1"}, kNow).url,
	          "http://[::1]:1/v5/ad_accounts/42/events?test=true");
	destination.config_json = R"({"ad_account_id": "42", "test": false})";
	EXPECT_EQ(Build(destination, {&lead}).url, "http://127.0.0.1:9000/v5/ad_accounts/42/events");
}

TEST(PinterestRequest, BatchCapIs1000) {
	PinterestAdapter adapter;
	EXPECT_EQ(adapter.MaxBatchSize(), 1000u);
	EXPECT_NEAR(adapter.DefaultRequestsPerSecond(), 83.33, 0.01);
	Destination destination = PinterestDestination();
	auto builder = adapter.StartRequest(destination, {""});
	OutboxEvent lead = Lead();
	for (int i = 0; i < 1000; ++i) {
		EXPECT_FALSE(builder->full());
		lead.event_id = "lead-" + std::to_string(i);
		ASSERT_EQ(builder->Add(lead, kNow), std::nullopt);
	}
	EXPECT_TRUE(builder->full());
	EXPECT_THROW(builder->Add(lead, kNow), Error);
	EXPECT_EQ(json::parse(builder->Finish().body)["data"].size(), 1000u);
}

TEST(PinterestRequest, ActionSources) {
	EXPECT_EQ(PinterestActionSource("website", ""), "web");
	EXPECT_EQ(PinterestActionSource("physical_store", ""), "offline");
	EXPECT_EQ(PinterestActionSource("system_generated", ""), "offline");
	EXPECT_EQ(PinterestActionSource("app", "Dalvik/2.1.0 (Linux; U; Android 14)"), "app_android");
	EXPECT_EQ(PinterestActionSource("app", "Shop/3 CFNetwork/1490 Darwin/23.2.0"), "app_ios");
	EXPECT_EQ(PinterestActionSource("app", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0)"), "app_ios");
	EXPECT_EQ(PinterestActionSource("app", "okhttp/4.9"), std::nullopt);

	OutboxEvent app = Lead();
	app.action_source = "app";
	std::optional<std::string> reason = PinterestAdapter().Preflight(PinterestDestination(), app, kNow);
	ASSERT_TRUE(reason);
	EXPECT_NE(reason->find("app_android or app_ios"), std::string::npos) << *reason;
}

TEST(PinterestRequest, EventsPinterestWouldRefuseAreRefusedAlone) {
	PinterestAdapter adapter;
	Destination destination = PinterestDestination();
	auto builder = adapter.StartRequest(destination, {""});
	OutboxEvent no_id = Lead();
	no_id.event_id = "";
	std::optional<Refusal> refusal = builder->Add(no_id, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_FALSE(refusal->skip);
	EXPECT_EQ(*refusal, "Pinterest requires event_id (its deduplication key)");

	OutboxEvent unhashed = Lead();
	unhashed.user_data_json = R"({"email": ["john@example.com"]})";
	refusal = builder->Add(unhashed, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_EQ(*refusal, "user_data: a email value for Pinterest is not a lowercase SHA-256 hex digest");
	EXPECT_EQ(refusal->reason.find("john"), std::string::npos);

	OutboxEvent anonymous = Lead();
	anonymous.user_data_json = R"({"client_ip_address": "203.0.113.7"})";
	refusal = builder->Add(anonymous, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_EQ(*refusal, "Pinterest requires user_data.email, or client_ip_address with client_user_agent");

	OutboxEvent bad_ip = Lead();
	bad_ip.user_data_json = std::string(R"({"email": [")") + kEmail + R"("], "client_ip_address": "1.2.3"})";
	EXPECT_TRUE(builder->Add(bad_ip, kNow));

	EXPECT_EQ(builder->size(), 0u);
	OutboxEvent good = Lead();
	EXPECT_EQ(builder->Add(good, kNow), std::nullopt);
	// The refused events left nothing behind: the body is exactly one event.
	EXPECT_EQ(json::parse(builder->Finish().body)["data"].size(), 1u);
}

TEST(PinterestRequest, DeniedAdUserDataIsSkippedByDefault) {
	OutboxEvent denied = Purchase();
	denied.consent_json = R"({"ad_user_data": "denied"})";
	auto builder = PinterestAdapter().StartRequest(PinterestDestination(), {""});
	std::optional<Refusal> refusal = builder->Add(denied, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("ad_user_data is denied"), std::string::npos) << refusal->reason;

	// send_without_identifiers: Pinterest needs an identifier, so it is still not sent (a skip).
	Destination stripped =
	    PinterestDestination(R"({"ad_account_id": "1", "denied_ad_user_data": "send_without_identifiers"})");
	builder = PinterestAdapter().StartRequest(stripped, {""});
	refusal = builder->Add(denied, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("Pinterest requires an email"), std::string::npos) << refusal->reason;
}

TEST(PinterestRequest, OptOutAndLdu) {
	OutboxEvent event = Lead();
	auto opt_out_of = [&](const char *consent) {
		event.consent_json = consent;
		json body = json::parse(Build(PinterestDestination(), {&event}).body);
		return body["data"][0].contains("opt_out") ? body["data"][0]["opt_out"].dump()
		                                           : std::string("absent");
	};
	EXPECT_EQ(opt_out_of(""), "absent");
	EXPECT_EQ(opt_out_of(R"({"opt_out": true})"), "true");
	EXPECT_EQ(opt_out_of(R"({"opt_out": false})"), "false");
	EXPECT_EQ(opt_out_of(R"({"ldu": {"country": 1, "state": 1000}})"), "true");
	EXPECT_EQ(opt_out_of(R"({"opt_out": false, "ldu": true})"), "true");
	EXPECT_EQ(opt_out_of(R"({"ldu": false})"), "absent");
}

TEST(PinterestRequest, EventNamesAndEventMap) {
	CommonSettings common;
	EXPECT_EQ(PinterestEventName(common, "Purchase"), "checkout");
	EXPECT_EQ(PinterestEventName(common, "AddToCart"), "add_to_cart");
	EXPECT_EQ(PinterestEventName(common, "CompleteRegistration"), "signup");
	EXPECT_EQ(PinterestEventName(common, "ViewContent"), "page_visit");
	EXPECT_EQ(PinterestEventName(common, "PageView"), "page_visit");
	EXPECT_EQ(PinterestEventName(common, "Search"), "search");
	EXPECT_EQ(PinterestEventName(common, "purchase"), std::nullopt); // exact names only
	EXPECT_EQ(PinterestEventName(common, "Donate"), std::nullopt);

	OutboxEvent custom = Lead();
	custom.event_name = "Donate";
	auto builder = PinterestAdapter().StartRequest(PinterestDestination(), {""});
	std::optional<Refusal> refusal = builder->Add(custom, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(*refusal,
	          "no Pinterest event for \"Donate\": add it to the destination's config.event_map to send it");

	Destination mapped = PinterestDestination(
	    R"({"ad_account_id": "1", "event_map": {"Donate": "custom", "ViewContent": "view_content", "Lead": ""}})");
	json body = json::parse(Build(mapped, {&custom}).body);
	EXPECT_EQ(body["data"][0]["event_name"], "custom");
	OutboxEvent view = Lead();
	view.event_name = "ViewContent";
	EXPECT_EQ(json::parse(Build(mapped, {&view}).body)["data"][0]["event_name"], "view_content");
	OutboxEvent lead = Lead();
	refusal = PinterestAdapter().StartRequest(mapped, {""})->Add(lead, kNow);
	ASSERT_TRUE(refusal); // "" in event_map: not sent there
	EXPECT_TRUE(refusal->skip);
}

TEST(PinterestRequest, CustomDataDecimalStrings) {
	OutboxEvent event = Lead();
	auto custom_of = [&](const char *custom_data) {
		event.custom_data_json = custom_data;
		json body = json::parse(Build(PinterestDestination(), {&event}).body);
		return body["data"][0].contains("custom_data") ? body["data"][0]["custom_data"].dump()
		                                               : std::string("absent");
	};
	EXPECT_EQ(custom_of(R"({"value": 0.1})"), R"({"value":"0.1"})");
	EXPECT_EQ(custom_of(R"({"value": 425325.89})"), R"({"value":"425325.89"})");
	EXPECT_EQ(custom_of(R"({"value": 1e3})"), R"({"value":"1000"})");
	EXPECT_EQ(custom_of(R"({"value": 7})"), R"({"value":"7"})");
	EXPECT_EQ(custom_of(R"({"content_type": "product"})"), "absent");
	EXPECT_EQ(custom_of(R"({"search_string": "red mug", "value": null})"), R"({"search_string":"red mug"})");
	event.custom_data_json = R"({"value": "ten"})";
	std::optional<std::string> reason = PinterestAdapter().Preflight(PinterestDestination(), event, kNow);
	ASSERT_TRUE(reason);
	EXPECT_EQ(*reason, "custom_data.value cannot be sent to Pinterest");
}

} // namespace
} // namespace capi::dispatch
