// The JSON columns of an outbox event, parsed for one platform: the identity bag, the consent
// signals and the custom_data object. One EventFields is reused for many events (its parsers keep
// their buffers), so reading an event allocates nothing once warmed up.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/dispatch/event.hpp"
#include "core/dispatch/identity_bag.hpp"
#include "core/identity/field.hpp"

namespace capi::dispatch {

enum class ConsentStatus { kUnspecified, kGranted, kDenied };

// consent_json: {"opt_out": bool, "ldu": bool | {"country": int, "state": int},
//                "ad_user_data": "granted"|"denied", "ad_personalization": "granted"|"denied"}.
// Absent keys keep these defaults; unknown keys are ignored.
struct Consent {
	std::optional<bool> opt_out;
	bool limited_data_use = false; // "ldu": true or an object
	std::int64_t ldu_country = 0;  // 0 with ldu: true (the platform geolocates)
	std::int64_t ldu_state = 0;
	ConsentStatus ad_user_data = ConsentStatus::kUnspecified;
	ConsentStatus ad_personalization = ConsentStatus::kUnspecified;
};

class EventFields {
public:
	EventFields();
	~EventFields();
	EventFields(const EventFields &) = delete;
	EventFields &operator=(const EventFields &) = delete;

	// Parses event's user_data, consent and custom_data for platform and checks that its text
	// columns are valid UTF-8. Returns what is wrong, or nullopt. The views below point into this
	// object and into event, which must outlive their use.
	std::optional<std::string> Read(const OutboxEvent &event, identity::Platform platform);

	const IdentityBag &identity() const { return bag_; }
	// Empties the identity (consent_policy.hpp); see IdentityBag::Strip.
	void StripIdentity(bool keep_click_ids) { bag_.Strip(keep_click_ids); }
	const Consent &consent() const { return consent_; }
	// The custom_data object's text as stored (surrounding blanks trimmed), without its members whose
	// value is JSON null at any depth (as jsonb_strip_nulls; null means absent, and platforms refuse
	// "value": null); "" when there is none (empty column or JSON null).
	std::string_view custom_data_json() const { return custom_data_json_; }

private:
	std::optional<std::string> ReadConsent(std::string_view json);
	std::optional<std::string> ReadCustomData(std::string_view json);

	struct Parsers;
	std::unique_ptr<Parsers> parsers_;
	IdentityBag bag_;
	Consent consent_;
	std::string_view custom_data_json_;
	std::string custom_data_without_nulls_; // custom_data_json_'s text when nulls were removed
};

// This thread's own EventFields, created on first use and never freed (no static destructor), for
// callers that read one event at a time, such as Preflight. Not reentrant.
EventFields &ThreadEventFields();

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
