#include "core/dispatch/preview.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

std::int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

Destination MetaDestination() {
	Destination destination;
	destination.name = "meta-shop";
	destination.platform = identity::Platform::kMeta;
	destination.config_json = R"({"pixel_id": "1234567890", "test_event_code": "TEST42"})";
	destination.credentials_json = R"({"access_token": "EAAsecret-preview-token"})";
	return destination;
}

OutboxEvent Purchase(std::int64_t now_ms) {
	OutboxEvent event;
	event.outbox_id = 1;
	event.event_id = "order-1";
	event.event_name = "Purchase";
	event.event_time_ms = now_ms - 60000;
	event.action_source = "system_generated";
	event.user_data_json =
	    R"({"email": ["62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"]})";
	event.custom_data_json = R"({"value": 12.5, "currency": "USD"})";
	return event;
}

TEST(Preview, IsTheMetaBodyWithTheTokenRedacted) {
	std::int64_t now = NowMs();
	std::string body = PreviewBody(MetaDestination(), {Purchase(now)}, now);
	EXPECT_EQ(body.find("EAAsecret-preview-token"), std::string::npos);
	nlohmann::json json = nlohmann::json::parse(body);
	EXPECT_EQ(json["access_token"], "[REDACTED]");
	EXPECT_EQ(json["test_event_code"], "TEST42");
	ASSERT_EQ(json["data"].size(), 1u);
	EXPECT_EQ(json["data"][0]["event_id"], "order-1");
	EXPECT_EQ(json["data"][0]["event_time"], (now - 60000) / 1000);
	EXPECT_EQ(json["data"][0]["user_data"]["em"][0],
	          "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
	EXPECT_EQ(json["data"][0]["custom_data"]["currency"], "USD");
}

TEST(Preview, AnEventThePlatformWouldRejectIsAnError) {
	std::int64_t now = NowMs();
	OutboxEvent stale = Purchase(now);
	stale.event_time_ms = now - 8LL * 24 * 3600 * 1000;
	try {
		PreviewBody(MetaDestination(), {stale}, now);
		FAIL() << "a stale event was previewed";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22000");
	}
}

} // namespace
} // namespace capi::dispatch
