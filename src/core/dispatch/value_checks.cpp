#include "core/dispatch/value_checks.hpp"

#include "core/identity/identifiers.hpp"

namespace capi::dispatch {

bool IsIpAddress(std::string_view value) noexcept {
	return identity::IsIpAddress(value, false);
}

bool IsDigits(std::string_view text) noexcept {
	if (text.empty())
		return false;
	for (char c : text)
		if (c < '0' || c > '9')
			return false;
	return true;
}

bool HasControlCharacter(std::string_view text) noexcept {
	for (char c : text)
		if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
			return true;
	return false;
}

} // namespace capi::dispatch
