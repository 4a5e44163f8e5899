// NormalizePhone: a scanner for the shapes phone numbers are usually stored in, ParseDigits
// (phone_fast.cpp) for their digits, and NormalizePhoneReference for every other input.
#include "core/identity/phone.hpp"

#include <atomic>

#include "core/identity/phone_fast.hpp"

namespace capi::identity {

namespace phone_internal {
namespace {

std::atomic<uint64_t> fast_count{0};
std::atomic<uint64_t> reference_count{0};

// Longer inputs are left to the reference (libphonenumber has its own limits on input size).
constexpr size_t kMaxScannedInput = 250;

bool IsAsciiDigit(unsigned char c) {
	return c >= '0' && c <= '9';
}

// Whitespace that libphonenumber skips before the number and trims after it, but that is not one
// of its separators inside a number.
bool IsOuterSpace(unsigned char c) {
	return c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Separators libphonenumber accepts between digits (kValidPunctuation) and removes when normalizing.
// None of them can start an extension, so no extension can be found in a number made of these.
bool IsSeparator(unsigned char c) {
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '[' || c == ']';
}

bool IsNoBreakSpace(std::string_view raw, size_t i) {
	return static_cast<unsigned char>(raw[i]) == 0xC2 && i + 1 < raw.size() &&
	       static_cast<unsigned char>(raw[i + 1]) == 0xA0;
}

// Full-width digits U+FF10..U+FF19 (EF BC 90..99): libphonenumber reads them as ASCII digits.
int FullWidthDigit(std::string_view raw, size_t i) {
	if (i + 2 < raw.size() && static_cast<unsigned char>(raw[i]) == 0xEF &&
	    static_cast<unsigned char>(raw[i + 1]) == 0xBC) {
		unsigned char last = static_cast<unsigned char>(raw[i + 2]);
		if (last >= 0x90 && last <= 0x99)
			return last - 0x90;
	}
	return -1;
}

// What the scanner learned from an input it fully understood.
struct ScannedNumber {
	std::string digits;
	bool plus = false;
	bool viable = false; // libphonenumber's IsViablePhoneNumber on the extracted number
};

// Mirrors ExtractPossibleNumber + TrimUnwantedEndChars + IsViablePhoneNumber + MaybeStripExtension +
// Normalize for inputs made of: anything ASCII without digits, '+' or ';' (skipped, like "tel:"),
// then an optional '+', digits and separators, then trailing whitespace. Returns false for any
// other input.
bool Scan(std::string_view raw, ScannedNumber &number) {
	size_t i = 0;
	const size_t n = raw.size();
	if (n > kMaxScannedInput)
		return false;
	// Leading text up to the first digit or '+' is dropped by libphonenumber. ';' could introduce
	// an RFC 3966 phone-context; non-ASCII could hold Unicode digits or plus signs.
	while (i < n) {
		unsigned char c = static_cast<unsigned char>(raw[i]);
		if (IsAsciiDigit(c) || c == '+' || FullWidthDigit(raw, i) >= 0)
			break;
		if (IsNoBreakSpace(raw, i)) {
			i += 2;
			continue;
		}
		if (c >= 0x7F || c == ';' || (c < 0x20 && !IsOuterSpace(c)))
			return false;
		i++;
	}
	if (i < n && raw[i] == '+') {
		number.plus = true;
		i++;
	}
	bool trailing = false;  // seen whitespace that may only end the input
	bool separated = false; // a separator between the first and the last digit
	size_t separators_pending = 0;
	while (i < n) {
		unsigned char c = static_cast<unsigned char>(raw[i]);
		int full_width = FullWidthDigit(raw, i);
		if (IsAsciiDigit(c) || full_width >= 0) {
			if (trailing)
				return false;
			if (separators_pending > 0 && !number.digits.empty())
				separated = true;
			separators_pending = 0;
			number.digits.push_back(full_width >= 0 ? static_cast<char>('0' + full_width)
			                                        : static_cast<char>(c));
			i += full_width >= 0 ? 3 : 1;
		} else if (IsSeparator(c)) {
			separators_pending++;
			i++;
		} else if (IsNoBreakSpace(raw, i)) {
			separators_pending++;
			i += 2;
		} else if (IsOuterSpace(c)) {
			trailing = true;
			i++;
		} else {
			return false;
		}
	}
	// valid_phone_number_pattern: exactly two digits, or an optional plus followed by at least three
	// digits with separators between them. Separators after the last digit are trimmed first.
	size_t count = number.digits.size();
	number.viable = count >= 3 || (count == 2 && !number.plus && !separated);
	return true;
}

} // namespace

std::string RegionCode(std::string_view region) {
	auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
	if (region.size() != 2 || !is_letter(region[0]) || !is_letter(region[1]))
		return "ZZ";
	std::string code(region);
	for (char &c : code)
		c = static_cast<char>(c & ~0x20);
	return code;
}

FastResult NormalizePhoneFast(std::string_view raw, std::string_view region, PhoneStyle style,
                              std::string &out) {
	out.clear();
	ScannedNumber scanned;
	if (!Scan(raw, scanned))
		return FastResult::kUndecided;
	int country_code = 0;
	std::string national;
	FastResult result = FastResult::kRejected;
	if (scanned.viable)
		result = ParseDigits(scanned.digits, scanned.plus, RegionCode(region), &country_code, &national);
	// The reference's retry as "+digits" (see phone_reference.cpp): the scanner accepts '+' only
	// where libphonenumber reads it, so "no '+' in the input" is !scanned.plus.
	if (result == FastResult::kRejected && !scanned.plus && scanned.digits.size() >= 3)
		result = ParseDigits(scanned.digits, true, "ZZ", &country_code, &national);
	if (result != FastResult::kAccepted)
		return result;
	if (style == PhoneStyle::kE164WithPlus)
		out.push_back('+');
	out.append(std::to_string(country_code));
	out.append(national);
	return FastResult::kAccepted;
}

PhonePathCounts GetPhonePathCounts() {
	PhonePathCounts counts;
	counts.fast = fast_count.load(std::memory_order_relaxed);
	counts.reference = reference_count.load(std::memory_order_relaxed);
	return counts;
}

void ResetPhonePathCounts() {
	fast_count.store(0, std::memory_order_relaxed);
	reference_count.store(0, std::memory_order_relaxed);
}

void CountPhonePath(bool fast) {
	(fast ? fast_count : reference_count).fetch_add(1, std::memory_order_relaxed);
}

} // namespace phone_internal

bool NormalizePhone(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out) {
	using phone_internal::FastResult;
	FastResult result = phone_internal::NormalizePhoneFast(raw, region, style, out);
	phone_internal::CountPhonePath(result != FastResult::kUndecided);
	if (result == FastResult::kUndecided)
		return NormalizePhoneReference(raw, region, style, out);
	return result == FastResult::kAccepted;
}

} // namespace capi::identity
