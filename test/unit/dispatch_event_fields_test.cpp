#include "core/dispatch/event_fields.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

using identity::Platform;

OutboxEvent WithConsent(std::string consent) {
	OutboxEvent event;
	event.event_name = "Purchase";
	event.consent_json = std::move(consent);
	return event;
}

TEST(EventFields, ConsentDefaults) {
	EventFields fields;
	for (const char *text : {"", "{}", "null", " "}) {
		ASSERT_EQ(fields.Read(WithConsent(text), Platform::kMeta), std::nullopt) << text;
		EXPECT_EQ(fields.consent().opt_out, std::nullopt);
		EXPECT_FALSE(fields.consent().limited_data_use);
		EXPECT_EQ(fields.consent().ad_user_data, ConsentStatus::kUnspecified);
	}
}

TEST(EventFields, ConsentValues) {
	EventFields fields;
	ASSERT_EQ(fields.Read(WithConsent(R"({"opt_out": true, "ldu": true, "ad_user_data": "granted",
	                                      "ad_personalization": "denied", "other": 1})"),
	                      Platform::kMeta),
	          std::nullopt);
	EXPECT_EQ(fields.consent().opt_out, true);
	EXPECT_TRUE(fields.consent().limited_data_use);
	EXPECT_EQ(fields.consent().ldu_country, 0);
	EXPECT_EQ(fields.consent().ldu_state, 0);
	EXPECT_EQ(fields.consent().ad_user_data, ConsentStatus::kGranted);
	EXPECT_EQ(fields.consent().ad_personalization, ConsentStatus::kDenied);

	ASSERT_EQ(fields.Read(WithConsent(R"({"opt_out": false, "ldu": {"country": 1, "state": 1000}})"),
	                      Platform::kMeta),
	          std::nullopt);
	EXPECT_EQ(fields.consent().opt_out, false);
	EXPECT_TRUE(fields.consent().limited_data_use);
	EXPECT_EQ(fields.consent().ldu_country, 1);
	EXPECT_EQ(fields.consent().ldu_state, 1000);

	ASSERT_EQ(fields.Read(WithConsent(R"({"ldu": false})"), Platform::kMeta), std::nullopt);
	EXPECT_FALSE(fields.consent().limited_data_use);
	EXPECT_EQ(fields.consent().opt_out, std::nullopt); // reset between events
}

TEST(EventFields, ConsentErrors) {
	EventFields fields;
	EXPECT_EQ(fields.Read(WithConsent("{"), Platform::kMeta), "consent is not valid JSON");
	EXPECT_EQ(fields.Read(WithConsent("[true]"), Platform::kMeta), "consent must be a JSON object");
	EXPECT_EQ(fields.Read(WithConsent(R"({"opt_out": "yes"})"), Platform::kMeta),
	          "consent.opt_out must be true or false");
	EXPECT_EQ(fields.Read(WithConsent(R"({"ldu": "on"})"), Platform::kMeta),
	          "consent.ldu must be true, false or {\"country\": int, \"state\": int}");
	EXPECT_EQ(fields.Read(WithConsent(R"({"ldu": {"country": -1}})"), Platform::kMeta),
	          "consent.ldu.country must be a non-negative integer");
	EXPECT_EQ(fields.Read(WithConsent(R"({"ldu": {"state": 1.5}})"), Platform::kMeta),
	          "consent.ldu.state must be a non-negative integer");
	EXPECT_EQ(fields.Read(WithConsent(R"({"ad_user_data": "GRANTED"})"), Platform::kMeta),
	          "consent.ad_user_data must be \"granted\" or \"denied\"");
}

TEST(EventFields, CustomDataIsKeptAsTrimmedText) {
	EventFields fields;
	OutboxEvent event;
	event.custom_data_json = "  {\"value\": 12.5, \"currency\": \"USD\"}\n";
	ASSERT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
	EXPECT_EQ(fields.custom_data_json(), "{\"value\": 12.5, \"currency\": \"USD\"}");
	event.custom_data_json = " {} ";
	ASSERT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
	EXPECT_EQ(fields.custom_data_json(), "{}");
	for (const char *none : {"", "null", " null "}) {
		event.custom_data_json = none;
		ASSERT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
		EXPECT_EQ(fields.custom_data_json(), "");
	}
	event.custom_data_json = "[1]";
	EXPECT_EQ(fields.Read(event, Platform::kMeta), "custom_data must be a JSON object");
	event.custom_data_json = "{\"value\": 1} {}";
	EXPECT_EQ(fields.Read(event, Platform::kMeta), "custom_data is not valid JSON");
	event.custom_data_json = "{\"a\": \"\xff\"}";
	EXPECT_EQ(fields.Read(event, Platform::kMeta), "custom_data is not valid JSON");
}

TEST(EventFields, CustomDataNullMembersAreLeftOut) {
	EventFields fields;
	OutboxEvent event;
	event.custom_data_json = R"({"value": null, "currency": null})";
	ASSERT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
	EXPECT_EQ(fields.custom_data_json(), "{}");
	event.custom_data_json =
	    R"({"value": 12.5, "currency": "USD", "order_id": null, "contents": [{"id": "a\"b", "quantity": null}, null], "note": "null"})";
	ASSERT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
	EXPECT_EQ(fields.custom_data_json(),
	          R"({"contents":[{"id":"a\"b"},null],"currency":"USD","note":"null","value":12.5})");
	// The word null in a string is no null member: the text is kept as stored.
	event.custom_data_json = R"({"note": "null", "value": 1})";
	ASSERT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
	EXPECT_EQ(fields.custom_data_json(), R"({"note": "null", "value": 1})");
}

TEST(EventFields, TextColumnsMustBeUtf8) {
	EventFields fields;
	OutboxEvent event;
	event.event_name = "Purchase";
	event.event_id = "order-\xC3";
	EXPECT_EQ(fields.Read(event, Platform::kMeta), "event_id is not valid UTF-8");
	event.event_id = "order-\xC3\xA9";
	EXPECT_EQ(fields.Read(event, Platform::kMeta), std::nullopt);
	event.event_source_url = "https://x/\xED\xA0\x80"; // a UTF-16 surrogate
	EXPECT_EQ(fields.Read(event, Platform::kMeta), "event_source_url is not valid UTF-8");
}

TEST(EventFields, BagProblemsAreReported) {
	EventFields fields;
	OutboxEvent event;
	event.user_data_json = "[]";
	EXPECT_EQ(fields.Read(event, Platform::kMeta), "user_data must be a JSON object");
}

} // namespace
} // namespace capi::dispatch
