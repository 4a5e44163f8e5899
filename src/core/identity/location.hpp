// City, state/province, postal code and street address (country: country.hpp).
#pragma once

#include <string>
#include <string_view>

#include "core/identity/region.hpp"

namespace capi::identity {

enum class AddressRule {
	kCompact, // NFKC, lowercase, letters and digits only: hashed by Meta, Snap, Pinterest; plain for TikTok
	kPlain,   // Google address fields sent in clear: NFKC, lowercase, single spaces; state codes upper case
};

// Returns false (out empty) when the value contains no letter.
bool NormalizeCity(std::string_view value, AddressRule rule, std::string &out);

// US state, territory and Canadian province names become their two-letter codes ("New York" -> "ny",
// "Québec" -> "qc"), as do ISO 3166-2 codes ("US-CA" -> "ca"); two letters are taken as a code;
// anything else is normalized like a city. Returns false when the value contains no letter.
bool NormalizeState(std::string_view value, AddressRule rule, std::string &out);

enum class ZipRule {
	kCompact, // lowercase letters and digits only (Meta, TikTok, Snap)
	kDigits,  // Pinterest "digits only": numeric codes lose spaces and dashes; alphanumeric ones as kCompact
	kPlain,   // Google, sent in clear: single spaces, upper case
};

// A US ZIP or ZIP+4 ("94035", "94035-1234", "94035 1234", "940351234", "94035-12") becomes its
// first five digits when region is a region using US ZIP codes (US, PR, GU, VI, AS, MP), or whatever
// the region when it is written as ZIP+4 with a dash; when such a region is given (region.hpp), a
// ZIP code that lost its leading zeros ("2134", "601") gets them back. Returns false when no letter
// or digit is left.
bool NormalizeZip(std::string_view value, Region region, ZipRule rule, std::string &out);

// Google's hashed street address: NFKC, lowercase, single spaces. Returns false without a letter.
bool NormalizeStreet(std::string_view value, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
