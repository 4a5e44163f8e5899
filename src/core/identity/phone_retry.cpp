// InternationalPrefixRetries: how a number written with an international prefix that its region does
// not use ("0049 30 1234567" with region US, whose prefix is 011), or with a '+' before the prefix
// ("+0044 20 7946 0958", "+001 616 ..."), or with a stray 0 before its own country code ("01 650 ...",
// which Meta's own normalizer also strips) is read again. Each retry is only used when it is a valid
// number (NormalizePhone checks), so a national number that merely starts with 0 is not turned into
// some other country's number: a stray 0 is only dropped before the region's own country code.
#include "core/identity/phone_fast.hpp"

#include <phonenumbers/phonenumberutil.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace capi::identity::phone_internal {
namespace {

// The international prefix ITU-T Rec. E.164 recommends, used by most countries, and the North
// American Numbering Plan's.
constexpr std::string_view kItuPrefix = "00";
constexpr std::string_view kNanpPrefix = "011";

// The first digits of raw (Unicode decimal digits, as libphonenumber reads them) up to the first
// letter after them, each with the byte offset just after it.
struct LeadingDigits {
	char digits[4] = {};
	size_t ends[4] = {};
	size_t count = 0;
};

LeadingDigits ReadLeadingDigits(std::string_view raw) {
	LeadingDigits leading;
	const auto length = static_cast<int32_t>(raw.size());
	for (int32_t i = 0; i < length && leading.count < 4;) {
		UChar32 c;
		U8_NEXT(reinterpret_cast<const uint8_t *>(raw.data()), i, length, c);
		if (c < 0)
			break;
		const int32_t value = u_charDigitValue(c);
		if (value >= 0 && value <= 9 && u_isdigit(c)) {
			leading.digits[leading.count] = static_cast<char>('0' + value);
			leading.ends[leading.count++] = static_cast<size_t>(i);
		} else if (leading.count > 0 && u_isalpha(c)) {
			break; // "Tel: " before the number is fine; a letter inside the prefix is not
		}
	}
	return leading;
}

bool StartsWith(const LeadingDigits &leading, size_t from, std::string_view prefix) {
	if (leading.count < from + prefix.size())
		return false;
	return std::string_view(leading.digits + from, prefix.size()) == prefix;
}

// "+" and raw after byte offset `end`, without the separators that follow the prefix.
std::string Retry(std::string_view raw, size_t end) {
	while (end < raw.size() && (raw[end] == ' ' || raw[end] == '-' || raw[end] == '.' || raw[end] == '/'))
		end++;
	std::string text = "+";
	text.append(raw.substr(end));
	return text;
}

} // namespace

size_t InternationalPrefixRetries(std::string_view raw, std::string_view region, std::string texts[2]) {
	const LeadingDigits leading = ReadLeadingDigits(raw);
	if (leading.count < 2 || leading.digits[0] != '0')
		return 0;
	size_t count = 0;
	if (StartsWith(leading, 0, kItuPrefix))
		texts[count++] = Retry(raw, leading.ends[1]);
	else if (StartsWith(leading, 0, kNanpPrefix))
		texts[count++] = Retry(raw, leading.ends[2]);
	const int own_code =
	    i18n::phonenumbers::PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(RegionCode(region));
	if (own_code > 0 && StartsWith(leading, 1, std::to_string(own_code)))
		texts[count++] = Retry(raw, leading.ends[0]);
	return count;
}

} // namespace capi::identity::phone_internal
