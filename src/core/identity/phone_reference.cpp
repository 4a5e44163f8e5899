// NormalizePhoneReference: libphonenumber alone decides (ReadPhoneReference), with the same retries
// as NormalizePhone. This is the authority that the fast path in phone.cpp must reproduce byte for
// byte.
#include "core/identity/phone.hpp"

#include <new>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/identity/phone_fast.hpp"

namespace capi::identity {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// Parses text for region and accepts it only when libphonenumber's length check says IS_POSSIBLE.
bool ParsePossible(const PhoneNumberUtil &util, const std::string &text, const std::string &region,
                   PhoneNumber &number) {
	if (util.Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
		return false;
	return util.IsPossibleNumberWithReason(number) == PhoneNumberUtil::IS_POSSIBLE;
}

// True when raw contains one of libphonenumber's plus signs ('+' or the full-width U+FF0B).
bool HasPlusSign(std::string_view raw) {
	return raw.find('+') != std::string_view::npos || raw.find("\xEF\xBC\x8B") != std::string_view::npos;
}

// Byte offset of the first decimal digit (Unicode Nd, as libphonenumber reads digits), or npos.
size_t FirstDigitOffset(std::string_view raw) {
	int32_t i = 0;
	const int32_t length = static_cast<int32_t>(raw.size());
	while (i < length) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(reinterpret_cast<const uint8_t *>(raw.data()), i, length, c);
		if (c >= 0 && u_isdigit(c))
			return static_cast<size_t>(start);
	}
	return std::string_view::npos;
}

// Formats a number that has already been found possible: no result unless libphonenumber finds it
// valid and it fits E.164.
bool FormatValid(const PhoneNumberUtil &util, const PhoneNumber &number, PhoneStyle style, std::string &out) {
	if (!util.IsValidNumber(number))
		return false;
	util.Format(number, PhoneNumberUtil::E164, &out);
	if (out.size() > phone_internal::kMaxE164Digits + 1) // '+' and the digits
		return false;
	if (style == PhoneStyle::kE164DigitsOnly && !out.empty() && out[0] == '+')
		out.erase(0, 1);
	return !out.empty();
}

} // namespace

namespace phone_internal {

bool ReadPhoneReference(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out) {
	out.clear();
	try {
		const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
		PhoneNumber number;
		bool possible = ParsePossible(util, std::string(raw), phone_internal::RegionCode(region), number);
		// Fallback that maximizes matching: analysts often store numbers with their country code but
		// without '+' ("16505551212", "442079460958"), as Meta's format asks. When the region's reading
		// fails or is not possible and the input has no explicit '+', read the digits as international.
		// A reading that is possible but not valid is not read again: its digits have the region's
		// length, and reading them as another country's number would be a guess.
		if (!possible && !HasPlusSign(raw)) {
			size_t first_digit = FirstDigitOffset(raw);
			if (first_digit != std::string_view::npos) {
				std::string international = "+";
				international.append(raw.substr(first_digit));
				number.Clear();
				possible = ParsePossible(util, international, "ZZ", number);
			}
		}
		if (!possible || !FormatValid(util, number, style, out)) {
			out.clear();
			return false;
		}
		return true;
	} catch (const std::bad_alloc &) {
		throw;
	} catch (...) {
		out.clear();
		return false;
	}
}

} // namespace phone_internal

bool NormalizePhoneReference(std::string_view raw, std::string_view region, PhoneStyle style,
                             std::string &out) {
	if (phone_internal::ReadPhoneReference(raw, region, style, out))
		return true;
	std::string retries[2];
	const size_t count = phone_internal::InternationalPrefixRetries(raw, region, retries);
	for (size_t i = 0; i < count; i++)
		if (phone_internal::ReadPhoneReference(retries[i], "ZZ", style, out))
			return true;
	return false;
}

} // namespace capi::identity
