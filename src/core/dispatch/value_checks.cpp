#include "core/dispatch/value_checks.hpp"

#include "core/identity/identifiers.hpp"

#include <array>

namespace capi::dispatch {

namespace {
constexpr std::array<bool, 256> kLowerHexDigits = [] {
	std::array<bool, 256> digits{};
	for (char c = '0'; c <= '9'; c++)
		digits[static_cast<unsigned char>(c)] = true;
	for (char c = 'a'; c <= 'f'; c++)
		digits[static_cast<unsigned char>(c)] = true;
	return digits;
}();
} // namespace

// Checked for every identifier of every event the worker sends: one table lookup per character and
// no early exit, which the compiler unrolls (a digest is valid far more often than not).
bool IsLowerHexSha256(std::string_view value) noexcept {
	if (value.size() != 64)
		return false;
	bool all = true;
	for (char c : value)
		all &= kLowerHexDigits[static_cast<unsigned char>(c)];
	return all;
}

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
