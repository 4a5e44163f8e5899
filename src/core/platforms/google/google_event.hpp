// What both Google APIs take from one outbox event, checked: Add refuses what Google would reject
// (the Data Manager API fails a whole request for one bad field), and skips what Google cannot use
// (no conversion action for the name, nothing to match the conversion with).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/platforms/google/google_adapter.hpp"

namespace capi::dispatch {

struct GoogleEvent {
	std::string action_id;      // the conversion action
	std::string transaction_id; // custom_data.order_id, else event_id; "" when neither
	std::optional<double> value;
	std::string currency; // ISO 4217, upper case; "" when none
	// At most one click id: gclid, else the iOS one (wbraid on the web, gbraid in apps).
	std::string_view click_id_key; // "gclid", "gbraid", "wbraid" or ""
	std::string_view click_id;
	// Data Manager's userData.userIdentifiers (google_user_object.cpp), checked; empty when none.
	nlohmann::json user_identifiers = nlohmann::json::array();
	std::string_view user_agent; // "" when none or consent denied
	std::string_view ip_address;
	ConsentStatus ad_user_data = ConsentStatus::kUnspecified;
	ConsentStatus ad_personalization = ConsentStatus::kUnspecified;
};

// A destination's settings as the checks need them, read once per request.
struct GoogleEventRules {
	GoogleSettings settings;
	CommonSettings common;
	ConsentRule consent;
};
GoogleEventRules ReadGoogleEventRules(const Destination &destination);

// The conversion action for an outbox event name: config.event_map first (a renamed event, or ""
// for "not sent"), then config.conversion_actions. nullopt when there is none.
std::optional<std::string> GoogleConversionAction(const GoogleEventRules &rules, std::string_view event_name);

// Every check of an event (consent applied, consent_policy.hpp); fills out. fields is used as scratch.
std::optional<Refusal> ReadGoogleEvent(const GoogleEventRules &rules, const OutboxEvent &event,
                                       std::int64_t now_ms, EventFields &fields, GoogleEvent *out);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
