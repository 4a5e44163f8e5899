#include "core/identity/acceptance.hpp"

#include <cstdint>
#include <string>

#include "core/error.hpp"

namespace capi::identity {
namespace {

constexpr uint32_t Bit(Field field) {
	return 1u << static_cast<unsigned>(field);
}

constexpr Field kAllFields[] = {
    Field::kEmail,  Field::kPhone,       Field::kFirstName,  Field::kLastName,
    Field::kCity,   Field::kState,       Field::kZip,        Field::kCountry,
    Field::kGender, Field::kDateOfBirth, Field::kExternalId, Field::kStreet,
};

// Meta-style user_data (Meta, Snap, Pinterest): every field but the street address.
constexpr uint32_t kMetaStyleFields = Bit(Field::kEmail) | Bit(Field::kPhone) | Bit(Field::kFirstName) |
                                      Bit(Field::kLastName) | Bit(Field::kCity) | Bit(Field::kState) |
                                      Bit(Field::kZip) | Bit(Field::kCountry) | Bit(Field::kGender) |
                                      Bit(Field::kDateOfBirth) | Bit(Field::kExternalId);

constexpr uint32_t AcceptedFields(Platform platform) {
	switch (platform) {
	case Platform::kMeta:
	case Platform::kSnap:
	case Platform::kPinterest:
		return kMetaStyleFields;
	case Platform::kGoogle: // Ads API user identifiers / address info and Data Manager AddressInfo
		return Bit(Field::kEmail) | Bit(Field::kPhone) | Bit(Field::kFirstName) | Bit(Field::kLastName) |
		       Bit(Field::kCity) | Bit(Field::kState) | Bit(Field::kZip) | Bit(Field::kCountry) |
		       Bit(Field::kStreet);
	case Platform::kTikTok:
		return Bit(Field::kEmail) | Bit(Field::kPhone) | Bit(Field::kFirstName) | Bit(Field::kLastName) |
		       Bit(Field::kCity) | Bit(Field::kState) | Bit(Field::kZip) | Bit(Field::kCountry) |
		       Bit(Field::kExternalId);
	case Platform::kLinkedIn: // SHA256_EMAIL, userInfo {firstName, lastName, countryCode}, externalIds
		return Bit(Field::kEmail) | Bit(Field::kFirstName) | Bit(Field::kLastName) | Bit(Field::kCountry) |
		       Bit(Field::kExternalId);
	case Platform::kReddit:
		return Bit(Field::kEmail) | Bit(Field::kPhone) | Bit(Field::kExternalId);
	}
	return 0;
}

} // namespace

bool PlatformAcceptsField(Platform platform, Field field) noexcept {
	return (AcceptedFields(platform) & Bit(field)) != 0;
}

void RequireAcceptedField(Platform platform, Field field) {
	if (PlatformAcceptsField(platform, field))
		return;
	std::string platform_name(PlatformName(platform));
	std::string accepted;
	for (Field candidate : kAllFields) {
		if (!PlatformAcceptsField(platform, candidate))
			continue;
		if (!accepted.empty())
			accepted += ", ";
		accepted += FieldName(candidate);
	}
	throw Error(sqlstate::kInvalidParameterValue,
	            "platform " + platform_name + " does not accept field " + std::string(FieldName(field)),
	            "Platform " + platform_name + " accepts: " + accepted + ".");
}

} // namespace capi::identity
