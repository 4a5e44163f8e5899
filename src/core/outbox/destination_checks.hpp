// The INSERT checks that depend on where an event goes: what the event's destinations' platforms
// require, so that a mistake is refused at INSERT rather than failed at delivery hours later.
//
// Rule: an INSERT is refused only when NO destination of the event could accept the event. A check
// of one platform therefore refuses only when every destination of the event is of that platform
// (meta_main + google_ads: Google accepts a website event without a user agent, so the INSERT
// succeeds and the Meta delivery fails with Meta's reason, visible in capi.delivery_status). Checks
// no platform accepts apply whatever the destinations are.
//
// Generic (every platform, any destinations, also none):
//   22023 custom_data.currency not an active ISO 4217 code (iso4217.hpp; checked in row_validation).
//   22023 event_name a standard name in another case ("purchase", "PURCHASE": standard_event_names.hpp),
//         hint naming the standard spelling. Not refused when a destination of the event names that
//         exact name in its config (event_map key, Google conversion_actions key, LinkedIn
//         conversion_rules key): that destination sends it.
// Meta (only when every destination of the event is a Meta destination):
//   23502 action_source 'website' without event_source_url, or without user_data.client_user_agent
//         (Meta requires both).
//   22023 user_data.fbc / user_data.fbp not in Meta's format fb.<subdomain index>.<creation time
//         ms>.<fbclid or random number>
//         (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/fbp-and-fbc).
//   23502 event_name 'Purchase' without custom_data.value or custom_data.currency (Meta requires both
//         for Purchase). Google Ads, TikTok, LinkedIn, Snap, Reddit and Pinterest take a purchase
//         without a value, so this is Meta's rule, not a generic one.
// None of the Meta checks applies when consent.ad_user_data is "denied": Meta's adapter then skips
// the event (website events always, others by default) or sends it without identifiers
// (consent_policy.hpp), so none of these would make it fail.
// Messages never quote identifiers (fbc and fbp are personal data); hints say what to send.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/identity/field.hpp"
#include "core/outbox/row_validation.hpp"

namespace capi::outbox {

// The platforms of an event's destinations, one bit per identity::Platform.
struct EventTargets {
	std::uint32_t platforms = 0;       // PlatformBit(p) for every destination's platform; 0: none known
	bool event_name_in_config = false; // a destination names event_name in its config (see above)
};

constexpr std::uint32_t PlatformBit(identity::Platform platform) {
	return 1u << static_cast<unsigned>(platform);
}

// The plain identifiers the stored identity bag keeps (the first usable value of each; "" if none).
struct EventIdentifiers {
	std::string_view client_user_agent;
	std::string_view fbc;
	std::string_view fbp;
};

// True when value has Meta's fbc/fbp format fb.<digits>.<digits>.<one or more printable ASCII
// characters other than space>. The subdomain index and the creation time are digits (at most 2 and 13
// of them: milliseconds until the year 2286).
bool IsMetaBrowserIdFormat(std::string_view value) noexcept;

// Throws capi::Error (SQLSTATE, message, hint; table above) for the first problem, after
// ValidateOutboxRow accepted the row (facts is its result).
void CheckEventForDestinations(const OutboxRowView &row, const RowFacts &facts,
                               const EventIdentifiers &identifiers, const EventTargets &targets);

} // namespace capi::outbox
