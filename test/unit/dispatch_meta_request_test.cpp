#include "core/platforms/meta/meta_adapter.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr const char *kToken = "EAAtoken-123";
constexpr const char *kEmail =
    "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"; // john_smith@gmail.com
constexpr const char *kPhone =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kMary = "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec";
constexpr const char *kSmith = "6627835f988e2c5e50533d491163072d3f4f41f5c8b04630150debb3722ca2dd";
constexpr const char *kUs = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";
constexpr const char *kF = "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111";
constexpr const char *kDob = "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"; // 19970216
constexpr const char *kZip = "1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e"; // 94035
constexpr const char *kCa = "6959097001d10501ac7d54c0bdb8db61420f658f2922cc26e46d536119a31126";
constexpr const char *kNewYork = "350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5";
constexpr const char *kCrm42 = "c995655d9d4b04d624bc48b0bf3e4e773b6a3ab4dc56e9ec623aebf3ff5be297";
// Stand-ins for other variants: only their routing matters here.
constexpr const char *kOtherHash = "0000000000000000000000000000000000000000000000000000000000000001";

constexpr std::int64_t kNow = 1762902400000; // 47 s after the purchase below

Destination MetaDestination() {
	Destination destination;
	destination.name = "shop_meta";
	destination.platform = identity::Platform::kMeta;
	destination.config_json = R"({"pixel_id": "123456789012345"})";
	destination.credentials_json = R"({"access_token": "EAAtoken-123"})";
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
	        {"email@google", {kOtherHash}},
	        {"phone", {kPhone}},
	        {"phone@meta", {kPhone, kOtherHash}},
	        {"first_name", {kMary}},
	        {"last_name", {kSmith}},
	        {"gender", {kF}},
	        {"date_of_birth", {kDob}},
	        {"city", {kNewYork}},
	        {"city@tiktok", {"new york"}},
	        {"state", {kCa}},
	        {"zip", {kZip}},
	        {"country", {kUs}},
	        {"external_id", {kCrm42}},
	        {"street", {kOtherHash}},
	        {"client_ip_address", "2001:db8::7"},
	        {"client_user_agent", "Mozilla/5.0 (\"quoted\")"},
	        {"fbc", "fb.1.1554763741205.AbCdEf"},
	        {"fbp", "fb.1.1558571054389.1098115397"},
	        {"gclid", "g-1"},
	        {"ttclid", "t-1"},
	    }
	        .dump();
	event.custom_data_json =
	    R"({"value": 123.45, "currency": "USD", "contents": [{"id": "sku-1", "quantity": 2}], "order_id": "1001"})";
	event.consent_json =
	    R"({"opt_out": false, "ldu": {"country": 1, "state": 1000}, "ad_user_data": "granted"})";
	return event;
}

OutboxEvent Lead() {
	OutboxEvent event;
	event.outbox_id = 2;
	event.event_name = "Lead";
	event.event_time_ms = 1762902000000;
	event.action_source = "phone_call";
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("]})";
	event.consent_json = R"({"opt_out": true, "ldu": true})";
	return event;
}

TEST(MetaRequest, BodyMapsEveryColumn) {
	const MetaAdapter adapter;
	OutboxEvent purchase = Purchase(), lead = Lead();
	HttpRequest request = adapter.BuildRequest(MetaDestination(), {&purchase, &lead}, {""}, kNow);
	json body = json::parse(request.body);

	json expected_purchase = {
	    {"event_name", "Purchase"},
	    {"event_time", 1762902353}, // seconds, truncated
	    {"event_id", "order-1001"},
	    {"action_source", "website"},
	    {"event_source_url", "https://shop.example/checkout?step=3"},
	    {"opt_out", false},
	    {"user_data",
	     {
	         {"em", {kEmail}},
	         {"ph", {kPhone, kOtherHash}}, // phone@meta wins over phone
	         {"fn", {kMary}},
	         {"ln", {kSmith}},
	         {"ge", {kF}},
	         {"db", {kDob}},
	         {"ct", {kNewYork}}, // city@tiktok is not Meta's
	         {"st", {kCa}},
	         {"zp", {kZip}},
	         {"country", {kUs}},
	         {"external_id", {kCrm42}},
	         {"client_ip_address", "2001:db8::7"},
	         {"client_user_agent", "Mozilla/5.0 (\"quoted\")"},
	         {"fbc", "fb.1.1554763741205.AbCdEf"},
	         {"fbp", "fb.1.1558571054389.1098115397"},
	     }},
	    {"custom_data",
	     {{"value", 123.45},
	      {"currency", "USD"},
	      {"contents", {{{"id", "sku-1"}, {"quantity", 2}}}},
	      {"order_id", "1001"}}},
	    {"data_processing_options", {"LDU"}},
	    {"data_processing_options_country", 1},
	    {"data_processing_options_state", 1000},
	};
	json expected_lead = {
	    {"event_name", "Lead"},
	    {"event_time", 1762902000},
	    {"action_source", "phone_call"},
	    {"opt_out", true},
	    {"user_data", {{"em", {kEmail}}}},
	    {"data_processing_options", {"LDU"}},
	    {"data_processing_options_country", 0},
	    {"data_processing_options_state", 0},
	};
	json expected = {{"data", {expected_purchase, expected_lead}}, {"access_token", kToken}};
	EXPECT_EQ(body, expected) << body.dump(2);
}

TEST(MetaRequest, ExactTextOfAMinimalEvent) {
	const MetaAdapter adapter;
	OutboxEvent event;
	event.event_name = "Contact";
	event.event_time_ms = 1762902000999;
	event.action_source = "chat";
	HttpRequest request = adapter.BuildRequest(MetaDestination(), {&event}, {""}, kNow);
	EXPECT_EQ(request.body,
	          R"({"data":[{"event_name":"Contact","event_time":1762902000,"action_source":"chat",)"
	          R"("user_data":{}}],"access_token":"EAAtoken-123"})");
}

TEST(MetaRequest, UrlHeadersAndSecrets) {
	const MetaAdapter adapter;
	OutboxEvent event = Lead();
	HttpRequest request = adapter.BuildRequest(MetaDestination(), {&event}, {""}, kNow);
	EXPECT_EQ(request.url, "https://graph.facebook.com/v25.0/123456789012345/events");
	EXPECT_EQ(request.headers, std::vector<std::string>({"Content-Type: application/json"}));
	EXPECT_EQ(request.url.find(kToken), std::string::npos);
	for (const std::string &header : request.headers) {
		EXPECT_EQ(header.find(kToken), std::string::npos);
	}
	EXPECT_EQ(request.secrets, std::vector<std::string>({kToken}));
}

TEST(MetaRequest, EndpointOverrides) {
	const MetaAdapter adapter;
	OutboxEvent event = Lead();
	Destination destination = MetaDestination();
	destination.config_json = R"({"pixel_id": "42", "api_version": "v24.0"})";
	EXPECT_EQ(adapter.BuildRequest(destination, {&event}, {"http://127.0.0.1:18080"}, kNow).url,
	          "http://127.0.0.1:18080/v24.0/42/events");
	EXPECT_EQ(adapter.BuildRequest(destination, {&event}, {"https://[::1]:8443/"}, kNow).url,
	          "https://[::1]:8443/v24.0/42/events");
	destination.endpoint_override = "http://localhost:9000";
	EXPECT_EQ(adapter.BuildRequest(destination, {&event}, {""}, kNow).url,
	          "http://localhost:9000/v24.0/42/events");
	// The caller's override wins over the destination's.
	EXPECT_EQ(adapter.BuildRequest(destination, {&event}, {"http://127.0.0.1:1"}, kNow).url,
	          "http://127.0.0.1:1/v24.0/42/events");
	EXPECT_THROW(adapter.BuildRequest(destination, {&event}, {"http://127.0.0.1:1/v1?x=1"}, kNow), Error);
}

TEST(MetaRequest, OptionalTopLevelFieldsAndAppSecretProof) {
	const MetaAdapter adapter;
	OutboxEvent event = Lead();
	Destination destination = MetaDestination();
	destination.config_json =
	    R"({"pixel_id": "42", "test_event_code": "TEST123", "partner_agent": "pg_capi-0.3"})";
	destination.credentials_json = R"({"access_token": "EAAtoken-123", "app_secret": "app-secret-42"})";
	HttpRequest request = adapter.BuildRequest(destination, {&event}, {""}, kNow);
	json body = json::parse(request.body);
	// python3: hmac.new(b'app-secret-42', b'EAAtoken-123', hashlib.sha256).hexdigest()
	const std::string proof = "012d8cb0a810c5b078576c8a07e6e1a98256af561585c5e26935963c03483a68";
	EXPECT_EQ(body["access_token"], kToken);
	EXPECT_EQ(body["appsecret_proof"], proof);
	EXPECT_EQ(body["test_event_code"], "TEST123");
	EXPECT_EQ(body["partner_agent"], "pg_capi-0.3");
	EXPECT_EQ(body.size(), 5u);
	EXPECT_EQ(request.url.find(kToken), std::string::npos);
	EXPECT_EQ(request.secrets, std::vector<std::string>({kToken, proof, "app-secret-42"}));
	EXPECT_EQ(request.body.find("app-secret-42"), std::string::npos); // the secret itself is never sent
}

TEST(MetaRequest, EscapesTextColumns) {
	const MetaAdapter adapter;
	OutboxEvent event = Lead();
	event.event_name = "Custom \"quoted\" \\ name\n";
	event.event_id = "id\t1";
	HttpRequest request = adapter.BuildRequest(MetaDestination(), {&event}, {""}, kNow);
	json body = json::parse(request.body);
	EXPECT_EQ(body["data"][0]["event_name"], "Custom \"quoted\" \\ name\n");
	EXPECT_EQ(body["data"][0]["event_id"], "id\t1");
}

TEST(MetaRequest, RejectsInvalidBatches) {
	const MetaAdapter adapter;
	EXPECT_THROW(adapter.BuildRequest(MetaDestination(), {}, {""}, kNow), Error);
	OutboxEvent event = Lead();
	std::vector<const OutboxEvent *> too_many(1001, &event);
	EXPECT_THROW(adapter.BuildRequest(MetaDestination(), too_many, {""}, kNow), Error);
	std::vector<const OutboxEvent *> full(1000, &event);
	EXPECT_EQ(json::parse(adapter.BuildRequest(MetaDestination(), full, {""}, kNow).body)["data"].size(),
	          1000u);

	OutboxEvent broken = Lead();
	broken.outbox_id = 77;
	broken.custom_data_json = "[1]";
	try {
		adapter.BuildRequest(MetaDestination(), {&event, &broken}, {""}, kNow);
		FAIL() << "expected an error";
	} catch (const Error &error) {
		EXPECT_STREQ(error.what(),
		             "outbox event 77 cannot be sent to meta: custom_data must be a JSON object");
	}
	Destination invalid = MetaDestination();
	invalid.config_json = "{}";
	EXPECT_THROW(adapter.BuildRequest(invalid, {&event}, {""}, kNow), Error);
}

TEST(MetaRequest, BuilderRefusesBadEventsWithoutTouchingTheRequest) {
	const MetaAdapter adapter;
	const Destination destination = MetaDestination();
	OutboxEvent good = Lead(), stale = Lead(), unhashed = Lead();
	stale.event_time_ms = kNow - 8 * kDayMs;
	unhashed.user_data_json = R"({"email": ["john@example.com"]})";

	std::unique_ptr<RequestBuilder> builder = adapter.StartRequest(destination, {});
	EXPECT_EQ(builder->Add(good, kNow), std::nullopt);
	EXPECT_EQ(builder->Add(stale, kNow),
	          "event_time is 8 days old; Meta rejects events older than 7 days (62 for physical_store)");
	EXPECT_EQ(builder->Add(unhashed, kNow),
	          "user_data: a email value for Meta is not a lowercase SHA-256 hex digest");
	EXPECT_EQ(builder->Add(good, kNow), std::nullopt);
	EXPECT_EQ(builder->size(), 2u);
	EXPECT_FALSE(builder->full());
	HttpRequest request = builder->Finish();
	EXPECT_EQ(request.body, adapter.BuildRequest(destination, {&good, &good}, {""}, kNow).body);
	EXPECT_THROW(builder->Finish(), Error);
}

TEST(MetaRequest, BuilderFillsUpAtTheBatchLimit) {
	const MetaAdapter adapter;
	OutboxEvent event = Lead();
	const Destination destination = MetaDestination(); // the builder refers to it (adapter.hpp)
	std::unique_ptr<RequestBuilder> builder = adapter.StartRequest(destination, {});
	for (int i = 0; i < 1000; ++i) {
		ASSERT_FALSE(builder->full());
		ASSERT_EQ(builder->Add(event, kNow), std::nullopt);
	}
	EXPECT_TRUE(builder->full());
	EXPECT_THROW(builder->Add(event, kNow), Error);
	EXPECT_EQ(json::parse(builder->Finish().body)["data"].size(), 1000u);
	EXPECT_THROW(adapter.StartRequest(MetaDestination(), {})->Finish(), Error); // no events
}

TEST(MetaRequest, StartRequestChecksTheDestination) {
	const MetaAdapter adapter;
	Destination destination = MetaDestination();
	destination.credentials_json = "{}";
	EXPECT_THROW(adapter.StartRequest(destination, {}), Error);
}

// Consent (consent_policy.hpp): an event whose person denied ad_user_data is skipped by default; with
// denied_ad_user_data = "send_without_identifiers" it goes without a single identifier, unless it is a
// website event (Meta requires the user agent there), which is then skipped too.
TEST(MetaRequest, DeniedAdUserDataIsSkippedOrSentWithoutIdentifiers) {
	MetaAdapter adapter;
	OutboxEvent denied = Purchase();
	denied.consent_json = R"({"ad_user_data": "denied"})";
	std::unique_ptr<RequestBuilder> builder = adapter.StartRequest(MetaDestination(), {});
	std::optional<Refusal> refusal = builder->Add(denied, kNow);
	ASSERT_TRUE(refusal.has_value());
	EXPECT_TRUE(refusal->skip);
	EXPECT_NE(refusal->reason.find("ad_user_data is denied"), std::string::npos) << refusal->reason;
	EXPECT_EQ(builder->size(), 0u);

	Destination stripping = MetaDestination();
	stripping.config_json =
	    R"({"pixel_id": "123456789012345", "denied_ad_user_data": "send_without_identifiers"})";
	builder = adapter.StartRequest(stripping, {});
	refusal = builder->Add(denied, kNow);
	ASSERT_TRUE(refusal.has_value()) << "a website event needs the user agent, which consent removed";
	EXPECT_TRUE(refusal->skip);

	OutboxEvent offline = Lead();
	offline.consent_json = R"({"ad_user_data": "denied"})";
	EXPECT_FALSE(builder->Add(offline, kNow).has_value());
	json body = json::parse(builder->Finish().body);
	EXPECT_EQ(body["data"][0]["user_data"], json::object()) << "no identifier at all, hashed or plain";
	EXPECT_EQ(body.dump().find(kEmail), std::string::npos);
}

TEST(MetaRequest, OneGroupPerDestination) {
	const MetaAdapter adapter;
	OutboxEvent a = Purchase(), b = Lead();
	EXPECT_EQ(adapter.GroupingKey(MetaDestination(), a), adapter.GroupingKey(MetaDestination(), b));
}

} // namespace
} // namespace capi::dispatch
