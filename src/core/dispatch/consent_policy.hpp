// Consent, enforced the same way on every platform (README "Consent"). By default no identifier of
// a person who denied ad_user_data leaves the database, hashed or plain: email, phone, names,
// address, date of birth, gender, external id, IP address, user agent, click ids and cookies.
//   * Google receives such events with consent DENIED and without identifiers (Consent Mode v2:
//     https://support.google.com/google-ads/answer/13802165); its click ids (gclid, gbraid, wbraid)
//     are kept, since the click is Google's own data and the DENIED flag tells it how to use it.
//   * The other platforms do not receive them: they are skipped with the reason, unless the
//     destination's config.denied_ad_user_data is "send_without_identifiers".
// ldu and opt_out are each platform's to map (Meta/Snap/Reddit LDU, TikTok limited_data_use,
// Pinterest opt_out).
#pragma once

#include <optional>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/common_settings.hpp"
#include "core/dispatch/event_fields.hpp"

namespace capi::dispatch {

struct ConsentRule {
	DeniedAdUserData denied =
	    DeniedAdUserData::kSkip; // the destination's choice, else the platform's default
	bool keep_click_ids = false; // Google: gclid, gbraid, wbraid stay
};

// The rule for a destination: config.denied_ad_user_data when set, else platform_default.
ConsentRule ConsentRuleFor(const CommonSettings &settings, DeniedAdUserData platform_default,
                           bool keep_click_ids = false);

// Applies the event's consent (fields was Read) to what the platform will receive: a skip when the
// event must not be sent; otherwise nullopt, with fields' identity emptied when ad_user_data is
// denied. Call after EventFields::Read and before writing the user object.
std::optional<Refusal> ApplyConsent(EventFields &fields, const ConsentRule &rule);

// True when the event's ad_user_data consent is denied (the identity is then empty after ApplyConsent).
inline bool AdUserDataDenied(const EventFields &fields) {
	return fields.consent().ad_user_data == ConsentStatus::kDenied;
}

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
