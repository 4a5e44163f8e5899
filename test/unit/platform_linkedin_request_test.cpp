// LinkedIn request: URL, headers, the exact elements (one per event and conversion rule), the batching
// cap counted in elements, consent, event-name mapping and the checks that refuse one event alone.
#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/outbox/identity_bag_builder.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr const char *kEmail =
    "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"; // john_smith@gmail.com
constexpr const char *kRule1 = "urn:lla:llaPartnerConversion:1001";
constexpr const char *kRule2 = "urn:lla:llaPartnerConversion:1002";
constexpr const char *kRule3 = "urn:lla:llaPartnerConversion:2001";
constexpr std::int64_t kNow = 1796601600000;      // 2026-12-07 00:00:00 UTC
constexpr std::int64_t kHappened = 1796601553789; // 46 s earlier

Destination LinkedIn(std::string extra_config = "") {
	Destination destination;
	destination.name = "shop_linkedin";
	destination.platform = identity::Platform::kLinkedIn;
	destination.config_json = std::string(R"({"conversion_rules": {"Purchase": [")") + kRule1 + "\", \"" +
	                          kRule2 + R"("], "LEAD": [")" + kRule3 + "\"]}" + extra_config + "}";
	destination.credentials_json = R"({"access_token": "AQVtoken-1"})";
	return destination;
}

OutboxEvent Purchase() {
	OutboxEvent event;
	event.outbox_id = 1;
	event.event_id = "order-1001";
	event.event_name = "Purchase";
	event.event_time_ms = kHappened;
	event.action_source = "website";
	event.user_data_json = outbox::BuildIdentityBag(
	    R"({"email": "John_Smith@Gmail.com", "first_name": "Mary", "last_name": "Smith", "country": "us",
	        "external_id": "crm-42", "li_fat_id": "df9a4b6e-2d5c-4f7e-9f0e-1a2b3c4d5e6f",
	        "client_ip_address": "203.0.113.9", "phone": "+16505551212"})",
	    "US");
	event.custom_data_json = R"({"value": 123.45, "currency": "usd", "order_id": "1001"})";
	event.consent_json = R"({"ad_user_data": "granted"})";
	return event;
}

OutboxEvent Lead() {
	OutboxEvent event;
	event.outbox_id = 2;
	event.event_name = "Lead";
	event.event_time_ms = kHappened - 1000;
	event.action_source = "phone_call";
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("]})";
	return event;
}

json User() {
	return {{"userIds",
	         {{{"idType", "SHA256_EMAIL"}, {"idValue", kEmail}},
	          {{"idType", "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"},
	           {"idValue", "df9a4b6e-2d5c-4f7e-9f0e-1a2b3c4d5e6f"}},
	          {{"idType", "PLAINTEXT_IP_ADDRESS"}, {"idValue", "203.0.113.9"}}}}};
}

TEST(LinkedInRequest, OneElementPerEventAndRule) {
	const LinkedInAdapter adapter;
	OutboxEvent purchase = Purchase(), lead = Lead();
	HttpRequest request = adapter.BuildRequest(LinkedIn(), {&purchase, &lead}, {""}, kNow);
	EXPECT_EQ(request.url, "https://api.linkedin.com/rest/conversionEvents");
	EXPECT_EQ(request.headers,
	          (std::vector<std::string>{"Content-Type: application/json", "Authorization: Bearer AQVtoken-1",
	                                    "LinkedIn-Version: 202607", "X-Restli-Protocol-Version: 2.0.0",
	                                    "X-RestLi-Method: BATCH_CREATE"}));
	EXPECT_EQ(request.element_events, (std::vector<std::size_t>{0, 0, 1}));
	EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), "AQVtoken-1"), request.secrets.end());

	json purchase_element = {
	    {"conversion", kRule1},
	    {"conversionHappenedAt", kHappened}, // milliseconds
	    {"conversionValue", {{"currencyCode", "USD"}, {"amount", "123.45"}}},
	    {"eventId", "order-1001"},
	    {"user", User()}, // no userInfo (send_user_info is false), no phone (LinkedIn has none)
	};
	json second = purchase_element;
	second["conversion"] = kRule2;
	json lead_element = {{"conversion", kRule3},
	                     {"conversionHappenedAt", kHappened - 1000},
	                     {"user", {{"userIds", {{{"idType", "SHA256_EMAIL"}, {"idValue", kEmail}}}}}}};
	EXPECT_EQ(json::parse(request.body), (json{{"elements", {purchase_element, second, lead_element}}}));
}

TEST(LinkedInRequest, UserInfoNeedsNamesTheOutboxNeverKeeps) {
	// Names are never stored in clear (identity_bag_builder.hpp): first_name@linkedin is [], so even with
	// send_user_info LinkedIn gets no userInfo, and no externalIds, from the outbox.
	OutboxEvent purchase = Purchase();
	json bag = json::parse(purchase.user_data_json);
	EXPECT_EQ(bag["first_name@linkedin"], json::array());
	EXPECT_EQ(bag["external_id@linkedin"], json::array());
	HttpRequest request =
	    LinkedInAdapter().BuildRequest(LinkedIn(R"(, "send_user_info": true)"), {&purchase}, {""}, kNow);
	EXPECT_EQ(json::parse(request.body)["elements"][0]["user"], User());

	// A bag that carries both names in clear (written by hand) gets userInfo only when asked for.
	purchase.user_data_json =
	    std::string(R"({"email": [")") + kEmail +
	    R"("], "first_name@linkedin": ["mary"], "last_name@linkedin": ["smith"], "country@linkedin": ["us"]})";
	json user =
	    json::parse(LinkedInAdapter()
	                    .BuildRequest(LinkedIn(R"(, "send_user_info": true)"), {&purchase}, {""}, kNow)
	                    .body)["elements"][0]["user"];
	EXPECT_EQ(user["userInfo"], (json{{"firstName", "mary"}, {"lastName", "smith"}, {"countryCode", "US"}}));
	user = json::parse(
	    LinkedInAdapter().BuildRequest(LinkedIn(), {&purchase}, {""}, kNow).body)["elements"][0]["user"];
	EXPECT_FALSE(user.contains("userInfo"));
}

TEST(LinkedInRequest, OAuthTokenVersionAndEndpointOverride) {
	Destination destination = LinkedIn(R"(, "api_version": "202610")");
	destination.credentials_json = R"({"client_id": "c", "client_secret": "s", "refresh_token": "r"})";
	destination.endpoint_override = "http://127.0.0.1:7001";
	OutboxEvent lead = Lead();
	HttpRequest request = LinkedInAdapter().BuildRequest(destination, {&lead}, {"", "AQVoauth-2"}, kNow);
	EXPECT_EQ(request.url, "http://127.0.0.1:7001/rest/conversionEvents");
	EXPECT_EQ(request.headers[1], "Authorization: Bearer AQVoauth-2");
	EXPECT_EQ(request.headers[2], "LinkedIn-Version: 202610");
	EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), "AQVoauth-2"), request.secrets.end());
	EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), "s"), request.secrets.end());
	request = LinkedInAdapter().BuildRequest(destination, {&lead}, {"http://[::1]:9", "AQVoauth-2"}, kNow);
	EXPECT_EQ(request.url, "http://[::1]:9/rest/conversionEvents");
	EXPECT_THROW(LinkedInAdapter().BuildRequest(destination, {&lead}, {"", ""}, kNow), Error); // no token yet
}

TEST(LinkedInRequest, FullCountsElementsNotEvents) {
	const LinkedInAdapter adapter;
	const Destination destination = LinkedIn();
	std::unique_ptr<RequestBuilder> builder = adapter.StartRequest(destination, {""});
	OutboxEvent purchase = Purchase(), lead = Lead();
	// Purchase fans out to 2 rules: the builder is full when 2 more elements might not fit.
	for (std::size_t i = 0; i < 2499; ++i) {
		ASSERT_FALSE(builder->full()) << i;
		ASSERT_EQ(builder->Add(purchase, kNow), std::nullopt);
	}
	EXPECT_FALSE(builder->full()); // 4,998 elements
	ASSERT_EQ(builder->Add(lead, kNow), std::nullopt);
	EXPECT_TRUE(builder->full()); // 4,999: a 2-rule event would not fit
	EXPECT_EQ(builder->size(), 2500u);
	EXPECT_THROW(builder->Add(lead, kNow), Error);
	HttpRequest request = builder->Finish();
	EXPECT_EQ(request.element_events.size(), 4999u);
	EXPECT_EQ(request.element_events.back(), 2499u);
	EXPECT_EQ(json::parse(request.body)["elements"].size(), 4999u);

	// With one rule per event: exactly 5,000 elements.
	Destination single = LinkedIn();
	single.config_json = std::string(R"({"conversion_rules": {"Purchase": [")") + kRule1 + "\"]}}";
	builder = adapter.StartRequest(single, {""});
	for (std::size_t i = 0; i < 5000; ++i) {
		ASSERT_FALSE(builder->full()) << i;
		ASSERT_EQ(builder->Add(purchase, kNow), std::nullopt);
	}
	EXPECT_TRUE(builder->full());
}

TEST(LinkedInRequest, EventNamesMapThroughEventMapThenRuleType) {
	const LinkedInAdapter adapter;
	OutboxEvent event = Lead(); // "Lead" has no entry, its rule type LEAD has
	EXPECT_EQ(adapter.Preflight(LinkedIn(), event, kNow), std::nullopt);
	event.event_name = "signup_done";
	const Destination plain = LinkedIn(); // the builder refers to it (adapter.hpp)
	std::unique_ptr<RequestBuilder> builder = adapter.StartRequest(plain, {""});
	std::optional<Refusal> refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal.has_value());
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(refusal->reason, "no LinkedIn conversion rule for \"signup_done\": add it to the destination's "
	                           "config.conversion_rules (or map it with config.event_map)");
	// event_map renames it; "" means not sent there.
	const Destination mapped = LinkedIn(R"(, "event_map": {"signup_done": "Purchase", "Lead": ""})");
	builder = adapter.StartRequest(mapped, {""}); // the builder refers to the destination (adapter.hpp)
	EXPECT_EQ(builder->Add(event, kNow), std::nullopt);
	event.event_name = "Lead";
	refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal.has_value());
	EXPECT_TRUE(refusal->skip);
	HttpRequest request = builder->Finish();
	EXPECT_EQ(json::parse(request.body)["elements"][1]["conversion"], kRule2);
	EXPECT_EQ(LinkedInRuleType("CompleteRegistration"), "SIGN_UP");
	EXPECT_EQ(LinkedInRuleType("Other"), "");
}

TEST(LinkedInRequest, ConsentDeniedIsSkippedOrStripped) {
	const LinkedInAdapter adapter;
	OutboxEvent event = Purchase();
	event.consent_json = R"({"ad_user_data": "denied"})";
	const Destination plain = LinkedIn(); // the builder refers to it (adapter.hpp)
	std::unique_ptr<RequestBuilder> builder = adapter.StartRequest(plain, {""});
	std::optional<Refusal> refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal.has_value());
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("consent: ad_user_data is denied"), std::string::npos);
	// send_without_identifiers: stripped, and then LinkedIn has nothing to match on: skipped too.
	builder = adapter.StartRequest(LinkedIn(R"(, "denied_ad_user_data": "send_without_identifiers")"), {""});
	refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal.has_value());
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("without identifiers LinkedIn cannot take"), std::string::npos);
	// LinkedIn has no opt-out or LDU field: such events are not sent.
	for (const char *consent :
	     {R"({"opt_out": true})", R"({"ldu": true})", R"({"ldu": {"country": 1, "state": 1000}})"}) {
		SCOPED_TRACE(consent);
		event.consent_json = consent;
		std::optional<std::string> why = adapter.Preflight(LinkedIn(), event, kNow);
		ASSERT_TRUE(why.has_value());
		EXPECT_EQ(why->rfind("consent: ", 0), 0u);
	}
	event.consent_json = R"({"opt_out": false, "ad_personalization": "denied"})";
	EXPECT_EQ(adapter.Preflight(LinkedIn(), event, kNow), std::nullopt);
}

TEST(LinkedInRequest, ChecksRefuseOneEventAlone) {
	const LinkedInAdapter adapter;
	const Destination destination = LinkedIn();
	auto why = [&](OutboxEvent event) { return adapter.Preflight(destination, event, kNow).value_or(""); };
	OutboxEvent event = Purchase();
	event.event_time_ms = kNow - 90 * kLinkedInDayMs + 30 * 1000; // inside the 1-minute margin
	EXPECT_EQ(why(event), "event_time is 89 days old; LinkedIn rejects conversions older than 90 days");
	event.event_time_ms = kNow - 89 * kLinkedInDayMs;
	EXPECT_EQ(why(event), "");
	event.event_time_ms = kNow + 11 * 60 * 1000;
	EXPECT_EQ(why(event),
	          "event_time is 660 s in the future; pg_capi refuses more than 10 minutes ahead for LinkedIn");
	event.event_time_ms = 0;
	EXPECT_EQ(why(event), "event_time must be a positive Unix time");

	event = Purchase();
	event.custom_data_json = R"({"value": 10})";
	EXPECT_NE(why(event).find("custom_data.currency (ISO 4217"), std::string::npos);
	event.custom_data_json = R"({"value": -1, "currency": "USD"})";
	EXPECT_EQ(why(event), "custom_data.value must not be negative for LinkedIn");
	event.custom_data_json = R"({"value": "12,50", "currency": "EUR"})";
	EXPECT_EQ(why(event), "custom_data.value must be a number or a decimal string for LinkedIn");
	event.custom_data_json = R"({"value": 5, "currency": "EURO"})";
	EXPECT_EQ(why(event), "custom_data.currency must be a three-letter ISO 4217 code for LinkedIn");

	event = Lead();
	event.user_data_json = R"({"email": ["JOHN@EXAMPLE.COM"]})";
	EXPECT_EQ(why(event), "user_data: an email value for LinkedIn is not a lowercase SHA-256 hex digest");
	event.user_data_json = R"({"client_ip_address": "2001:db8::1", "client_user_agent": "Mozilla"})";
	EXPECT_EQ(why(event),
	          "LinkedIn needs an identifier: user_data email, li_fat_id or an IPv4 client_ip_address");
	event.user_data_json = R"({"li_fat_id": "abc"})";
	EXPECT_EQ(why(event), "");
}

TEST(LinkedInRequest, AmountsAreDecimalStrings) {
	const LinkedInAdapter adapter;
	OutboxEvent event = Purchase();
	auto amount = [&](const char *custom_data) {
		event.custom_data_json = custom_data;
		json body = json::parse(adapter.BuildRequest(LinkedIn(), {&event}, {""}, kNow).body);
		const json &element = body["elements"][0];
		return element.contains("conversionValue") ? element["conversionValue"]["amount"].get<std::string>()
		                                           : std::string("(none)");
	};
	EXPECT_EQ(amount(R"({"value": 1500, "currency": "USD"})"), "1500");
	EXPECT_EQ(amount(R"({"value": 0.1, "currency": "USD"})"), "0.1");
	EXPECT_EQ(amount(R"({"value": 1e21, "currency": "USD"})"), "1000000000000000000000");
	EXPECT_EQ(amount(R"({"value": "99.90", "currency": "USD"})"), "99.90");
	EXPECT_EQ(amount(R"({"currency": "USD"})"), "(none)");
	EXPECT_EQ(amount(""), "(none)");
}

} // namespace
} // namespace capi::dispatch
