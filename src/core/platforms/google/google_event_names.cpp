// Google has no event names: each outbox event name picks a conversion action
// (config.conversion_actions), after config.event_map has renamed it.
#include "core/platforms/google/google_event.hpp"

namespace capi::dispatch {

std::optional<std::string> GoogleConversionAction(const GoogleEventRules &rules,
                                                  std::string_view event_name) {
	std::string_view name = event_name;
	if (auto renamed = rules.common.event_map.find(event_name); renamed != rules.common.event_map.end()) {
		if (renamed->second.empty())
			return std::nullopt;
		name = renamed->second;
	}
	auto action = rules.settings.conversion_actions.find(name);
	if (action == rules.settings.conversion_actions.end())
		return std::nullopt;
	return action->second;
}

} // namespace capi::dispatch
