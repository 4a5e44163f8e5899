#include "core/outbox/row_validation.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>

#include "core/error.hpp"

namespace capi::outbox {
namespace {

constexpr std::int64_t kNow = 1780000000000; // 2026-05-28 20:26:40 UTC
constexpr std::int64_t kMinute = 60 * 1000;

OutboxRowView GoodRow() {
	OutboxRowView row;
	row.event_id = "order-1042";
	row.event_name = "Purchase";
	row.event_time_ms = kNow - 5 * kMinute;
	row.action_source = "website";
	row.event_source_url = std::string_view("https://shop.example.com/checkout?step=3");
	row.custom_data_json = std::string_view(
	    R"({"value": 123.45, "currency": "USD", "order_id": "1042", "content_type": "product",
	        "contents": [{"id": "SKU-1", "quantity": 2, "item_price": 49.5, "delivery_category": "home_delivery"},
	                     {"id": 77, "quantity": 1}],
	        "content_ids": ["SKU-1", 77], "num_items": 3, "predicted_ltv": 400, "net_revenue": -3.5,
	        "custom_properties": {"coupon": "SPRING", "nested": [1, {"x": null}]}})");
	row.consent_json = std::string_view(
	    R"({"opt_out": false, "ldu": {"country": 1, "state": 1000}, "ad_user_data": "granted",
	        "ad_personalization": "denied"})");
	row.destinations = std::vector<std::optional<std::string_view>>{std::string_view("meta_main"),
	                                                                std::string_view("tiktok")};
	return row;
}

void SetCustomData(OutboxRowView &row, const char *json) {
	row.custom_data_json = std::string_view(json);
}
void SetConsent(OutboxRowView &row, const char *json) {
	row.consent_json = std::string_view(json);
}

struct GoodCase {
	const char *name;
	std::function<void(OutboxRowView &)> change;
};

const std::string &Repeat(const char *unit, int times) {
	static auto *strings = new std::vector<std::unique_ptr<std::string>>();
	auto text = std::make_unique<std::string>();
	for (int i = 0; i < times; ++i)
		*text += unit;
	strings->push_back(std::move(text));
	return *strings->back();
}

TEST(OutboxRowValidation, AcceptsGoodRows) {
	const GoodCase cases[] = {
	    {"full row", [](OutboxRowView &) {}},
	    {"minimal row",
	     [](OutboxRowView &row) {
		     row.event_source_url.reset();
		     row.custom_data_json.reset();
		     row.consent_json.reset();
		     row.destinations.reset();
	     }},
	    {"every action_source", [](OutboxRowView &row) { row.action_source = "business_messaging"; }},
	    {"physical_store", [](OutboxRowView &row) { row.action_source = "physical_store"; }},
	    {"8 days old: judged at delivery",
	     [](OutboxRowView &row) { row.event_time_ms = kNow - 8 * 24 * 60 * kMinute; }},
	    {"exactly 366 days old: judged at delivery",
	     [](OutboxRowView &row) { row.event_time_ms = kNow - kMaxPastMs; }},
	    {"exactly 10 minutes ahead", [](OutboxRowView &row) { row.event_time_ms = kNow + 10 * kMinute; }},
	    {"event_id of 256 characters", [](OutboxRowView &row) { row.event_id = Repeat("x", 256); }},
	    {"event_id of 256 two-byte characters",
	     [](OutboxRowView &row) { row.event_id = Repeat("\xc3\xa9", 256); }},
	    {"event_name of 100 characters",
	     [](OutboxRowView &row) { row.event_name = Repeat("\xe6\x9d\xb1", 100); }},
	    {"custom event name", [](OutboxRowView &row) { row.event_name = "K\xc3\xa4ufe abgeschlossen"; }},
	    {"empty url is absent", [](OutboxRowView &row) { row.event_source_url = std::string_view(""); }},
	    {"upper-case scheme, port",
	     [](OutboxRowView &row) { row.event_source_url = std::string_view("HTTP://localhost:8080/x#y"); }},
	    {"custom_data null", [](OutboxRowView &row) { row.custom_data_json = std::string_view("null"); }},
	    {"custom_data blank", [](OutboxRowView &row) { row.custom_data_json = std::string_view("  "); }},
	    {"custom_data empty", [](OutboxRowView &row) { row.custom_data_json = std::string_view("{}"); }},
	    {"lower-case currency, zero value, integral doubles",
	     [](OutboxRowView &row) {
		     row.custom_data_json = std::string_view(
		         R"({"value": 0, "currency": "usd", "num_items": 2.0, "contents": [{"quantity": 1.0}]})");
	     }},
	    {"null values are absent",
	     [](OutboxRowView &row) {
		     row.custom_data_json =
		         std::string_view(R"({"value": null, "currency": null, "contents": null})");
	     }},
	    {"consent null", [](OutboxRowView &row) { row.consent_json = std::string_view("null"); }},
	    {"consent ldu true",
	     [](OutboxRowView &row) { row.consent_json = std::string_view(R"({"ldu": true})"); }},
	    {"consent ldu geolocated",
	     [](OutboxRowView &row) {
		     row.consent_json = std::string_view(R"({"ldu": {"country": 0, "state": 0}})");
	     }},
	    {"consent nulls and unspecified",
	     [](OutboxRowView &row) {
		     row.consent_json = std::string_view(
		         R"({"opt_out": null, "ldu": null, "ad_user_data": "unspecified", "ad_personalization": null})");
	     }},
	    {"one destination",
	     [](OutboxRowView &row) {
		     row.destinations = std::vector<std::optional<std::string_view>>{std::string_view("meta_main")};
	     }},
	    // near misses of the refusals of issue 8
	    {"event_id with a zero-width space between visible characters",
	     [](OutboxRowView &row) { row.event_id = "order\u200b1042"; }},
	    {"event_id of one visible character among invisible ones",
	     [](OutboxRowView &row) { row.event_id = "\u200b\ufeff1\u2060"; }}, // issue 14: not U+200E
	    {"event_id in Japanese", [](OutboxRowView &row) { row.event_id = "\u6ce8\u6587-1042"; }},
	    {"event_name with @ but no address", [](OutboxRowView &row) { row.event_name = "Shirt @ 50% off"; }},
	    {"event_id with a handle", [](OutboxRowView &row) { row.event_id = "@shop:order-1"; }},
	    {"event_id user@localhost", [](OutboxRowView &row) { row.event_id = "admin@localhost"; }},
	    {"url with @ in the path, not an address",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/@brand/logo@2x.png?v=1.0@2");
	     }},
	    {"url with percent-encoded @ but no address",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/s?q=50%25%40off&x=%zz%4");
	     }},
	    {"url of exactly 8 kB",
	     [](OutboxRowView &row) {
		     static const std::string url = "https://shop.example.com/?q=" + std::string(8192 - 28, 'a');
		     row.event_source_url = std::string_view(url);
	     }},
	    {"custom_data with @ that are not addresses",
	     [](OutboxRowView &row) {
		     SetCustomData(row, R"({"title": "Shirt @ 50% off", "handle": "@shop", "image": "logo@2x.PNG",
		                           "version": "v1@2.0", "short": "a@b.c", "host": "john@example",
		                           "contents": [{"id": "a", "note": "2 @ 9.99"}]})");
	     }},
	    {"custom_data keys that resemble identifiers",
	     [](OutboxRowView &row) {
		     SetCustomData(row, R"({"email_campaign": "spring", "phone_model": "X1", "order_email_sent": true,
		                           "contents": [{"id": "a", "gender": "female", "country": "US"}],
		                           "store": {"city": "Paris", "state": "IDF", "zip": "75001"}})");
	     }},
	    {"custom_data nested 16 levels",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"a\":" + Repeat("[", 15) + Repeat("]", 15) + "}";
		     SetCustomData(row, json.c_str());
	     }},
	    {"brackets inside strings do not nest",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"a\": \"" + Repeat("[{", 100) + "\\\"\"}";
		     SetCustomData(row, json.c_str());
	     }},
	    {"custom_data of exactly 64 kB",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"a\": \"" + std::string(65536 - 9, 'x') + "\"}";
		     SetCustomData(row, json.c_str());
	     }},
	};
	for (const GoodCase &c : cases) {
		OutboxRowView row = GoodRow();
		c.change(row);
		try {
			ValidateOutboxRow(row, kNow);
		} catch (const Error &error) {
			ADD_FAILURE() << c.name << ": " << error.sqlstate() << " " << error.what();
		}
	}
}

struct BadCase {
	const char *name;
	std::function<void(OutboxRowView &)> change;
	const char *sqlstate;
	const char *message;          // expected fragment of the message
	const char *hint = "";        // expected fragment of the hint
	const char *never_shown = ""; // must appear in neither message nor hint
};

TEST(OutboxRowValidation, RejectsBadRowsWithSqlstateAndReason) {
	const std::string kCut = "action_source \"" + std::string(64, 'a') + "...\" is not valid";
	const BadCase cases[] = {
	    // event_id, event_name
	    {"empty event_id", [](OutboxRowView &row) { row.event_id = ""; }, "22023",
	     "event_id must not be empty", "deduplication key"},
	    {"blank event_id", [](OutboxRowView &row) { row.event_id = " \t "; }, "22023",
	     "event_id must not be empty"},
	    {"long event_id", [](OutboxRowView &row) { row.event_id = Repeat("x", 257); }, "22023",
	     "event_id is longer than 256 characters (257)", "", "xxxxxxxx"},
	    {"invalid UTF-8 event_id", [](OutboxRowView &row) { row.event_id = "ab\xff"; }, "22021",
	     "event_id is not valid UTF-8"},
	    {"empty event_name", [](OutboxRowView &row) { row.event_name = ""; }, "22023",
	     "event_name must not be empty", "Purchase"},
	    {"long event_name", [](OutboxRowView &row) { row.event_name = Repeat("\xc3\xa9", 101); }, "22023",
	     "event_name is longer than 100 characters (101)"},
	    // event_time
	    {"11 minutes ahead", [](OutboxRowView &row) { row.event_time_ms = kNow + 11 * kMinute; }, "22008",
	     "event_time 2026-05-28 20:37:40 UTC is 660 s in the future; at most 600 s are allowed", "time zone"},
	    {"one millisecond too far", [](OutboxRowView &row) { row.event_time_ms = kNow + 10 * kMinute + 1; },
	     "22008", "in the future"},
	    {"year 275000", [](OutboxRowView &row) { row.event_time_ms = 8600000000000000; }, "22008",
	     "in the future"},
	    // action_source
	    {"capitalized action_source", [](OutboxRowView &row) { row.action_source = "Website"; }, "22023",
	     "action_source \"Website\" is not valid",
	     "website, app, email, phone_call, chat, physical_store, system_generated, business_messaging, "
	     "other"},
	    {"empty action_source", [](OutboxRowView &row) { row.action_source = ""; }, "22023",
	     "action_source \"\" is not valid"},
	    {"long action_source is cut", [](OutboxRowView &row) { row.action_source = Repeat("a", 100); },
	     "22023", kCut.c_str()},
	    // event_source_url
	    {"mailto url",
	     [](OutboxRowView &row) { row.event_source_url = std::string_view("mailto:john@example.com"); },
	     "22023", "event_source_url does not start with http:// or https://", "https://", "john"},
	    {"relative url", [](OutboxRowView &row) { row.event_source_url = std::string_view("/checkout"); },
	     "22023", "does not start with http://"},
	    {"no host", [](OutboxRowView &row) { row.event_source_url = std::string_view("https://"); }, "22023",
	     "event_source_url has no host"},
	    {"no host before path",
	     [](OutboxRowView &row) { row.event_source_url = std::string_view("https:///a?e=x@y"); }, "22023",
	     "has no host", "", "x@y"},
	    {"port only", [](OutboxRowView &row) { row.event_source_url = std::string_view("http://:80/"); },
	     "22023", "has no host"},
	    {"space in url",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/a b?em=jo@x.io");
	     },
	     "22023", "contains white space or control characters", "", "jo@x.io"},
	    // custom_data
	    {"custom_data array", [](OutboxRowView &row) { SetCustomData(row, "[]"); }, "22023",
	     "custom_data must be a JSON object"},
	    {"custom_data string", [](OutboxRowView &row) { SetCustomData(row, "\"x\""); }, "22023",
	     "custom_data must be a JSON object"},
	    {"custom_data not JSON", [](OutboxRowView &row) { SetCustomData(row, "{"); }, "22P02",
	     "custom_data is not valid JSON"},
	    {"huge number",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"value": 1234567890123456789012345})"); }, "22023",
	     "custom_data contains a number too large to read"},
	    {"value as string", [](OutboxRowView &row) { SetCustomData(row, R"({"value": "12.50"})"); }, "22023",
	     "custom_data.value must be a number"},
	    {"negative value", [](OutboxRowView &row) { SetCustomData(row, R"({"value": -1})"); }, "22003",
	     "custom_data.value must not be negative (-1)"},
	    {"negative fraction", [](OutboxRowView &row) { SetCustomData(row, R"({"value": -0.5})"); }, "22003",
	     "must not be negative (-0.5)"},
	    {"two-letter currency", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": "US"})"); },
	     "22023", "custom_data.currency \"US\" is not an ISO 4217 currency code", "USD"},
	    {"symbol currency", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": "US$"})"); }, "22023",
	     "\"US$\" is not an ISO 4217"},
	    {"four-letter currency", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": "EURO"})"); },
	     "22023", "\"EURO\" is not an ISO 4217"},
	    {"three letters, no currency", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": "XYZ"})"); },
	     "22023", "custom_data.currency \"XYZ\" is not an ISO 4217 currency code",
	     "https://www.iso.org/iso-4217-currency-codes.html"},
	    {"withdrawn currency", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": "HRK"})"); },
	     "22023", "\"HRK\" is not an ISO 4217"},
	    {"testing code", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": "xxx"})"); }, "22023",
	     "\"xxx\" is not an ISO 4217"},
	    {"numeric currency", [](OutboxRowView &row) { SetCustomData(row, R"({"currency": 840})"); }, "22023",
	     "custom_data.currency must be a string"},
	    {"contents object", [](OutboxRowView &row) { SetCustomData(row, R"({"contents": {"id": "a"}})"); },
	     "22023", "custom_data.contents must be an array of objects", "quantity"},
	    {"contents of numbers", [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [1]})"); },
	     "22023", "custom_data.contents[0] must be an object"},
	    {"content without id or quantity",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [{"id": "a"}, {"item_price": 1}]})"); },
	     "22023", "custom_data.contents[1] needs an \"id\" or a \"quantity\""},
	    {"empty content id", [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [{"id": " "}]})"); },
	     "22023", "custom_data.contents[0].id must be a non-empty string or a number"},
	    {"negative quantity",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [{"id": "a", "quantity": -1}]})"); },
	     "22023", "custom_data.contents[0].quantity must be a non-negative integer"},
	    {"fractional quantity",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [{"quantity": 1.5}]})"); }, "22023",
	     "quantity must be a non-negative integer"},
	    {"negative item_price",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [{"id": "a", "item_price": -2}]})"); },
	     "22003", "custom_data.contents[0].item_price must not be negative (-2)"},
	    {"unknown delivery_category",
	     [](OutboxRowView &row) {
		     SetCustomData(row, R"({"contents": [{"id": "a", "delivery_category": "drone"}]})");
	     },
	     "22023", "delivery_category must be one of in_store, curbside, home_delivery"},
	    {"negative num_items", [](OutboxRowView &row) { SetCustomData(row, R"({"num_items": -1})"); },
	     "22023", "custom_data.num_items must be a non-negative integer"},
	    {"num_items as string", [](OutboxRowView &row) { SetCustomData(row, R"({"num_items": "3"})"); },
	     "22023", "num_items must be a non-negative integer"},
	    {"content_ids string", [](OutboxRowView &row) { SetCustomData(row, R"({"content_ids": "a,b"})"); },
	     "22023", "custom_data.content_ids must be an array of strings or numbers"},
	    {"content_ids of objects",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"content_ids": [{"id": 1}]})"); }, "22023",
	     "content_ids must be an array of strings or numbers"},
	    {"order_id object", [](OutboxRowView &row) { SetCustomData(row, R"({"order_id": {"id": 1}})"); },
	     "22023", "custom_data.order_id must be a string or a number"},
	    {"predicted_ltv string",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"predicted_ltv": "high"})"); }, "22023",
	     "custom_data.predicted_ltv must be a number"},
	    // consent
	    {"consent array", [](OutboxRowView &row) { SetConsent(row, "[true]"); }, "22023",
	     "consent must be a JSON object"},
	    {"misspelt opt_out", [](OutboxRowView &row) { SetConsent(row, R"({"optout": true})"); }, "22023",
	     "consent has an unknown key \"optout\"", "opt_out, ldu, ad_user_data, ad_personalization"},
	    {"opt_out string", [](OutboxRowView &row) { SetConsent(row, R"({"opt_out": "yes"})"); }, "22023",
	     "consent.opt_out must be true or false"},
	    {"ldu string", [](OutboxRowView &row) { SetConsent(row, R"({"ldu": "LDU"})"); }, "22023",
	     "consent.ldu must be true, false or {\"country\": int, \"state\": int}"},
	    {"negative ldu country", [](OutboxRowView &row) { SetConsent(row, R"({"ldu": {"country": -1}})"); },
	     "22023", "consent.ldu.country must be a non-negative integer", "1000 = California"},
	    {"fractional ldu state", [](OutboxRowView &row) { SetConsent(row, R"({"ldu": {"state": 1000.5}})"); },
	     "22023", "consent.ldu.state must be a non-negative integer"},
	    {"ldu code beyond 32 bits",
	     [](OutboxRowView &row) { SetConsent(row, R"({"ldu": {"country": 4294967296}})"); }, "22023",
	     "consent.ldu.country must be"},
	    {"unknown ldu key", [](OutboxRowView &row) { SetConsent(row, R"({"ldu": {"region": 1}})"); }, "22023",
	     "consent.ldu has an unknown key \"region\"", "country, state"},
	    {"upper-case consent status",
	     [](OutboxRowView &row) { SetConsent(row, R"({"ad_user_data": "GRANTED"})"); }, "22023",
	     "consent.ad_user_data must be \"granted\" or \"denied\""},
	    {"boolean consent status",
	     [](OutboxRowView &row) { SetConsent(row, R"({"ad_personalization": true})"); }, "22023",
	     "consent.ad_personalization must be \"granted\" or \"denied\""},
	    // destinations
	    {"no destinations",
	     [](OutboxRowView &row) { row.destinations = std::vector<std::optional<std::string_view>>{}; },
	     "22023", "destinations must not be empty", "NULL"},
	    {"NULL destination",
	     [](OutboxRowView &row) {
		     row.destinations =
		         std::vector<std::optional<std::string_view>>{std::string_view("a"), std::nullopt};
	     },
	     "22023", "destinations[2] is NULL"},
	    {"blank destination",
	     [](OutboxRowView &row) {
		     row.destinations = std::vector<std::optional<std::string_view>>{std::string_view(" ")};
	     },
	     "22023", "destinations[1] is empty"},
	    {"invalid UTF-8 destination",
	     [](OutboxRowView &row) {
		     row.destinations = std::vector<std::optional<std::string_view>>{std::string_view("\xc3")};
	     },
	     "22021", "destinations is not valid UTF-8"},
	    // issue 8: ids of invisible characters are empty; control characters
	    {"event_id of zero-width spaces", [](OutboxRowView &row) { row.event_id = "\u200b\u200b"; }, "22023",
	     "event_id must not be empty"},
	    {"event_id of a byte order mark", [](OutboxRowView &row) { row.event_id = "\ufeff"; }, "22023",
	     "event_id must not be empty"},
	    {"event_id of direction marks", [](OutboxRowView &row) { row.event_id = "\u200e\u200f\u202e"; },
	     "22023", "event_id must not be empty"},
	    {"event_id of Unicode spaces and a Hangul filler",
	     [](OutboxRowView &row) { row.event_id = "\u00a0\u3000\u2009\u3164\u2060"; }, "22023",
	     "event_id must not be empty"},
	    {"event_name of a soft hyphen", [](OutboxRowView &row) { row.event_name = "\u00ad"; }, "22023",
	     "event_name must not be empty"},
	    {"event_id with CR LF", [](OutboxRowView &row) { row.event_id = "order-1\r\nX-Forged: 1"; }, "22023",
	     "event_id contains a control character", "printable", "Forged"},
	    {"event_id with a tab", [](OutboxRowView &row) { row.event_id = "order\t1"; }, "22023",
	     "event_id contains a control character"},
	    {"event_id with DEL", [](OutboxRowView &row) { row.event_id = "order\x7f"; }, "22023",
	     "event_id contains a control character"},
	    {"event_id with a C1 control (NEL)", [](OutboxRowView &row) { row.event_id = "order\u0085x"; },
	     "22023", "event_id contains a control character"},
	    {"event_name with a line feed", [](OutboxRowView &row) { row.event_name = "Purchase\n"; }, "22023",
	     "event_name contains a control character"},
	    {"event_name with ESC", [](OutboxRowView &row) { row.event_name = "Lead\x1b[31m"; }, "22023",
	     "event_name contains a control character"},
	    // issue 14: bidirectional controls, line separators and blanks around ids and names
	    {"event_id with a right-to-left override", [](OutboxRowView &row) { row.event_id = "order-\u202e1"; },
	     "22023", "event_id contains a bidirectional control or a line separator", "printable"},
	    {"event_id in a bidi isolate", [](OutboxRowView &row) { row.event_id = "\u2066order-1\u2069"; }, "22023",
	     "event_id contains a bidirectional control or a line separator"},
	    {"event_name with a line separator", [](OutboxRowView &row) { row.event_name = "Lead\u2028x"; }, "22023",
	     "event_name contains a bidirectional control or a line separator"},
	    {"event_name with blanks around it", [](OutboxRowView &row) { row.event_name = " Lead "; }, "22023",
	     "event_name starts or ends with white space", "trim"},
	    {"event_id with a trailing blank", [](OutboxRowView &row) { row.event_id = "order-1 "; }, "22023",
	     "event_id starts or ends with white space"},
	    // issue 8: raw email addresses outside user_data
	    {"email as event_id", [](OutboxRowView &row) { row.event_id = "john.smith@example.com"; }, "22023",
	     "event_id contains what looks like an email address; identifiers belong in user_data, which is hashed",
	     "user_data", "john"},
	    {"email inside event_id", [](OutboxRowView &row) { row.event_id = "lead-jane_doe+ads@mail.example.co.uk-7"; },
	     "22023", "event_id contains what looks like an email address", "", "jane"},
	    {"email in event_name", [](OutboxRowView &row) { row.event_name = "Lead jane@example.org"; }, "22023",
	     "event_name contains what looks like an email address", "", "jane"},
	    {"email in the query string",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/thanks?email=john@example.com");
	     },
	     "22023", "event_source_url's query string contains what looks like an email address", "user_data",
	     "john"},
	    {"percent-encoded email in the query string",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/thanks?e=john.smith%40example.com");
	     },
	     "22023", "event_source_url's query string contains", "", "john"},
	    {"twice percent-encoded email",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/r?u=%3Fe%3Djohn%2540example.com");
	     },
	     "22023", "event_source_url's query string contains", "", "john"},
	    {"email in the path",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/u/john@example.com/orders");
	     },
	     "22023", "event_source_url's path contains what looks like an email address"},
	    {"email in the fragment",
	     [](OutboxRowView &row) {
		     row.event_source_url = std::string_view("https://shop.example.com/p?x=1#to=jane%40example.org");
	     },
	     "22023", "event_source_url's fragment contains what looks like an email address"},
	    {"user information in the url",
	     [](OutboxRowView &row) { row.event_source_url = std::string_view("https://john:secret@shop.example.com/"); },
	     "22023", "event_source_url has user information", "", "secret"},
	    {"user information before localhost",
	     [](OutboxRowView &row) { row.event_source_url = std::string_view("HTTP://user@localhost:8080/x#y"); },
	     "22023", "event_source_url has user information"},
	    {"email in a content title",
	     [](OutboxRowView &row) {
		     SetCustomData(row, R"({"contents": [{"id": "a"}, {"id": "b", "title": "gift for john@example.com"}]})");
	     },
	     "22023",
	     "custom_data.contents[1].title contains what looks like an email address; identifiers belong in "
	     "user_data, which is hashed",
	     "user_data", "john"},
	    {"email deep in custom properties",
	     [](OutboxRowView &row) {
		     SetCustomData(row, R"({"custom_properties": {"notes": ["x", {"by": "Jane.Doe@Mail.Example.ORG"}]}})");
	     },
	     "22023", "custom_data.custom_properties.notes[1].by contains", "", "Jane"},
	    {"JSON-escaped @",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"note": "john\u0040example.com"})"); }, "22023",
	     "custom_data.note contains what looks like an email address"},
	    {"percent-encoded email in custom_data",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"page": "/t?e=john%40example.com"})"); }, "22023",
	     "custom_data.page contains"},
	    {"email as a key",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"refs": {"jane@example.org": 1}})"); }, "22023",
	     "custom_data.refs has a key that looks like an email address", "", "jane"},
	    {"odd key in the path",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"my key\n": {"x": "a@b.io"}})"); }, "22023",
	     "custom_data[\"my key?\"].x contains"},
	    {"identifier key email",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"email": "not an address"})"); }, "22023",
	     "custom_data has the key \"email\", a personal identifier; identifiers belong in user_data"},
	    {"identifier key in contents",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"contents": [{"id": "a", "PH": "6505551212"}]})"); },
	     "22023", "custom_data.contents[0] has the key \"PH\", a personal identifier", "", "6505551212"},
	    {"identifier key first_name", [](OutboxRowView &row) { SetCustomData(row, R"({"first_name": null})"); },
	     "22023", "custom_data has the key \"first_name\""},
	    {"identifier key db", [](OutboxRowView &row) { SetCustomData(row, R"({"x": {"db": "19900101"}})"); },
	     "22023", "custom_data.x has the key \"db\""},
	    {"identifier key external_id",
	     [](OutboxRowView &row) { SetCustomData(row, R"({"external_id": "cust-7"})"); }, "22023",
	     "custom_data has the key \"external_id\""},
	    // issue 8: limits
	    {"infinite event_time", [](OutboxRowView &row) { row.event_time_finite = false; }, "22008",
	     "event_time must be a finite timestamp, not infinity", "time zone"},
	    {"one millisecond more than 366 days old",
	     [](OutboxRowView &row) { row.event_time_ms = kNow - kMaxPastMs - 1; }, "22008",
	     "event_time 2025-05-27 20:26:39 UTC is more than 366 days in the past; no platform accepts events "
	     "that old",
	     "90 days"},
	    {"epoch 0", [](OutboxRowView &row) { row.event_time_ms = 0; }, "22008", "more than 366 days in the past"},
	    {"year -4713", [](OutboxRowView &row) { row.event_time_ms = -210866803200000; }, "22008",
	     "more than 366 days in the past"},
	    {"url longer than 8 kB",
	     [](OutboxRowView &row) {
		     static const std::string url = "https://shop.example.com/?q=" + std::string(8192 - 27, 'a');
		     row.event_source_url = std::string_view(url);
	     },
	     "54000", "event_source_url is longer than 8192 bytes (8 kB)"},
	    {"custom_data larger than 64 kB",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"a\": \"" + std::string(65536 - 8, 'x') + "\"}";
		     SetCustomData(row, json.c_str());
	     },
	     "54000", "custom_data is larger than 65536 bytes (64 kB)"},
	    {"consent larger than 4 kB",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"opt_out\": false" + std::string(4096, ' ') + "}";
		     SetConsent(row, json.c_str());
	     },
	     "54000", "consent is larger than 4096 bytes (4 kB)"},
	    {"custom_data nested 17 levels",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"a\":" + Repeat("[", 16) + Repeat("]", 16) + "}";
		     SetCustomData(row, json.c_str());
	     },
	     "54000", "custom_data is nested deeper than 16 levels", "3 levels"},
	    {"custom_data nested 70 levels (the worker's limit is 64)",
	     [](OutboxRowView &row) {
		     static const std::string json = Repeat("{\"a\":", 70) + "1" + Repeat("}", 70);
		     SetCustomData(row, json.c_str());
	     },
	     "54000", "custom_data is nested deeper than 16 levels"},
	    {"custom_data nested 30,000 levels, unbalanced",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"a\":" + Repeat("[", 30000);
		     SetCustomData(row, json.c_str());
	     },
	     "54000", "custom_data is nested deeper than 16 levels"},
	    {"consent nested 17 levels",
	     [](OutboxRowView &row) {
		     static const std::string json = "{\"ldu\":" + Repeat("{\"a\":", 16) + "1" + Repeat("}", 16) + "}";
		     SetConsent(row, json.c_str());
	     },
	     "54000", "consent is nested deeper than 16 levels"},
	    // the first problem in column order is reported
	    {"event_id before action_source",
	     [](OutboxRowView &row) {
		     row.event_id = "";
		     row.action_source = "web";
	     },
	     "22023", "event_id must not be empty"},
	};
	for (const BadCase &c : cases) {
		SCOPED_TRACE(c.name);
		OutboxRowView row = GoodRow();
		c.change(row);
		try {
			ValidateOutboxRow(row, kNow);
			ADD_FAILURE() << "accepted";
		} catch (const Error &error) {
			EXPECT_STREQ(error.sqlstate(), c.sqlstate) << error.what();
			EXPECT_NE(std::string(error.what()).find(c.message), std::string::npos) << error.what();
			EXPECT_NE(error.hint().find(c.hint), std::string::npos) << error.hint();
			if (*c.never_shown != '\0') {
				EXPECT_EQ(std::string(error.what()).find(c.never_shown), std::string::npos) << error.what();
				EXPECT_EQ(error.hint().find(c.never_shown), std::string::npos) << error.hint();
			}
		}
	}
}

TEST(OutboxRowValidation, FactsForTheDestinationChecks) {
	OutboxRowView row = GoodRow();
	RowFacts facts = ValidateOutboxRow(row, kNow);
	EXPECT_TRUE(facts.has_value);
	EXPECT_TRUE(facts.has_currency);
	EXPECT_FALSE(facts.ad_user_data_denied);
	SetCustomData(row, R"({"value": null, "currency": "EUR"})"); // null is absent
	SetConsent(row, R"({"ad_user_data": "denied"})");
	facts = ValidateOutboxRow(row, kNow);
	EXPECT_FALSE(facts.has_value);
	EXPECT_TRUE(facts.has_currency);
	EXPECT_TRUE(facts.ad_user_data_denied);
	row.custom_data_json = std::nullopt;
	row.consent_json = std::nullopt;
	facts = ValidateOutboxRow(row, kNow);
	EXPECT_FALSE(facts.has_value || facts.has_currency || facts.ad_user_data_denied);
}

TEST(OutboxRowValidation, TheFutureLimitIsAParameter) {
	OutboxRowView row = GoodRow();
	row.event_time_ms = kNow + 2 * kMinute;
	EXPECT_NO_THROW(ValidateOutboxRow(row, kNow));
	EXPECT_THROW(ValidateOutboxRow(row, kNow, kMinute), Error);
	EXPECT_NO_THROW(ValidateOutboxRow(row, kNow, 2 * kMinute));
}

TEST(OutboxRowValidation, StoredJsonSizeIsJudgedBeforeRendering) {
	constexpr std::size_t kLimit = kMaxCustomDataBytes;
	EXPECT_NO_THROW(CheckStoredJsonSize("custom_data", kMaxJsonbBytesPerTextByte * kLimit + 15, kLimit));
	try {
		CheckStoredJsonSize("custom_data", kMaxJsonbBytesPerTextByte * kLimit + 16, kLimit);
		ADD_FAILURE() << "accepted";
	} catch (const Error &error) { // the message of the rendered text's check
		EXPECT_STREQ(error.sqlstate(), "54000");
		EXPECT_STREQ(error.what(), "custom_data is larger than 65536 bytes (64 kB)");
	}
	EXPECT_THROW(CheckStoredJsonSize("user_data", std::size_t(100) << 20, kMaxUserDataBytes), Error);
	EXPECT_NO_THROW(CheckJsonTextSize("user_data", kMaxUserDataBytes, kMaxUserDataBytes));
	EXPECT_THROW(CheckJsonTextSize("user_data", kMaxUserDataBytes + 1, kMaxUserDataBytes), Error);
}

TEST(OutboxRowValidation, DeepDocumentsAreRefusedWithoutRecursion) {
	// 30,000 levels within the size limit: refused for depth before any parser recurses into it.
	std::string json = "{\"a\":" + std::string(30000, '[') + std::string(30000, ']') + "}";
	OutboxRowView row = GoodRow();
	row.custom_data_json = std::string_view(json);
	try {
		ValidateOutboxRow(row, kNow);
		ADD_FAILURE() << "accepted";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "54000");
		EXPECT_STREQ(error.what(), "custom_data is nested deeper than 16 levels");
	}
}

TEST(OutboxRowValidation, ControlCharactersAreNotEchoed) {
	OutboxRowView row = GoodRow();
	row.action_source = "web\nsite\x1b[31m";
	try {
		ValidateOutboxRow(row, kNow);
		ADD_FAILURE();
	} catch (const Error &error) {
		EXPECT_STREQ(error.what(), "action_source \"web?site?[31m\" is not valid");
	}
}

} // namespace
} // namespace capi::outbox
