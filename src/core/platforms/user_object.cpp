#include "core/platforms/user_object.hpp"

namespace capi::platforms {

std::string UpperAscii(std::string value) {
	for (char &c : value)
		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 'a' + 'A');
	return value;
}

} // namespace capi::platforms
