#include "core/platforms/meta/meta_adapter.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

constexpr std::int64_t kNow = 1764000000000; // 2025-11-24T16:00:00Z
constexpr std::int64_t kHourMs = 3600 * 1000;
constexpr const char *kEmail = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

Destination MetaDestination() {
	Destination destination;
	destination.name = "shop_meta";
	destination.config_json = R"({"pixel_id": "1"})";
	destination.credentials_json = R"({"access_token": "t"})";
	return destination;
}

OutboxEvent Event(std::string action_source, std::int64_t event_time_ms) {
	OutboxEvent event;
	event.event_name = "Purchase";
	event.event_id = "e1";
	event.action_source = std::move(action_source);
	event.event_time_ms = event_time_ms;
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("], "client_user_agent": "UA"})";
	if (event.action_source == "website") {
		event.event_source_url = "https://shop.example/";
	}
	return event;
}

std::optional<std::string> Check(const OutboxEvent &event) {
	return MetaAdapter().Preflight(MetaDestination(), event, kNow);
}

TEST(MetaPreflight, AcceptsFreshEvents) {
	EXPECT_EQ(Check(Event("website", kNow)), std::nullopt);
	EXPECT_EQ(Check(Event("app", kNow - 6 * kDayMs)), std::nullopt);
	EXPECT_EQ(Check(Event("email", kNow + 9 * 60 * 1000)), std::nullopt);
}

TEST(MetaPreflight, SevenDaysWithAMargin) {
	EXPECT_EQ(Check(Event("website", kNow - 7 * kDayMs + 2 * 60 * 1000)), std::nullopt);
	// Inside the last minute of the window: it would expire on the way.
	EXPECT_EQ(Check(Event("website", kNow - 7 * kDayMs + 30 * 1000)),
	          "event_time is 6 days old; Meta rejects events older than 7 days (62 for physical_store)");
	EXPECT_EQ(Check(Event("system_generated", kNow - 8 * kDayMs)),
	          "event_time is 8 days old; Meta rejects events older than 7 days (62 for physical_store)");
}

TEST(MetaPreflight, SixtyTwoDaysForPhysicalStores) {
	EXPECT_EQ(Check(Event("physical_store", kNow - 30 * kDayMs)), std::nullopt);
	EXPECT_EQ(Check(Event("physical_store", kNow - 61 * kDayMs - 23 * kHourMs)), std::nullopt);
	EXPECT_EQ(Check(Event("physical_store", kNow - 62 * kDayMs - kHourMs)),
	          "event_time is 62 days old; Meta rejects events older than 62 days");
}

TEST(MetaPreflight, Future) {
	EXPECT_EQ(Check(Event("website", kNow + 11 * 60 * 1000)),
	          "event_time is 660 s in the future; Meta rejects it");
	// Milliseconds mistaken for seconds upstream would look like this; here it is far in the future.
	EXPECT_NE(Check(Event("website", kNow * 1000)), std::nullopt);
}

TEST(MetaPreflight, RequiredColumns) {
	OutboxEvent event = Event("website", kNow);
	event.event_source_url.clear();
	EXPECT_EQ(Check(event), "Meta requires event_source_url for website events");

	event = Event("website", kNow);
	event.user_data_json = std::string(R"({"email": [")") + kEmail + R"("]})";
	EXPECT_EQ(Check(event), "Meta requires user_data.client_user_agent for website events");
	event.action_source = "app"; // only website events need it
	EXPECT_EQ(Check(event), std::nullopt);

	event = Event("website", kNow);
	event.event_name.clear();
	EXPECT_EQ(Check(event), "event_name is empty");

	event = Event("offline", kNow);
	EXPECT_EQ(Check(event),
	          "action_source must be one of website, app, email, phone_call, chat, physical_store, "
	          "system_generated, business_messaging, other for Meta");
	event = Event("business_messaging", 0);
	EXPECT_EQ(Check(event), "event_time must be a positive Unix time");
}

TEST(MetaPreflight, IdentityValuesMustBeHashes) {
	OutboxEvent event = Event("app", kNow);
	event.user_data_json = R"({"email": ["john@example.com"]})";
	std::optional<std::string> problem = Check(event);
	EXPECT_EQ(problem, "user_data: a email value for Meta is not a lowercase SHA-256 hex digest");
	EXPECT_EQ(problem->find("john"), std::string::npos); // never quotes personal data

	event.user_data_json =
	    R"({"email": ["62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"]})";
	EXPECT_NE(Check(event), std::nullopt);
	// A plain variant for another platform does not matter to Meta.
	event.user_data_json = std::string(R"({"city@tiktok": ["new york"], "email": [")") + kEmail + R"("]})";
	EXPECT_EQ(Check(event), std::nullopt);
	// But a Meta-specific one does.
	event.user_data_json = R"({"city@meta": ["new york"]})";
	EXPECT_EQ(Check(event), "user_data: a city value for Meta is not a lowercase SHA-256 hex digest");
}

TEST(MetaPreflight, IpAddress) {
	OutboxEvent event = Event("app", kNow);
	event.user_data_json = R"({"client_ip_address": "203.0.113.7"})";
	EXPECT_EQ(Check(event), std::nullopt);
	event.user_data_json = R"({"client_ip_address": "2001:db8::1"})";
	EXPECT_EQ(Check(event), std::nullopt);
	event.user_data_json = R"({"client_ip_address": "203.0.113.7, 10.0.0.1"})";
	EXPECT_EQ(Check(event), "user_data.client_ip_address is not an IPv4 or IPv6 address");
}

TEST(MetaPreflight, MalformedJsonColumns) {
	OutboxEvent event = Event("app", kNow);
	event.custom_data_json = "{\"value\": ";
	EXPECT_EQ(Check(event), "custom_data is not valid JSON");
	event = Event("app", kNow);
	event.consent_json = R"({"ldu": "yes"})";
	EXPECT_EQ(Check(event), "consent.ldu must be true, false or {\"country\": int, \"state\": int}");
	event = Event("app", kNow);
	event.user_data_json = "not json";
	EXPECT_EQ(Check(event), "user_data is not valid JSON");
}

} // namespace
} // namespace capi::dispatch
