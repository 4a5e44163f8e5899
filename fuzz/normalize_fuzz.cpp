// libFuzzer target: every identifier normalizer (email, phone, first/last name, city, state, zip,
// country, gender, date of birth, external id, street) through capi::identity::Normalize and Hash,
// for every platform's rule.
//
// Input: byte 0 picks the field (modulo the field count), byte 1 the platform, byte 2 the region of
// national phone numbers and zips; the rest is the value.
// Contract checked (identity/normalize.hpp): only capi::Error 22023, and only for a field the platform
// does not accept; true comes with a result and false without; Hash accepts the same fields and values
// as Normalize and gives 64 lowercase hex digits.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/identity/normalize.hpp"
#include "fuzz_input.hpp"

namespace {

using capi::identity::Field;
using capi::identity::Platform;

constexpr Field kFields[] = {Field::kEmail,  Field::kPhone,       Field::kFirstName,  Field::kLastName,
                             Field::kCity,   Field::kState,       Field::kZip,        Field::kCountry,
                             Field::kGender, Field::kDateOfBirth, Field::kExternalId, Field::kStreet};
constexpr Platform kPlatforms[] = {Platform::kMeta,     Platform::kGoogle, Platform::kTikTok,
                                   Platform::kLinkedIn, Platform::kSnap,   Platform::kReddit,
                                   Platform::kPinterest};
constexpr std::string_view kRegions[] = {"US", "DE", "GB", "FR", "JP", "BR",
                                         "IN", "PH", "PR", "CA", "zz", ""};

bool IsHexDigest(const std::string &text) {
	if (text.size() != 64)
		return false;
	for (char c : text)
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	if (size < 3)
		return 0;
	const Field field = kFields[data[0] % std::size(kFields)];
	const Platform platform = kPlatforms[data[1] % std::size(kPlatforms)];
	std::string_view region = kRegions[data[2] % std::size(kRegions)];
	if (region.empty())
		region = "US"; // callers always pass a region (normalize.hpp)
	const std::string_view value = capi::fuzz::AsText(data + 3, size - 3);

	std::string normalized;
	bool accepted = true;
	bool normalized_ok = false;
	try {
		normalized_ok = capi::identity::Normalize(field, platform, value, region, normalized);
	} catch (const capi::Error &error) {
		if (std::strcmp(error.sqlstate(), capi::sqlstate::kInvalidParameterValue) != 0)
			capi::fuzz::ContractBroken("Normalize threw another SQLSTATE than 22023");
		accepted = false;
	}
	if (!normalized_ok && !normalized.empty())
		capi::fuzz::ContractBroken("Normalize returned false with a result");
	if (normalized_ok && normalized.empty())
		capi::fuzz::ContractBroken("Normalize returned true with an empty result");

	std::string hashed;
	bool hashed_ok = false;
	try {
		hashed_ok = capi::identity::Hash(field, platform, value, region, hashed);
		if (!accepted)
			capi::fuzz::ContractBroken("Hash accepted a field Normalize refused");
	} catch (const capi::Error &) {
		if (accepted)
			capi::fuzz::ContractBroken("Hash refused a field Normalize accepted");
	}
	if (accepted && hashed_ok != normalized_ok && !capi::identity::IsAlreadyHashed(value))
		capi::fuzz::ContractBroken("Hash and Normalize disagree on whether the value is usable");
	if (hashed_ok && !IsHexDigest(hashed))
		capi::fuzz::ContractBroken("Hash gave something other than 64 lowercase hex digits");
	return 0;
}
