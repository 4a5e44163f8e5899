#include "core/cpp_only.hpp"
#include "core/outbox/destination_checks.hpp"

#include <string>

#include "core/error.hpp"
#include "core/outbox/standard_event_names.hpp"

namespace capi::outbox {
namespace {

constexpr const char *kNotNullViolation = "23502";

bool IsDigits(std::string_view text, std::size_t max_digits) {
	if (text.empty() || text.size() > max_digits)
		return false;
	for (char c : text)
		if (c < '0' || c > '9')
			return false;
	return true;
}

// Every destination of the event is of platform (and there is at least one).
bool OnlyTo(const EventTargets &targets, identity::Platform platform) {
	return targets.platforms == PlatformBit(platform);
}

void CheckEventNameCase(const OutboxRowView &row, const EventTargets &targets) {
	std::optional<std::string_view> standard = MiscasedStandardEventName(row.event_name);
	if (!standard || targets.event_name_in_config)
		return;
	throw Error(sqlstate::kInvalidParameterValue,
	            "event_name \"" + std::string(row.event_name) + "\" is the standard event \"" +
	                std::string(*standard) + "\" in another case",
	            "Use \"" + std::string(*standard) +
	                "\": platforms compare names exactly (Meta would take this one as a custom event, the "
	                "others would not send it). To send this name on purpose, name it in a destination's "
	                "config.event_map.");
}

void CheckMetaBrowserId(const char *key, std::string_view value, const char *what) {
	if (value.empty() || IsMetaBrowserIdFormat(value))
		return;
	throw Error(sqlstate::kInvalidParameterValue,
	            std::string("user_data.") + key +
	                " is not in Meta's format fb.<subdomain index>.<creation "
	                "time in ms>." +
	                what,
	            std::string("Send the _") + key + " cookie's value unchanged (e.g. fb.1.1554763741205." +
	                (key[2] == 'c' ? "AbCdEf..." : "1098115397") +
	                "); see https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/"
	                "fbp-and-fbc.");
}

void CheckMeta(const OutboxRowView &row, const RowFacts &facts, const EventIdentifiers &identifiers) {
	if (facts.ad_user_data_denied)
		return; // Meta's adapter skips the event, or sends it without identifiers: nothing fails
	if (row.action_source == "website") {
		if (!row.event_source_url || row.event_source_url->empty())
			throw Error(kNotNullViolation, "a website event for Meta needs event_source_url",
			            "Meta requires event_source_url (the page the event happened on) for action_source "
			            "'website'.");
		if (identifiers.client_user_agent.empty())
			throw Error(kNotNullViolation, "a website event for Meta needs user_data.client_user_agent",
			            "Meta requires the browser's User-Agent header in user_data.client_user_agent for "
			            "action_source 'website'.");
	}
	CheckMetaBrowserId("fbc", identifiers.fbc, "<fbclid>");
	CheckMetaBrowserId("fbp", identifiers.fbp, "<random number>");
	if (row.event_name == "Purchase" && (!facts.has_value || !facts.has_currency))
		throw Error(kNotNullViolation,
		            std::string("a Purchase for Meta needs custom_data.") +
		                (facts.has_value ? "currency" : "value"),
		            "Meta requires custom_data.value and custom_data.currency (ISO 4217, e.g. \"USD\") for "
		            "Purchase events.");
}

} // namespace

bool IsMetaBrowserIdFormat(std::string_view value) noexcept {
	if (value.substr(0, 3) != "fb.")
		return false;
	value.remove_prefix(3);
	std::size_t dot = value.find('.');
	if (dot == std::string_view::npos || !IsDigits(value.substr(0, dot), 2))
		return false;
	value.remove_prefix(dot + 1);
	dot = value.find('.');
	if (dot == std::string_view::npos || !IsDigits(value.substr(0, dot), 13))
		return false;
	value.remove_prefix(dot + 1);
	if (value.empty())
		return false;
	for (char c : value)
		if (c <= ' ' || c > '~')
			return false;
	return true;
}

void CheckEventForDestinations(const OutboxRowView &row, const RowFacts &facts,
                               const EventIdentifiers &identifiers, const EventTargets &targets) {
	CheckEventNameCase(row, targets);
	if (OnlyTo(targets, identity::Platform::kMeta))
		CheckMeta(row, facts, identifiers);
}

} // namespace capi::outbox
