// The field x platform dispatcher: which rule of which normalizer each platform gets. The table in
// docs/normalization.md documents the same choices with their sources.
#include "core/identity/normalize.hpp"

#include <functional>

#include "core/identity/acceptance.hpp"
#include "core/identity/country.hpp"
#include "core/identity/date_of_birth.hpp"
#include "core/identity/email.hpp"
#include "core/identity/input_limits.hpp"
#include "core/identity/location.hpp"
#include "core/identity/name.hpp"
#include "core/identity/person.hpp"
#include "core/identity/phone.hpp"
#include "core/identity/unicode_text.hpp"
#include "core/sha256.hpp"

namespace capi::identity {
namespace {

EmailRule EmailRuleFor(Platform platform) {
	switch (platform) {
	case Platform::kGoogle:
		return EmailRule::kGoogle;
	case Platform::kReddit:
		return EmailRule::kReddit;
	default:
		return EmailRule::kStandard;
	}
}

PhoneStyle PhoneStyleFor(Platform platform) {
	switch (platform) {
	case Platform::kGoogle:
	case Platform::kTikTok:
	case Platform::kReddit:
		return PhoneStyle::kE164WithPlus;
	default:
		return PhoneStyle::kE164DigitsOnly;
	}
}

NameRule NameRuleFor(Platform platform) {
	switch (platform) {
	case Platform::kGoogle:
		return NameRule::kWords;
	case Platform::kLinkedIn:
		return NameRule::kPlain;
	default:
		return NameRule::kCompact;
	}
}

AddressRule AddressRuleFor(Platform platform) {
	return platform == Platform::kGoogle ? AddressRule::kPlain : AddressRule::kCompact;
}

ZipRule ZipRuleFor(Platform platform) {
	switch (platform) {
	case Platform::kGoogle:
		return ZipRule::kPlain;
	case Platform::kPinterest:
		return ZipRule::kDigits;
	default:
		return ZipRule::kCompact;
	}
}

CountryCase CountryCaseFor(Platform platform) {
	return platform == Platform::kGoogle || platform == Platform::kLinkedIn ? CountryCase::kUpper
	                                                                        : CountryCase::kLower;
}

ExternalIdRule ExternalIdRuleFor(Platform platform) {
	switch (platform) {
	case Platform::kMeta:
	case Platform::kSnap:
		return ExternalIdRule::kCompactLower;
	case Platform::kTikTok:
	case Platform::kPinterest:
		return ExternalIdRule::kTrimLower;
	default:
		return ExternalIdRule::kTrim;
	}
}

// The platform accepts field (checked by the caller).
bool NormalizeAccepted(Field field, Platform platform, std::string_view value, Region region,
                       std::string &out) {
	switch (field) {
	case Field::kEmail:
		return NormalizeEmail(value, EmailRuleFor(platform), out);
	case Field::kPhone:
		return NormalizePhone(value, region.code, PhoneStyleFor(platform), out);
	case Field::kFirstName:
		return NormalizeName(value, NameRuleFor(platform), NamePart::kFirst, out);
	case Field::kLastName:
		return NormalizeName(value, NameRuleFor(platform), NamePart::kLast, out);
	case Field::kCity:
		return NormalizeCity(value, AddressRuleFor(platform), out);
	case Field::kState:
		return NormalizeState(value, AddressRuleFor(platform), out);
	case Field::kZip:
		return NormalizeZip(value, region, ZipRuleFor(platform), out);
	case Field::kCountry:
		return NormalizeCountry(value, CountryCaseFor(platform), out);
	case Field::kGender:
		return NormalizeGender(value, /*allow_non_binary=*/platform == Platform::kPinterest, out);
	case Field::kDateOfBirth:
		return NormalizeDateOfBirth(value, region.code, out);
	case Field::kExternalId:
		return NormalizeExternalId(value, ExternalIdRuleFor(platform), out);
	case Field::kStreet:
		return NormalizeStreet(value, out);
	}
	return false;
}

// Storage for a value without its format characters, per thread; leaked on purpose (no C++ object
// with a destructor lives in static storage inside a PostgreSQL backend).
std::string &FormatFreeScratch() {
	static thread_local std::string *scratch = new std::string();
	return *scratch;
}

// The value every normalizer starts from: without Unicode format characters (text.hpp).
std::string_view WithoutFormatCharacters(std::string_view value) {
	return text::StripFormatCharacters(value, FormatFreeScratch());
}

constexpr std::string_view kEmptyStringDigest =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

bool NoResult(std::string &out) {
	out.clear();
	return false;
}

// True when value is a view into out's buffer (a caller normalizing a string in place).
bool PointsInto(std::string_view value, const std::string &out) {
	const std::less<const char *> before;
	return !value.empty() && !before(value.data(), out.data()) &&
	       before(value.data(), out.data() + out.capacity());
}

} // namespace

int NormalizationRuleId(Field field, Platform platform) noexcept {
	switch (field) {
	case Field::kEmail:
		return static_cast<int>(EmailRuleFor(platform));
	case Field::kPhone:
		return static_cast<int>(PhoneStyleFor(platform));
	case Field::kFirstName:
	case Field::kLastName:
		return static_cast<int>(NameRuleFor(platform));
	case Field::kCity:
	case Field::kState:
		return static_cast<int>(AddressRuleFor(platform));
	case Field::kZip:
		return static_cast<int>(ZipRuleFor(platform));
	case Field::kCountry:
		return static_cast<int>(CountryCaseFor(platform));
	case Field::kGender:
		return platform == Platform::kPinterest ? 1 : 0; // NormalizeGender's allow_non_binary
	case Field::kExternalId:
		return static_cast<int>(ExternalIdRuleFor(platform));
	case Field::kDateOfBirth:
	case Field::kStreet:
		return 0;
	}
	return 0;
}

bool Normalize(Field field, Platform platform, std::string_view value, Region region, std::string &out) {
	RequireAcceptedField(platform, field);
	if (!IsWithinInputLimit(field, value)) // no identifier is that long: no work at all
		return NoResult(out);
	if (PointsInto(value, out))
		return Normalize(field, platform, std::string(value), region, out);
	// The same starting point as Hash (which must trim to recognize a digest): without format
	// characters and surrounding white space and control characters, so both agree on every value.
	value = text::Trim(WithoutFormatCharacters(value));
	if (IsEmptyValueDigest(value))
		return NoResult(out);
	if (!NormalizeAccepted(field, platform, value, region, out) || out.empty()) {
		out.clear();
		return false;
	}
	return true;
}

bool IsEmptyValueDigest(std::string_view digest) noexcept {
	if (digest.size() != kEmptyStringDigest.size())
		return false;
	for (std::size_t i = 0; i < digest.size(); i++)
		if (text::ToAsciiLower(digest[i]) != kEmptyStringDigest[i])
			return false;
	return true;
}

bool IsAlreadyHashed(std::string_view value) {
	return IsSha256Hex(text::Trim(WithoutFormatCharacters(value)));
}

bool Hash(Field field, Platform platform, std::string_view value, Region region, std::string &out) {
	RequireAcceptedField(platform, field);
	if (!IsWithinInputLimit(field, value)) // no identifier is that long: no work at all
		return NoResult(out);
	if (PointsInto(value, out))
		return Hash(field, platform, std::string(value), region, out);
	const std::string_view trimmed = text::Trim(WithoutFormatCharacters(value));
	if (IsSha256Hex(trimmed)) {          // already hashed: never hash twice
		if (IsEmptyValueDigest(trimmed)) // a hashed blank identifies nobody
			return NoResult(out);
		out.assign(trimmed);
		for (char &c : out)
			c = text::ToAsciiLower(c);
		return true;
	}
	if (!NormalizeAccepted(field, platform, trimmed, region, out) || out.empty()) {
		out.clear();
		return false;
	}
	char digest[kSha256HexLength];
	Sha256Hex(out, digest);
	out.assign(digest, kSha256HexLength);
	return true;
}

} // namespace capi::identity
