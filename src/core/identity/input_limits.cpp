#include "core/identity/input_limits.hpp"

namespace capi::identity {

std::size_t MaxInputBytes(Field field) noexcept {
	switch (field) {
	case Field::kEmail:
		return 512; // an address has at most 254 octets (kMaxEmailAddressBytes), checked after trimming
	case Field::kPhone:
		return 128; // E.164: at most 15 digits; formatted, with an extension or full-width digits, < 128
	case Field::kFirstName:
	case Field::kLastName:
	case Field::kCity:
	case Field::kState:
	case Field::kStreet:
		return 512; // the longest place names (Bangkok's ceremonial name: 168 Latin letters) fit 3x over
	case Field::kCountry:
		return 256; // the longest country names in any script, with room to spare
	case Field::kZip:
	case Field::kGender:
	case Field::kDateOfBirth:
		return 128; // postal codes have at most 10 characters, dates and genders are words
	case Field::kExternalId:
		return 1024; // opaque: UUIDs (36), digests (64), composite keys
	}
	return 128;
}

} // namespace capi::identity
