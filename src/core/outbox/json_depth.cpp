#include "core/cpp_only.hpp"
#include "core/outbox/json_depth.hpp"

namespace capi::outbox {

bool JsonDeeperThan(std::string_view json, std::size_t max_depth) noexcept {
	std::size_t depth = 0;
	bool in_string = false;
	for (std::size_t i = 0; i < json.size(); ++i) {
		char c = json[i];
		if (in_string) {
			if (c == '\\')
				++i; // the escaped character cannot end the string
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			if (++depth > max_depth)
				return true;
		} else if ((c == '}' || c == ']') && depth > 0) {
			--depth;
		}
	}
	return false;
}

} // namespace capi::outbox
