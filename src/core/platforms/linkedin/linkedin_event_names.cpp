// Which conversion rules an outbox event goes to. LinkedIn has no event names: each element names a
// conversion rule (its URN), and each rule has a type (PURCHASE, LEAD, ...; the conversion rule types of
// https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads-reporting/conversions-api-schema).
// config.conversion_rules is keyed by event name, or by rule type for Meta-style names.
#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include <array>

namespace capi::dispatch {
namespace {

// Meta-style outbox names -> LinkedIn's conversion rule type.
constexpr std::array<EventNameEntry, 10> kRuleTypes = {{
    {"Purchase", "PURCHASE"},
    {"AddToCart", "ADD_TO_CART"},
    {"Lead", "LEAD"},
    {"CompleteRegistration", "SIGN_UP"},
    {"ViewContent", "VIEW_CONTENT"},
    {"InitiateCheckout", "START_CHECKOUT"},
    {"Search", "SEARCH"},
    {"AddPaymentInfo", "ADD_BILLING_INFO"},
    {"Subscribe", "SUBSCRIBE"},
    {"PageView", "KEY_PAGE_VIEW"},
}};

} // namespace

std::string_view LinkedInRuleType(std::string_view event_name) {
	for (const EventNameEntry &entry : kRuleTypes)
		if (entry.outbox_name == event_name)
			return entry.platform_name;
	return {};
}

const std::vector<std::string> *LinkedInRulesFor(const LinkedInSettings &settings,
                                                 const CommonSettings &common, std::string_view event_name) {
	std::string_view name = event_name;
	if (auto mapped = common.event_map.find(event_name); mapped != common.event_map.end()) {
		if (mapped->second.empty())
			return nullptr; // "": not sent to this destination
		name = mapped->second;
	}
	if (auto found = settings.conversion_rules.find(name); found != settings.conversion_rules.end())
		return &found->second;
	std::string_view type = LinkedInRuleType(name);
	if (type.empty())
		return nullptr;
	auto found = settings.conversion_rules.find(type);
	return found != settings.conversion_rules.end() ? &found->second : nullptr;
}

std::string LinkedInUnmappedReason(std::string_view event_name) {
	std::string reason = "no LinkedIn conversion rule for \"";
	reason.append(event_name.substr(0, 200));
	reason.append(
	    "\": add it to the destination's config.conversion_rules (or map it with config.event_map)");
	return reason;
}

} // namespace capi::dispatch
