// Phone numbers to E.164, with libphonenumber as the authority and a fast path for common shapes.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

enum class PhoneStyle {
	kE164WithPlus,   // "+16505551212": Google, TikTok, Reddit
	kE164DigitsOnly, // "16505551212": Meta, Snap, Pinterest
};

// Normalizes a phone number written in any common national or international format.
// region: ISO 3166-1 alpha-2 (upper or lower case) used for numbers written without a country code.
// Returns false (out cleared) for empty input, garbage, or a number libphonenumber does not consider
// possible. Never throws for bad input.
bool NormalizePhone(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out);

// The same result computed by libphonenumber alone (Parse + checks + Format) for every input: the
// authority the fast path is tested against, and the baseline of bench/phone_bench.cpp.
bool NormalizePhoneReference(std::string_view raw, std::string_view region, PhoneStyle style,
                             std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
