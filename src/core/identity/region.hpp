// The region identifiers are read in: which country national phone numbers, US ZIP codes and a/b/yyyy
// dates belong to, and whether the caller said so.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

// An ISO 3166-1 alpha-2 code in either case (or anything else: no region, as libphonenumber's "ZZ"),
// and whether it was given for these values (a region argument) rather than only assumed
// (capi.default_region). A few readings need a region that was given: a four-digit ZIP code is a
// US ZIP whose leading zero was lost only when the caller says the data is American; with the
// default US, it may as well be an Australian or Swiss postcode (docs/normalization.md).
struct Region {
	std::string_view code;
	bool given = true;

	Region(std::string_view region_code, bool was_given = true) : code(region_code), given(was_given) {}
	Region(const char *region_code) : code(region_code) {}
	Region(const std::string &region_code) : code(region_code) {}
};

// The region code ("DE") of what a user wrote where a region is taken: whatever
// NormalizeCountry accepts (alpha-2 and alpha-3 codes, country names in many languages: "deu",
// "Germany", "Deutschland"), or "ZZ", CLDR's unknown region (no region: only numbers written with
// their country code are read). False for anything else, blank included.
bool ResolveRegion(std::string_view text, std::string &code);

} // namespace capi::identity

#include "core/cpp_only.hpp"
