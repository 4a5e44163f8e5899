#include "core/identity/region.hpp"

#include "core/identity/country.hpp"
#include "core/identity/unicode_text.hpp"

namespace capi::identity {

bool ResolveRegion(std::string_view text, std::string &code) {
	const std::string_view trimmed = text::Trim(text);
	if (trimmed.size() == 2 && text::ToAsciiUpper(trimmed[0]) == 'Z' &&
	    text::ToAsciiUpper(trimmed[1]) == 'Z') {
		code = "ZZ";
		return true;
	}
	return NormalizeCountry(text, CountryCase::kUpper, code);
}

} // namespace capi::identity
