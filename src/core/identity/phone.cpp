#include "core/identity/phone.hpp"

#include "core/identity/phone_fast.hpp"

namespace capi::identity {

namespace phone_internal {

std::string RegionCode(std::string_view region) {
	auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
	if (region.size() != 2 || !is_letter(region[0]) || !is_letter(region[1]))
		return "ZZ";
	std::string code(region);
	for (char &c : code)
		c = static_cast<char>(c & ~0x20);
	return code;
}

} // namespace phone_internal

bool NormalizePhone(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out) {
	return NormalizePhoneReference(raw, region, style, out);
}

} // namespace capi::identity
