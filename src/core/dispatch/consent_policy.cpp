#include "core/dispatch/consent_policy.hpp"

namespace capi::dispatch {

ConsentRule ConsentRuleFor(const CommonSettings &settings, DeniedAdUserData platform_default,
                           bool keep_click_ids) {
	ConsentRule rule;
	rule.denied = settings.denied_ad_user_data.value_or(platform_default);
	rule.keep_click_ids = keep_click_ids;
	return rule;
}

std::optional<Refusal> ApplyConsent(EventFields &fields, const ConsentRule &rule) {
	if (fields.consent().ad_user_data != ConsentStatus::kDenied)
		return std::nullopt;
	if (rule.denied == DeniedAdUserData::kSkip)
		return Refusal::Skip(
		    "consent: ad_user_data is denied, so the event is not sent (config "
		    "denied_ad_user_data = \"send_without_identifiers\" sends it without identifiers)");
	fields.StripIdentity(rule.keep_click_ids);
	return std::nullopt;
}

} // namespace capi::dispatch
