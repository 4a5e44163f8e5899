// The requests both Google APIs receive, checked as JSON, field by field.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/platforms/google/google_adapter.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

// Google's normalization: gmail dots and "+suffix" dropped; phone E.164 with "+".
constexpr const char *kEmail =
    "3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586"; // johnsmith@gmail.com
constexpr const char *kPhone =
    "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"; // +16505551212
constexpr const char *kMary = "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec";
constexpr const char *kSmith = "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd";
constexpr std::int64_t kNow = 1762902400000; // 2025-11-11T23:06:40Z, 47 s after the purchase
constexpr std::int64_t kDayMs = 86400000;

Destination Google(std::string config, std::string credentials = R"({"access_token": "ya29.static"})") {
	Destination destination;
	destination.name = "shop_google";
	destination.platform = identity::Platform::kGoogle;
	destination.config_json = std::move(config);
	destination.credentials_json = std::move(credentials);
	return destination;
}

Destination DataManager(std::string extra = "") {
	return Google(
	    R"({"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555", "Lead": "777"})" +
	    extra + "}");
}

Destination Ads(std::string extra = "") {
	return Google(
	    R"({"api": "ads", "operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555", "Lead": "777"})" +
	        extra + "}",
	    R"({"client_id": "cid", "client_secret": "csecret", "refresh_token": "rtoken", "developer_token": "devtok"})");
}

OutboxEvent Event(std::string name, std::string raw_identifiers,
                  std::string consent = R"({"ad_user_data": "granted"})") {
	OutboxEvent event;
	event.outbox_id = 1;
	event.event_id = "evt-1";
	event.event_name = std::move(name);
	event.event_time_ms = 1762902353789;
	event.action_source = "website";
	event.event_source_url = "https://shop.example/checkout";
	event.user_data_json = outbox::BuildIdentityBag(raw_identifiers, "US");
	event.custom_data_json = R"({"value": 123.45, "currency": "usd", "order_id": "1001"})";
	event.consent_json = std::move(consent);
	return event;
}

OutboxEvent Purchase() {
	return Event("Purchase",
	             R"({"email": "John.Smith+shop@Gmail.com", "phone": "(650) 555-1212", "first_name": "Mary",
	                             "last_name": "Smith", "country": "us", "zip": "94035", "gclid": "Cj0KCQ-gclid",
	                             "client_ip_address": "203.0.113.9", "client_user_agent": "Mozilla/5.0",
	                             "fbc": "fb.1.1554763741205.AbC"})");
}

json Body(const HttpRequest &request) {
	return json::parse(request.body);
}

HttpRequest Build(const Destination &destination, const std::vector<OutboxEvent> &events,
                  std::string_view token = "ya29.oauth") {
	std::vector<const OutboxEvent *> batch;
	for (const OutboxEvent &event : events)
		batch.push_back(&event);
	return GoogleAdapter().BuildRequest(destination, batch, RequestContext{"", token}, kNow);
}

bool HasHeader(const HttpRequest &request, std::string_view header) {
	return std::find(request.headers.begin(), request.headers.end(), header) != request.headers.end();
}

std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
                                     std::int64_t now = kNow) {
	return GoogleAdapter().Preflight(destination, event, now);
}

TEST(GoogleDataManagerRequest, OneRealisticPurchase) {
	HttpRequest request = Build(DataManager(R"(, "login_account_id": "9876543210")"), {Purchase()});
	EXPECT_EQ(request.url, "https://datamanager.googleapis.com/v1/events:ingest");
	EXPECT_TRUE(HasHeader(request, "Authorization: Bearer ya29.oauth"));
	EXPECT_TRUE(HasHeader(request, "Content-Type: application/json"));
	EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), "ya29.oauth"), request.secrets.end());
	EXPECT_EQ(Body(request), json::parse(std::string(R"({
	  "destinations": [{"reference": "555",
	                    "operatingAccount": {"accountType": "GOOGLE_ADS", "accountId": "1234567890"},
	                    "loginAccount": {"accountType": "GOOGLE_ADS", "accountId": "9876543210"},
	                    "productDestinationId": "555"}],
	  "events": [{"destinationReferences": ["555"], "transactionId": "1001",
	              "eventTimestamp": "2025-11-11T23:05:53.789Z", "eventSource": "WEB",
	              "userData": {"userIdentifiers": [
	                  {"emailAddress": ")") +
	                                     kEmail + R"("}, {"phoneNumber": ")" + kPhone + R"("},
	                  {"address": {"givenName": ")" +
	                                     kMary + R"(", "familyName": ")" + kSmith + R"(",
	                               "regionCode": "US", "postalCode": "94035"}}]},
	              "consent": {"adUserData": "CONSENT_GRANTED"},
	              "adIdentifiers": {"gclid": "Cj0KCQ-gclid"},
	              "currency": "USD", "conversionValue": 123.45,
	              "eventDeviceInfo": {"userAgent": "Mozilla/5.0", "ipAddress": "203.0.113.9"}}],
	  "encoding": "HEX"})"));
}

TEST(GoogleDataManagerRequest, SeveralConversionActionsShareOneRequestByReference) {
	OutboxEvent lead = Purchase();
	lead.event_name = "Lead";
	lead.custom_data_json = "";
	lead.event_id = "lead-9";
	lead.consent_json = R"({"ad_user_data": "granted", "ad_personalization": "denied"})";
	json body = Body(Build(DataManager(R"(, "validate_only": true)"), {Purchase(), lead, Purchase()}));
	ASSERT_EQ(body["destinations"].size(), 2u);
	EXPECT_EQ(body["destinations"][0]["reference"], "555");
	EXPECT_EQ(body["destinations"][1]["reference"], "777");
	EXPECT_EQ(body["destinations"][1]["productDestinationId"], "777");
	EXPECT_FALSE(body["destinations"][0].contains("loginAccount"));
	ASSERT_EQ(body["events"].size(), 3u);
	EXPECT_EQ(body["events"][1]["destinationReferences"], json::array({"777"}));
	EXPECT_EQ(body["events"][1]["transactionId"], "lead-9"); // no order_id: the event id
	EXPECT_FALSE(body["events"][1].contains("conversionValue"));
	EXPECT_EQ(body["events"][1]["consent"],
	          json::parse(R"({"adUserData": "CONSENT_GRANTED", "adPersonalization": "CONSENT_DENIED"})"));
	EXPECT_EQ(body["events"][2]["destinationReferences"], json::array({"555"}));
	EXPECT_EQ(body["validateOnly"], true);
}

TEST(GoogleDataManagerRequest, DeniedAdUserDataTravelsDeniedWithoutIdentifiersButWithTheClick) {
	OutboxEvent event = Purchase();
	event.consent_json = R"({"ad_user_data": "denied", "ad_personalization": "denied"})";
	json body = Body(Build(DataManager(), {event}));
	const json &sent = body["events"][0];
	EXPECT_FALSE(sent.contains("userData"));
	EXPECT_FALSE(sent.contains("eventDeviceInfo")); // IP and user agent are identifiers too
	EXPECT_EQ(sent["adIdentifiers"], json::parse(R"({"gclid": "Cj0KCQ-gclid"})"));
	EXPECT_EQ(sent["consent"],
	          json::parse(R"({"adUserData": "CONSENT_DENIED", "adPersonalization": "CONSENT_DENIED"})"));
	EXPECT_EQ(body.dump().find(kEmail), std::string::npos);
}

TEST(GoogleDataManagerRequest, DeniedWithoutAClickIdIsSkippedWithTheReason) {
	OutboxEvent event = Event("Purchase", R"({"email": "a@example.com"})", R"({"ad_user_data": "denied"})");
	std::optional<std::string> reason = Preflight(DataManager(), event);
	ASSERT_TRUE(reason);
	EXPECT_NE(reason->find("consent: ad_user_data is denied"), std::string::npos) << *reason;
	auto builder = GoogleAdapter().StartRequest(DataManager(), RequestContext{"", "tok"});
	std::optional<Refusal> refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	// The destination may choose to skip denied events altogether.
	OutboxEvent with_click = Purchase();
	with_click.consent_json = R"({"ad_user_data": "denied"})";
	std::optional<std::string> skipped =
	    Preflight(DataManager(R"(, "denied_ad_user_data": "skip")"), with_click);
	ASSERT_TRUE(skipped);
	EXPECT_NE(skipped->find("consent"), std::string::npos);
}

TEST(GoogleDataManagerRequest, NothingToMatchIsSkipped) {
	OutboxEvent event = Event("Purchase", R"({"client_user_agent": "Mozilla/5.0", "fbc": "fb.1.1.x"})");
	auto builder = GoogleAdapter().StartRequest(DataManager(), RequestContext{"", "tok"});
	std::optional<Refusal> refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(refusal->reason,
	          "Google cannot match the event: it has no click id (gclid, gbraid, wbraid) and no "
	          "email, phone or address");
}

TEST(GoogleDataManagerRequest, UnmappedEventsAreSkippedAndEventMapRenames) {
	OutboxEvent event = Purchase();
	event.event_name = "AddToCart";
	auto builder = GoogleAdapter().StartRequest(DataManager(), RequestContext{"", "tok"});
	std::optional<Refusal> refusal = builder->Add(event, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_TRUE(refusal->skip);
	EXPECT_EQ(refusal->reason, "no Google conversion action for \"AddToCart\": add it to the destination's "
	                           "config.conversion_actions to "
	                           "send it");
	// event_map applies first: AddToCart counts as a Lead; "" means "not sent".
	json body = Body(Build(DataManager(R"(, "event_map": {"AddToCart": "Lead"})"), {event}));
	EXPECT_EQ(body["events"][0]["destinationReferences"], json::array({"777"}));
	EXPECT_TRUE(Preflight(DataManager(R"(, "event_map": {"Purchase": ""})"), Purchase()));
}

TEST(GoogleDataManagerRequest, FieldsGoogleWouldRejectFailTheEventAlone) {
	OutboxEvent old = Purchase();
	old.event_time_ms = kNow - 91 * kDayMs;
	std::optional<std::string> reason = Preflight(DataManager(), old);
	ASSERT_TRUE(reason);
	EXPECT_NE(reason->find("91 days old"), std::string::npos) << *reason;
	EXPECT_FALSE(Preflight(DataManager(), Purchase(), Purchase().event_time_ms + 89 * kDayMs));
	OutboxEvent future = Purchase();
	future.event_time_ms = kNow + 11 * 60 * 1000;
	EXPECT_TRUE(Preflight(DataManager(), future));

	OutboxEvent currency = Purchase();
	currency.custom_data_json = R"({"value": 1, "currency": "dollars"})";
	EXPECT_EQ(Preflight(DataManager(), currency).value_or(""),
	          "custom_data.currency must be a three-letter ISO 4217 code for Google");
	OutboxEvent value = Purchase();
	value.custom_data_json = R"({"value": "12"})";
	EXPECT_EQ(Preflight(DataManager(), value).value_or(""),
	          "custom_data.value must be a number of at least 0 for Google");

	// A stored value that is not a digest (a bag written by hand): refused, never quoted.
	OutboxEvent bad_hash = Purchase();
	bad_hash.user_data_json = R"({"email": ["not-a-digest@example.com"], "gclid": "g"})";
	std::optional<Refusal> refusal =
	    GoogleAdapter().StartRequest(DataManager(), RequestContext{"", "tok"})->Add(bad_hash, kNow);
	ASSERT_TRUE(refusal);
	EXPECT_FALSE(refusal->skip);
	EXPECT_EQ(refusal->reason, "user_data: an email value for Google is not a lowercase SHA-256 hex digest");
}

TEST(GoogleDataManagerRequest, OneClickIdOnly) {
	OutboxEvent event = Event("Purchase", R"({"gbraid": "gb-1", "wbraid": "wb-1"})");
	EXPECT_EQ(Body(Build(DataManager(), {event}))["events"][0]["adIdentifiers"],
	          json::parse(R"({"wbraid": "wb-1"})"));
	event.action_source = "app";
	EXPECT_EQ(Body(Build(DataManager(), {event}))["events"][0]["adIdentifiers"],
	          json::parse(R"({"gbraid": "gb-1"})"));
	event = Event("Purchase", R"({"gclid": "g-1", "gbraid": "gb-1"})");
	EXPECT_EQ(Body(Build(DataManager(), {event}))["events"][0]["adIdentifiers"],
	          json::parse(R"({"gclid": "g-1"})"));
}

TEST(GoogleDataManagerRequest, BatchCapIs2000) {
	auto builder = GoogleAdapter().StartRequest(DataManager(), RequestContext{"", "tok"});
	OutboxEvent event = Purchase();
	for (int i = 0; i < 2000; ++i) {
		ASSERT_FALSE(builder->full());
		ASSERT_FALSE(builder->Add(event, kNow));
	}
	EXPECT_TRUE(builder->full());
	EXPECT_THROW(builder->Add(event, kNow), Error);
	json body = Body(builder->Finish());
	EXPECT_EQ(body["events"].size(), 2000u);
	EXPECT_EQ(body["destinations"].size(), 1u);
}

TEST(GoogleDataManagerRequest, EndpointOverrideAndStaticToken) {
	Destination destination = DataManager();
	destination.endpoint_override = "http://127.0.0.1:7000";
	HttpRequest request = Build(destination, {Purchase()}, "");
	EXPECT_EQ(request.url, "http://127.0.0.1:7000/v1/events:ingest");
	EXPECT_TRUE(HasHeader(request, "Authorization: Bearer ya29.static"));
	// An OAuth destination without a token obtained yet cannot build.
	Destination oauth = Ads();
	EXPECT_THROW(Build(oauth, {Purchase()}, ""), Error);
}

TEST(GoogleAdsRequest, OneRealisticPurchase) {
	HttpRequest request =
	    Build(Ads(R"(, "login_account_id": "9876543210", "validate_only": true)"), {Purchase()});
	EXPECT_EQ(request.url,
	          "https://googleads.googleapis.com/v25/customers/1234567890:uploadClickConversions");
	EXPECT_TRUE(HasHeader(request, "Authorization: Bearer ya29.oauth"));
	EXPECT_TRUE(HasHeader(request, "developer-token: devtok"));
	EXPECT_TRUE(HasHeader(request, "login-customer-id: 9876543210"));
	for (const char *secret : {"ya29.oauth", "devtok", "rtoken", "csecret"})
		EXPECT_NE(std::find(request.secrets.begin(), request.secrets.end(), secret), request.secrets.end())
		    << secret;
	EXPECT_EQ(Body(request), json::parse(std::string(R"({
	  "conversions": [{"conversionAction": "customers/1234567890/conversionActions/555",
	                   "conversionDateTime": "2025-11-11 23:05:53+00:00",
	                   "gclid": "Cj0KCQ-gclid", "orderId": "1001",
	                   "conversionValue": 123.45, "currencyCode": "USD",
	                   "userIdentifiers": [
	                     {"userIdentifierSource": "FIRST_PARTY", "hashedEmail": ")") +
	                                     kEmail + R"("},
	                     {"userIdentifierSource": "FIRST_PARTY", "hashedPhoneNumber": ")" +
	                                     kPhone + R"("}],
	                   "consent": {"adUserData": "GRANTED"}}],
	  "partialFailure": true, "validateOnly": true})"));
}

TEST(GoogleAdsRequest, DeniedConsentIosClickIdsAndMatchability) {
	OutboxEvent denied = Purchase();
	denied.consent_json = R"({"ad_user_data": "denied", "ad_personalization": "granted"})";
	json conversion = Body(Build(Ads(), {denied}))["conversions"][0];
	EXPECT_FALSE(conversion.contains("userIdentifiers"));
	EXPECT_EQ(conversion["consent"], json::parse(R"({"adUserData": "DENIED"})")); // no adPersonalization
	EXPECT_EQ(conversion["gclid"], "Cj0KCQ-gclid");

	OutboxEvent ios = Event("Purchase", R"({"email": "a@example.com", "wbraid": "wb-1"})");
	conversion = Body(Build(Ads(), {ios}))["conversions"][0];
	EXPECT_EQ(conversion["wbraid"], "wb-1");
	EXPECT_FALSE(conversion.contains("userIdentifiers"));

	// Address only, no click id: the Ads API cannot match it (the Data Manager API can).
	OutboxEvent address =
	    Event("Purchase", R"({"first_name": "Mary", "last_name": "Smith", "country": "US", "zip": "94035"})");
	std::optional<std::string> reason = Preflight(Ads(), address);
	ASSERT_TRUE(reason);
	EXPECT_NE(reason->find("no click id (gclid, gbraid, wbraid), email or phone"), std::string::npos)
	    << *reason;
	EXPECT_FALSE(Preflight(DataManager(), address));
}

TEST(GoogleAdsRequest, AtMostFiveIdentifiers) {
	OutboxEvent event =
	    Event("Purchase", R"({"email": ["a@example.com", "b@example.com", "c@example.com", "d@example.com"],
	                                           "phone": ["+16505551212", "+16505551213"]})");
	json conversion = Body(Build(Ads(), {event}))["conversions"][0];
	EXPECT_EQ(conversion["userIdentifiers"].size(), 5u);
	EXPECT_FALSE(conversion.contains("gclid"));
}

} // namespace
} // namespace capi::dispatch
