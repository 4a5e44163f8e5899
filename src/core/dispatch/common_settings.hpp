// The config keys every platform takes besides its own (README "Destinations"):
//   event_map                {"<outbox event_name>": "<the platform's event name>"}: overrides or
//                            extends the platform's default mapping; "" means "do not send it there".
//   max_requests_per_second  a number > 0: the destination's request-rate limit (the platform's
//                            published limit by default, PlatformAdapter::DefaultRequestsPerSecond).
//   denied_ad_user_data      "skip" | "send_without_identifiers": what happens to an event whose
//                            consent.ad_user_data is "denied" (consent_policy.hpp).
#pragma once

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/dispatch/destination.hpp"

namespace capi::dispatch {

inline constexpr std::array<std::string_view, 3> kCommonConfigKeys = {"event_map", "max_requests_per_second",
                                                                      "denied_ad_user_data"};

enum class DeniedAdUserData { kSkip, kSendWithoutIdentifiers };

struct CommonSettings {
	std::map<std::string, std::string, std::less<>> event_map;
	std::optional<double> max_requests_per_second;
	std::optional<DeniedAdUserData> denied_ad_user_data; // nullopt: the platform's default
};

// Throws capi::Error 22023 naming the key ("destination X: config.event_map.Purchase must be a string").
CommonSettings ReadCommonSettings(const Destination &destination);

// One line of a platform's default event-name table.
struct EventNameEntry {
	std::string_view outbox_name; // Meta-style: Purchase, Lead, ...
	std::string_view platform_name;
};

// The platform's name for an outbox event: config.event_map first, then the defaults (exact,
// case-sensitive match); nullopt when the platform takes no such event (not sent, skipped with a
// reason). Pass pass_through = true for platforms that take custom names as they are.
template <std::size_t N>
std::optional<std::string_view> MapEventName(const CommonSettings &settings,
                                             const std::array<EventNameEntry, N> &defaults,
                                             std::string_view outbox_name, bool pass_through = false) {
	if (auto found = settings.event_map.find(outbox_name); found != settings.event_map.end()) {
		if (found->second.empty())
			return std::nullopt;
		return std::string_view(found->second);
	}
	for (const EventNameEntry &entry : defaults)
		if (entry.outbox_name == outbox_name)
			return entry.platform_name;
	if (pass_through)
		return outbox_name;
	return std::nullopt;
}

// The reason an event whose name has no mapping is skipped ("no Pinterest event for \"Foo\" ...").
std::string UnmappedEventReason(std::string_view platform_label, std::string_view outbox_name);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
