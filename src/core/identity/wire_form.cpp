#include "core/identity/wire_form.hpp"

#include "core/identity/acceptance.hpp"
#include "core/identity/input_limits.hpp"
#include "core/identity/normalize.hpp"

namespace capi::identity {

bool WantsHashed(Platform platform, Field field) noexcept {
	switch (platform) {
	case Platform::kTikTok:
		return field != Field::kCity && field != Field::kState && field != Field::kCountry;
	case Platform::kGoogle:
		return field != Field::kCity && field != Field::kState && field != Field::kZip &&
		       field != Field::kCountry;
	case Platform::kLinkedIn:
		return field != Field::kFirstName && field != Field::kLastName && field != Field::kCountry &&
		       field != Field::kExternalId;
	default:
		return true;
	}
}

bool PayloadValue(Field field, Platform platform, std::string_view value, Region region, std::string &out) {
	if (WantsHashed(platform, field))
		return Hash(field, platform, value, region, out);
	if (field != Field::kExternalId && IsWithinInputLimit(field, value) && IsAlreadyHashed(value)) {
		RequireAcceptedField(platform, field);
		out.clear();
		return false;
	}
	return Normalize(field, platform, value, region, out);
}

} // namespace capi::identity
