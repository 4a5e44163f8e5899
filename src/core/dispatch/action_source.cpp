#include "core/dispatch/action_source.hpp"

namespace capi::dispatch {

bool IsActionSource(std::string_view value) noexcept {
	for (std::string_view candidate : kActionSources)
		if (candidate == value)
			return true;
	return false;
}

std::string ActionSourceList() {
	std::string out;
	for (std::string_view value : kActionSources) {
		if (!out.empty())
			out += ", ";
		out += value;
	}
	return out;
}

} // namespace capi::dispatch
