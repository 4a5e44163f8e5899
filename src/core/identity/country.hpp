// Countries to ISO 3166-1 alpha-2, with the code and name tables built from ICU's data at first use.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

enum class CountryCase {
	kLower, // "us": hashed by Meta, Snap, Pinterest; plain for TikTok
	kUpper, // "US": Google regionCode/countryCode and LinkedIn userInfo.countryCode, sent in clear
};

// Accepts ISO 3166-1 alpha-2 and alpha-3 codes ("DE", "deu") and country names in English and in the
// major languages ICU has display names for ("United States", "Deutschland", "Côte d'Ivoire",
// "Cote d Ivoire"), plus a few colloquial names ("UK", "Great Britain", "Holland"). Case, accents,
// spaces and punctuation in names do not matter. Returns false (out empty) for anything else.
bool NormalizeCountry(std::string_view value, CountryCase letter_case, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
