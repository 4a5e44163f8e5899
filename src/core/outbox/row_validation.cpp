#include "core/outbox/row_validation.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <iterator>
#include <string>
#include <vector>

#include <simdjson.h>

#include "core/dispatch/action_source.hpp"
#include "core/error.hpp"
#include "core/outbox/id_text.hpp"
#include "core/outbox/iso4217.hpp"
#include "core/outbox/json_depth.hpp"
#include "core/outbox/raw_pii_scan.hpp"

namespace capi::outbox {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kConsentKeys[] = {"opt_out", "ldu", "ad_user_data", "ad_personalization"};
constexpr std::string_view kDeliveryCategories[] = {"in_store", "curbside", "home_delivery"};
constexpr std::int64_t kMaxLduCode = 0x7fffffff; // as the delivery side reads it (event_fields.cpp)

[[noreturn]] void Fail(const char *sqlstate, const std::string &message, std::string hint = {}) {
	throw Error(sqlstate, message, std::move(hint));
}

[[noreturn]] void Invalid(const std::string &message, std::string hint = {}) {
	Fail(sqlstate::kInvalidParameterValue, message, std::move(hint));
}

constexpr const char *kIdentifiersBelongInUserData = "; identifiers belong in user_data, which is hashed";
constexpr const char *kRawPiiHint =
    "Raw personal data must not be stored in the outbox or sent unhashed: put the customer's email, "
    "phone and name in user_data.";

// Raw personal data found at where (a column, or a path in one): the value itself is never shown.
[[noreturn]] void RawPii(const std::string &where, const std::string &what) {
	Invalid(where + " " + what + kIdentifiersBelongInUserData, kRawPiiHint);
}

[[noreturn]] void TooLarge(const std::string &what, std::size_t limit, const char *hint) {
	Fail(sqlstate::kProgramLimitExceeded,
	     what + " " + std::to_string(limit) + " bytes (" + std::to_string(limit / 1024) + " kB)", hint);
}

bool IsBlank(char c) {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view Trim(std::string_view text) {
	while (!text.empty() && IsBlank(text.front()))
		text.remove_prefix(1);
	while (!text.empty() && IsBlank(text.back()))
		text.remove_suffix(1);
	return text;
}

// Characters (code points) of valid UTF-8 text.
std::size_t CharacterCount(std::string_view text) {
	std::size_t count = 0;
	for (char c : text)
		count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
	return count;
}

void RequireUtf8(const char *column, std::string_view text) {
	unsigned char high = 0;
	for (char c : text)
		high |= static_cast<unsigned char>(c);
	if (high >= 0x80 && !simdjson::validate_utf8(text.data(), text.size()))
		Fail(sqlstate::kCharacterNotInRepertoire, std::string(column) + " is not valid UTF-8");
}

// A value quoted for a message: at most 64 characters, control characters shown as '?'.
std::string Quoted(std::string_view text) {
	constexpr std::size_t kMaxCharacters = 64;
	std::string out = "\"";
	std::size_t characters = 0;
	for (std::size_t i = 0; i < text.size(); ++i) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		bool starts_character = (c & 0xC0) != 0x80;
		if (starts_character && characters++ == kMaxCharacters) {
			out += "...";
			break;
		}
		out += c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c);
	}
	return out + "\"";
}

std::string List(const std::string_view *values, std::size_t count) {
	std::string out;
	for (std::size_t i = 0; i < count; ++i) {
		if (i > 0)
			out += ", ";
		out += values[i];
	}
	return out;
}

template <std::size_t N> bool OneOf(std::string_view value, const std::string_view (&values)[N]) {
	for (std::string_view candidate : values)
		if (candidate == value)
			return true;
	return false;
}

std::string Utc(std::int64_t ms) {
	std::time_t seconds = static_cast<std::time_t>(ms / 1000);
	std::tm tm{};
	char text[32];
	if (gmtime_r(&seconds, &tm) == nullptr ||
	    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		return std::to_string(ms) + " ms";
	return text;
}

std::string Number(element value) {
	return simdjson::minify(value);
}

void CheckText(const char *column, std::string_view text, std::size_t max_characters, const char *hint) {
	RequireUtf8(column, text);
	std::size_t characters = CharacterCount(text);
	if (characters > max_characters)
		Invalid(std::string(column) + " is longer than " + std::to_string(max_characters) + " characters (" +
		        std::to_string(characters) + ")");
	if (IsInvisible(text)) // "", blanks, or only zero-width and other invisible characters
		Invalid(std::string(column) + " must not be empty", hint);
	if (ContainsControlCharacter(text))
		Invalid(std::string(column) + " contains a control character (such as a line break or a tab)",
		        "Ids and names are sent in request bodies and written to logs: use printable characters.");
	if (ContainsBidiControlOrSeparator(text))
		Invalid(std::string(column) +
		            " contains a bidirectional control or a line separator (such as U+202E or U+2028)",
		        "Such characters make an id display as other text in logs and dashboards: use printable "
		        "characters.");
	if (Trim(text).size() != text.size()) // a blank around an otherwise valid id or name
		Invalid(std::string(column) + " starts or ends with white space",
		        "The platforms compare ids and names exactly (\" Lead\" is not \"Lead\"): trim it.");
	if (ContainsEmailAddress(text))
		RawPii(column, "contains what looks like an email address");
}

void CheckEventTime(const OutboxRowView &row, std::int64_t now_ms, std::int64_t max_future_ms) {
	constexpr const char *kHint =
	    "event_time is when the event happened; check the clock and the time zone of the timestamp.";
	if (!row.event_time_finite)
		Fail(sqlstate::kDatetimeFieldOverflow, "event_time must be a finite timestamp, not infinity", kHint);
	if (row.event_time_ms > now_ms && row.event_time_ms - now_ms > max_future_ms)
		Fail(sqlstate::kDatetimeFieldOverflow,
		     "event_time " + Utc(row.event_time_ms) + " is " +
		         std::to_string((row.event_time_ms - now_ms) / 1000) + " s in the future; at most " +
		         std::to_string(max_future_ms / 1000) + " s are allowed",
		     kHint);
	if (row.event_time_ms < now_ms && now_ms - row.event_time_ms > kMaxPastMs)
		Fail(sqlstate::kDatetimeFieldOverflow,
		     "event_time " + Utc(row.event_time_ms) + " is more than " +
		         std::to_string(kMaxPastMs / (24 * 60 * 60 * 1000)) +
		         " days in the past; no platform accepts events that old",
		     "Platforms take events up to 7 days old (Meta; 62 days for physical_store) or 90 days (Google "
		     "Ads click conversions): this one could never be delivered. Check the timestamp.");
}

// The part of an http(s) URL after the authority: path, query string and fragment.
void CheckUrlForEmail(std::string_view after_authority) {
	std::size_t query = after_authority.find('?');
	std::size_t fragment = after_authority.find('#');
	if (query != std::string_view::npos && fragment != std::string_view::npos && query > fragment)
		query = std::string_view::npos; // a '?' inside the fragment is part of the fragment
	std::string_view path = after_authority.substr(0, std::min(query, fragment));
	if (ContainsEmailAddress(path))
		RawPii("event_source_url's path", "contains what looks like an email address");
	if (query != std::string_view::npos &&
	    ContainsEmailAddress(after_authority.substr(
	        query, fragment == std::string_view::npos ? std::string_view::npos : fragment - query)))
		RawPii("event_source_url's query string", "contains what looks like an email address");
	if (fragment != std::string_view::npos && ContainsEmailAddress(after_authority.substr(fragment)))
		RawPii("event_source_url's fragment", "contains what looks like an email address");
}

void CheckEventSourceUrl(std::string_view url) {
	if (url.size() > kMaxEventSourceUrlBytes)
		TooLarge("event_source_url is longer than", kMaxEventSourceUrlBytes,
		         "event_source_url is the page the event happened on; no platform needs a URL this long.");
	RequireUtf8("event_source_url", url);
	if (url.empty())
		return; // treated as absent, like NULL
	const char *problem = nullptr;
	std::string_view rest;
	auto starts_with = [&](std::string_view scheme) {
		if (url.size() < scheme.size())
			return false;
		for (std::size_t i = 0; i < scheme.size(); ++i)
			if ((url[i] >= 'A' && url[i] <= 'Z' ? url[i] - 'A' + 'a' : url[i]) != scheme[i])
				return false;
		rest = url.substr(scheme.size());
		return true;
	};
	if (!starts_with("https://") && !starts_with("http://")) {
		problem = "does not start with http:// or https://";
	} else {
		std::size_t host_end = rest.find_first_of("/?#");
		std::string_view authority = rest.substr(0, host_end);
		std::size_t at = authority.rfind('@');
		std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
		if (host.empty() || host.front() == ':')
			problem = "has no host";
		else if (at != std::string_view::npos) // a user name, an email address or a password
			problem = "has user information (user@ or user:password@ before the host)";
	}
	for (char c : url)
		if (problem == nullptr && (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f))
			problem = "contains white space or control characters";
	if (problem != nullptr) // the URL itself is not quoted: query strings can carry personal data
		Invalid(
		    std::string("event_source_url ") + problem,
		    "event_source_url is the page the event happened on, such as https://shop.example.com/checkout.");
	std::string_view after_authority = rest.substr(std::min(rest.find_first_of("/?#"), rest.size()));
	CheckUrlForEmail(after_authority);
}

// simdjson parser of this thread, never freed (no static destructor).
simdjson::dom::parser &ThreadParser() {
	thread_local simdjson::dom::parser *parser = nullptr;
	if (parser == nullptr)
		parser = new simdjson::dom::parser();
	return *parser;
}

// Parses a JSON column; returns false for an absent one (blank text or JSON null). Its size and
// depth are checked first, so the parser never sees a document beyond the limits.
bool ParseObject(const char *column, std::string_view json, std::size_t max_bytes,
                 simdjson::dom::object &object) {
	CheckJsonTextSize(column, json.size(), max_bytes);
	if (JsonDeeperThan(json, kMaxJsonDepth))
		Fail(sqlstate::kProgramLimitExceeded,
		     std::string(column) + " is nested deeper than " + std::to_string(kMaxJsonDepth) + " levels",
		     "No platform reads deeper structures (Meta's contents[] items are 3 levels deep).");
	json = Trim(json);
	if (json.empty())
		return false;
	element root;
	simdjson::error_code error = ThreadParser().parse(json.data(), json.size()).get(root);
	if (error == simdjson::NUMBER_ERROR)
		Invalid(std::string(column) + " contains a number too large to read",
		        "Write long numbers as JSON strings.");
	if (error != simdjson::SUCCESS)
		Fail(sqlstate::kInvalidTextRepresentation, std::string(column) + " is not valid JSON");
	if (root.is_null())
		return false;
	if (root.get(object) != simdjson::SUCCESS)
		Invalid(std::string(column) + " must be a JSON object");
	return true;
}

bool IsNonNegativeInteger(element value) {
	switch (value.type()) {
	case element_type::INT64:
		return value.get_int64().value_unsafe() >= 0;
	case element_type::UINT64:
		return true;
	case element_type::DOUBLE: { // 2.0, as jsonb keeps numeric text
		double d = value.get_double().value_unsafe();
		return d >= 0 && d <= 9007199254740992.0 && std::floor(d) == d;
	}
	default:
		return false;
	}
}

// A number that must not be negative.
void CheckAmount(const std::string &name, element value) {
	if (!value.is_number())
		Invalid(name + " must be a number");
	if (value.get_double().value_unsafe() < 0)
		Fail(sqlstate::kNumericValueOutOfRange, name + " must not be negative (" + Number(value) + ")");
}

void CheckContents(element contents) {
	simdjson::dom::array items;
	if (contents.get(items) != simdjson::SUCCESS)
		Invalid("custom_data.contents must be an array of objects",
		        "For example [{\"id\": \"SKU-1\", \"quantity\": 2, \"item_price\": 9.99}].");
	std::size_t index = 0;
	for (element item : items) {
		const std::string name = "custom_data.contents[" + std::to_string(index++) + "]";
		simdjson::dom::object object;
		if (item.get(object) != simdjson::SUCCESS)
			Invalid(name + " must be an object");
		bool has_id_or_quantity = false;
		for (simdjson::dom::key_value_pair member : object) {
			std::string_view key = member.key;
			element value = member.value;
			if (key == "id") {
				std::string_view id;
				if (!value.is_number() && (value.get(id) != simdjson::SUCCESS || Trim(id).empty()))
					Invalid(name + ".id must be a non-empty string or a number");
				has_id_or_quantity = true;
			} else if (key == "quantity") {
				if (!IsNonNegativeInteger(value))
					Invalid(name + ".quantity must be a non-negative integer");
				has_id_or_quantity = true;
			} else if (key == "item_price") {
				CheckAmount(name + ".item_price", value);
			} else if (key == "delivery_category") {
				std::string_view category;
				if (value.get(category) != simdjson::SUCCESS || !OneOf(category, kDeliveryCategories))
					Invalid(name + ".delivery_category must be one of " + List(kDeliveryCategories, 3));
			}
		}
		if (!has_id_or_quantity)
			Invalid(name + " needs an \"id\" or a \"quantity\"");
	}
}

// Where raw personal data was found in custom_data.
struct PiiFinding {
	enum class Kind { kEmailInValue, kEmailInKey, kIdentifierKey } kind = Kind::kEmailInValue;
	std::string key;                   // kIdentifierKey: the field name (not personal data)
	std::vector<std::string> segments; // the path to the value or object, innermost first
};

// A key as a path segment: .name when it is a plain word, else ["..."] (cut, controls shown as '?').
std::string PathSegment(std::string_view key) {
	bool plain = !key.empty() && key.size() <= 64;
	for (char c : key)
		plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		                  c == '_' || c == '-');
	return plain ? "." + std::string(key) : "[" + Quoted(key) + "]";
}

bool FindPii(element value, PiiFinding &finding);

bool FindPiiInObject(simdjson::dom::object object, PiiFinding &finding) {
	for (simdjson::dom::key_value_pair member : object) {
		if (ContainsEmailAddress(member.key)) {
			finding.kind = PiiFinding::Kind::kEmailInKey;
			return true;
		}
		if (IsPersonalIdentifierKey(member.key)) {
			finding.kind = PiiFinding::Kind::kIdentifierKey;
			finding.key = Quoted(member.key);
			return true;
		}
		if (FindPii(member.value, finding)) {
			finding.segments.push_back(PathSegment(member.key));
			return true;
		}
	}
	return false;
}

// Depth-first search; recursion is bounded by kMaxJsonDepth, checked before parsing. Paths are built
// only on the way out of a finding, so a clean document allocates nothing.
bool FindPii(element value, PiiFinding &finding) {
	switch (value.type()) {
	case element_type::STRING: {
		std::string_view text;
		return value.get(text) == simdjson::SUCCESS && ContainsEmailAddress(text);
	}
	case element_type::ARRAY: {
		simdjson::dom::array items;
		if (value.get(items) != simdjson::SUCCESS)
			return false;
		std::size_t index = 0;
		for (element item : items) {
			if (FindPii(item, finding)) {
				finding.segments.push_back("[" + std::to_string(index) + "]");
				return true;
			}
			++index;
		}
		return false;
	}
	case element_type::OBJECT: {
		simdjson::dom::object object;
		return value.get(object) == simdjson::SUCCESS && FindPiiInObject(object, finding);
	}
	default:
		return false;
	}
}

void CheckCustomDataForPii(simdjson::dom::object root) {
	PiiFinding finding;
	if (!FindPiiInObject(root, finding))
		return;
	std::string path = "custom_data";
	for (auto segment = finding.segments.rbegin(); segment != finding.segments.rend(); ++segment)
		path += *segment;
	switch (finding.kind) {
	case PiiFinding::Kind::kEmailInValue:
		RawPii(path, "contains what looks like an email address");
	case PiiFinding::Kind::kEmailInKey:
		RawPii(path, "has a key that looks like an email address");
	case PiiFinding::Kind::kIdentifierKey:
		RawPii(path, "has the key " + finding.key + ", a personal identifier");
	}
}

void CheckCustomData(std::string_view json, RowFacts &facts) {
	simdjson::dom::object object;
	if (!ParseObject("custom_data", json, kMaxCustomDataBytes, object))
		return;
	for (simdjson::dom::key_value_pair member : object) {
		std::string_view key = member.key;
		element value = member.value;
		if (value.is_null())
			continue; // an absent value
		if (key == "value") {
			CheckAmount("custom_data.value", value);
			facts.has_value = true;
		} else if (key == "currency") {
			std::string_view currency;
			if (value.get(currency) != simdjson::SUCCESS)
				Invalid("custom_data.currency must be a string such as \"USD\"");
			if (!IsIso4217Currency(currency))
				Invalid("custom_data.currency " + Quoted(currency) + " is not an ISO 4217 currency code",
				        "Use the three-letter code of an active currency, for example \"USD\", \"EUR\" or "
				        "\"JPY\" (https://www.iso.org/iso-4217-currency-codes.html).");
			facts.has_currency = true;
		} else if (key == "contents") {
			CheckContents(value);
		} else if (key == "num_items") {
			if (!IsNonNegativeInteger(value))
				Invalid("custom_data.num_items must be a non-negative integer");
		} else if (key == "content_ids") {
			simdjson::dom::array ids;
			bool ok = value.get(ids) == simdjson::SUCCESS;
			if (ok)
				for (element id : ids)
					ok = ok && (id.is_string() || id.is_number());
			if (!ok)
				Invalid("custom_data.content_ids must be an array of strings or numbers");
		} else if (key == "order_id") {
			if (!value.is_string() && !value.is_number())
				Invalid("custom_data.order_id must be a string or a number");
		} else if (key == "predicted_ltv" || key == "net_revenue") {
			if (!value.is_number())
				Invalid("custom_data." + std::string(key) + " must be a number");
		}
	}
	CheckCustomDataForPii(object);
}

void CheckLduCode(element region, const char *key) {
	element code;
	if (region[key].get(code) != simdjson::SUCCESS || code.is_null())
		return;
	if (!IsNonNegativeInteger(code) || code.get_double().value_unsafe() > static_cast<double>(kMaxLduCode))
		Invalid(
		    std::string("consent.ldu.") + key + " must be a non-negative integer",
		    "Meta's codes: country 1 = United States, state 1000 = California; 0 = let the platform decide.");
}

void CheckConsent(std::string_view json, RowFacts &facts) {
	simdjson::dom::object object;
	if (!ParseObject("consent", json, kMaxConsentBytes, object))
		return;
	for (simdjson::dom::key_value_pair member : object) {
		std::string_view key = member.key;
		element value = member.value;
		if (!OneOf(key, kConsentKeys))
			Invalid("consent has an unknown key " + Quoted(key),
			        "Valid keys are: " + List(kConsentKeys, 4) + ".");
		if (value.is_null())
			continue;
		if (key == "opt_out") {
			if (!value.is_bool())
				Invalid("consent.opt_out must be true or false");
		} else if (key == "ldu") {
			simdjson::dom::object region;
			if (value.is_bool())
				continue;
			if (value.get(region) != simdjson::SUCCESS)
				Invalid("consent.ldu must be true, false or {\"country\": int, \"state\": int}");
			for (simdjson::dom::key_value_pair part : region)
				if (part.key != "country" && part.key != "state")
					Invalid("consent.ldu has an unknown key " + Quoted(part.key),
					        "Valid keys are: country, state.");
			CheckLduCode(value, "country");
			CheckLduCode(value, "state");
		} else { // ad_user_data, ad_personalization (Google's consent signals)
			std::string_view status;
			if (value.get(status) != simdjson::SUCCESS ||
			    (status != "granted" && status != "denied" && status != "unspecified"))
				Invalid("consent." + std::string(key) + " must be \"granted\" or \"denied\"");
			if (key == "ad_user_data" && status == "denied")
				facts.ad_user_data_denied = true;
		}
	}
}

void CheckDestinations(const std::vector<std::optional<std::string_view>> &destinations) {
	if (destinations.empty())
		Invalid("destinations must not be empty",
		        "Leave it NULL for the default destinations, or name at least one.");
	for (std::size_t i = 0; i < destinations.size(); ++i) {
		const std::string name = "destinations[" + std::to_string(i + 1) + "]"; // SQL arrays count from 1
		if (!destinations[i])
			Invalid(name + " is NULL");
		RequireUtf8("destinations", *destinations[i]);
		if (Trim(*destinations[i]).empty())
			Invalid(name + " is empty");
	}
}

} // namespace

void CheckJsonTextSize(const char *column, std::size_t text_bytes, std::size_t max_text_bytes) {
	if (text_bytes > max_text_bytes)
		TooLarge(std::string(column) + " is larger than", max_text_bytes,
		         "No platform takes JSON this large for one event: send only its own parameters and the "
		         "identifiers of the person who converted.");
}

void CheckStoredJsonSize(const char *column, std::size_t jsonb_bytes, std::size_t max_text_bytes) {
	if (jsonb_bytes / kMaxJsonbBytesPerTextByte > max_text_bytes)
		CheckJsonTextSize(column, max_text_bytes + 1, max_text_bytes);
}

RowFacts ValidateOutboxRow(const OutboxRowView &row, std::int64_t now_ms, std::int64_t max_future_ms) {
	RowFacts facts;
	CheckText(
	    "event_id", row.event_id, kMaxEventIdLength,
	    "event_id is the deduplication key the platforms share with the browser pixel: use the order or "
	    "lead id.");
	CheckText("event_name", row.event_name, kMaxEventNameLength,
	          "Use a standard name such as Purchase, Lead or CompleteRegistration, or a custom one.");
	CheckEventTime(row, now_ms, max_future_ms);
	RequireUtf8("action_source", row.action_source);
	if (!dispatch::IsActionSource(row.action_source))
		Invalid("action_source " + Quoted(row.action_source) + " is not valid",
		        "Valid values are: " + dispatch::ActionSourceList() + ".");
	if (row.event_source_url)
		CheckEventSourceUrl(*row.event_source_url);
	if (row.custom_data_json)
		CheckCustomData(*row.custom_data_json, facts);
	if (row.consent_json)
		CheckConsent(*row.consent_json, facts);
	if (row.destinations)
		CheckDestinations(*row.destinations);
	return facts;
}

} // namespace capi::outbox
