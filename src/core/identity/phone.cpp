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

// libphonenumber's extension digit limits (CreateExtnPattern): after "ext"-like labels and ";ext=",
// after ",," and ";" (auto-dialling), after "x", "#" and a single ",".
constexpr size_t kMaxDigitsAfterExplicitLabel = 20;
constexpr size_t kMaxDigitsAfterAutoDialling = 15;
constexpr size_t kMaxDigitsAfterAmbiguousLabel = 9;

bool IsAsciiDigit(unsigned char c) {
	return c >= '0' && c <= '9';
}
bool IsAsciiLetter(unsigned char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Whitespace controls: skipped before the number and trimmed after it, but not separators inside.
bool IsControlSpace(unsigned char c) {
	return c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Separators libphonenumber accepts between digits (kValidPunctuation, plus NBSP below) and removes
// when normalizing. None of them can start an extension.
bool IsSeparator(unsigned char c) {
	return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '[' || c == ']';
}

// Length of the UTF-8 sequence at raw[i] if it is one of the invisible or space characters that are
// neither digits, letters nor plus signs (so libphonenumber skips them before the number and trims
// them after it): U+00A0, U+2000..U+200B, U+202F, U+205F, U+3000, U+FEFF. 0 otherwise.
size_t UnicodeSpaceLength(std::string_view raw, size_t i) {
	auto byte = [&](size_t k) { return i + k < raw.size() ? static_cast<unsigned char>(raw[i + k]) : 0; };
	if (byte(0) == 0xC2 && byte(1) == 0xA0)
		return 2;
	if (byte(0) == 0xE2 && byte(1) == 0x80 && ((byte(2) >= 0x80 && byte(2) <= 0x8B) || byte(2) == 0xAF))
		return 3;
	if ((byte(0) == 0xE2 && byte(1) == 0x81 && byte(2) == 0x9F) ||
	    (byte(0) == 0xE3 && byte(1) == 0x80 && byte(2) == 0x80) ||
	    (byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF))
		return 3;
	return 0;
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
	std::string digits;     // of the number, without the extension
	bool plus = false;      // written after '+' (libphonenumber reads it as international)
	bool plus_sign = false; // a '+' anywhere: the reference then does not retry as "+digits"
	bool viable = false;    // libphonenumber's IsViablePhoneNumber on the extracted number
};

enum class Scanned {
	kNumber,   // ScannedNumber describes what libphonenumber reads
	kRejected, // libphonenumber finds no number and the reference does not retry
	kUnknown,  // not a modelled shape
};

// Mirrors ExtractPossibleNumber, TrimUnwantedEndChars, IsViablePhoneNumber, MaybeStripExtension and
// Normalize (with CreateExtnPattern's expressions) for inputs made of
//   a prefix without digits, '+' or ';' (dropped by libphonenumber, e.g. "tel:", spaces),
//   '+'*, then digits and separators (the number),
//   optionally an extension: "x", "ext", "ext.", "extn", "extension", "#" (any case), ";ext=",
//   ",", ",,", ";" followed by its digits, or " - 503#" (American style),
//   trailing characters that are neither digits, letters nor '#' (trimmed by libphonenumber).
class Scanner {
public:
	explicit Scanner(std::string_view raw) : raw_(raw) {}

	Scanned Scan(ScannedNumber &number) {
		if (raw_.size() > kMaxScannedInput || !SkipPrefix())
			return Scanned::kUnknown;
		while (At(i_) == '+') {
			number.plus = number.plus_sign = true;
			i_++;
		}
		ScanNumber(number);
		size_t count = number.digits.size();
		bool plus_in_tail = false;
		if (OnlyTrimmed(i_, &plus_in_tail)) {
			number.plus_sign |= plus_in_tail || plus_inside_;
			// A '+' with a digit after it, past the leading ones: the number is not viable, and the
			// '+' stops the reference's retry.
			if (plus_before_digit_)
				return Scanned::kRejected;
			// valid_phone_number_pattern: exactly two digits, or '+'* then at least three digits
			// with separators around them.
			number.viable = count >= 3 || (count == 2 && !number.plus && !separated_);
			return Scanned::kNumber;
		}
		if (plus_inside_ || count < 3)
			return Scanned::kUnknown;
		if (AmericanExtension(number) || Extension()) {
			// The number without its extension still needs its three digits to be viable.
			number.viable = number.digits.size() >= 3;
			return number.viable ? Scanned::kNumber : Scanned::kUnknown;
		}
		return Scanned::kUnknown;
	}

private:
	std::string_view raw_;
	size_t i_ = 0;
	// Facts about the number part, for the extension forms.
	bool separated_ = false;         // a separator between two digits
	bool pending_ = false;           // separators since the last digit
	bool slash_pending_ = false;     // a '/' among them (the "second number" cut "[\\/] *x")
	bool plus_inside_ = false;       // a '+' after the leading ones
	bool plus_before_digit_ = false; // ... followed by a digit
	size_t group_start_ = 0;         // index in digits of the last group of digits
	unsigned char before_group_ = 0; // the character before that group
	bool group_ascii_ = true;

	unsigned char At(size_t k) const { return k < raw_.size() ? static_cast<unsigned char>(raw_[k]) : 0; }

	// Up to the first digit or '+'. ';' could introduce an RFC 3966 phone-context, other non-ASCII
	// characters could be digits or plus signs.
	bool SkipPrefix() {
		while (i_ < raw_.size()) {
			unsigned char c = At(i_);
			if (IsAsciiDigit(c) || c == '+')
				return true;
			if (c >= 0x80) {
				if (FullWidthDigit(raw_, i_) >= 0)
					return true;
				size_t space = UnicodeSpaceLength(raw_, i_);
				if (space == 0)
					return false;
				i_ += space;
				continue;
			}
			if (c == 0x7F || c == ';' || (c < 0x20 && !IsControlSpace(c)))
				return false;
			i_++;
		}
		return true;
	}

	void AddDigit(ScannedNumber &number, char digit, bool ascii) {
		if (number.digits.empty() || pending_) {
			separated_ |= !number.digits.empty();
			group_start_ = number.digits.size();
			before_group_ = i_ > 0 ? At(i_ - 1) : 0;
			group_ascii_ = true;
		}
		group_ascii_ &= ascii;
		plus_before_digit_ |= plus_inside_;
		pending_ = slash_pending_ = false;
		number.digits.push_back(digit);
	}

	void ScanNumber(ScannedNumber &number) {
		while (i_ < raw_.size()) {
			unsigned char c = At(i_);
			if (IsAsciiDigit(c)) {
				AddDigit(number, static_cast<char>(c), true);
				i_++;
			} else if (IsSeparator(c) || c == '+') {
				pending_ = true;
				slash_pending_ |= c == '/';
				plus_inside_ |= c == '+';
				i_++;
			} else if (int full_width = FullWidthDigit(raw_, i_); full_width >= 0) {
				AddDigit(number, static_cast<char>('0' + full_width), false);
				i_ += 3;
			} else if (IsNoBreakSpace(raw_, i_)) {
				pending_ = true;
				i_ += 2;
			} else {
				return;
			}
		}
	}

	// True when raw_[from..] holds only characters TrimUnwantedEndChars removes (no digit, letter
	// or '#'), here limited to ASCII and the spaces above. Notes whether a '+' is among them.
	bool OnlyTrimmed(size_t from, bool *plus_sign) const {
		for (size_t k = from; k < raw_.size();) {
			unsigned char c = At(k);
			if (c >= 0x80) {
				size_t space = UnicodeSpaceLength(raw_, k);
				if (space == 0)
					return false;
				k += space;
				continue;
			}
			if (IsAsciiDigit(c) || IsAsciiLetter(c) || c == '#' || c == 0x7F ||
			    (c < 0x20 && !IsControlSpace(c)))
				return false;
			*plus_sign |= c == '+';
			k++;
		}
		return true;
	}

	bool EndsHere(size_t from) const {
		bool plus_sign = false;
		return OnlyTrimmed(from, &plus_sign) && !plus_sign;
	}

	void Skip(bool (*accepts)(unsigned char)) {
		while (i_ < raw_.size()) {
			if (IsNoBreakSpace(raw_, i_))
				i_ += 2;
			else if (accepts(At(i_)))
				i_++;
			else
				return;
		}
	}

	bool MatchLabel(const char *label) {
		size_t k = i_;
		for (const char *p = label; *p != 0; p++, k++) {
			if (k >= raw_.size() || (At(k) | 0x20) != static_cast<unsigned char>(*p))
				return false;
		}
		i_ = k;
		return true;
	}

	// "[- ]+(\d{1,6})#": the last group of digits, right before the '#'.
	bool AmericanExtension(ScannedNumber &number) {
		size_t length = number.digits.size() - group_start_;
		if (At(i_) != '#' || pending_ || !group_ascii_ || (before_group_ != '-' && before_group_ != ' ') ||
		    length > 6 || !EndsHere(i_ + 1))
			return false;
		number.digits.resize(group_start_);
		return true;
	}

	// The labelled forms. Their expression starts at the separators before the label, so the
	// number keeps all its digits.
	bool Extension() {
		size_t start = i_;
		Skip([](unsigned char c) { return c == ' ' || c == '\t' || c == ','; });
		size_t limit = kMaxDigitsAfterAmbiguousLabel;
		if (MatchLabel("extension") || MatchLabel("extn") || MatchLabel("ext")) {
			limit = kMaxDigitsAfterExplicitLabel;
		} else if (MatchLabel("x")) {
			if (slash_pending_)
				return false; // "(.*)[\\/] *x" would cut the input first
		} else if (!MatchLabel("#")) {
			return AutoDiallingExtension(start);
		}
		if (At(i_) == ':' || At(i_) == '.')
			i_++;
		Skip([](unsigned char c) { return c == ' ' || c == '\t' || c == ',' || c == '-'; });
		return Digits(limit) && EndsWithOptionalHash();
	}

	// ";ext=", and the comma and semicolon forms.
	bool AutoDiallingExtension(size_t start) {
		i_ = start;
		// RFC 3966 ";ext=" allows no separator before it (a tab would stay in the number and make
		// it not viable) and no '#' after.
		if (MatchLabel(";ext="))
			return Digits(kMaxDigitsAfterExplicitLabel) && EndsHere(i_);
		Skip([](unsigned char c) { return c == ' ' || c == '\t'; });
		size_t commas = 0;
		if (At(i_) == ';') {
			commas = 2; // like ",,"
			i_++;
		} else {
			while (At(i_) == ',') {
				commas++;
				i_++;
			}
		}
		if (commas == 0)
			return false;
		if (At(i_) == ':' || At(i_) == '.')
			i_++;
		// After a single comma, another comma could start a later ",," match: not modelled.
		if (commas >= 2)
			Skip([](unsigned char c) { return c == ' ' || c == '\t' || c == ',' || c == '-'; });
		else
			Skip([](unsigned char c) { return c == ' ' || c == '\t' || c == '-'; });
		return Digits(commas >= 2 ? kMaxDigitsAfterAutoDialling : kMaxDigitsAfterAmbiguousLabel) &&
		       EndsWithOptionalHash();
	}

	bool Digits(size_t limit) {
		size_t count = 0;
		while (IsAsciiDigit(At(i_))) {
			count++;
			i_++;
		}
		return count > 0 && count <= limit;
	}

	bool EndsWithOptionalHash() {
		if (At(i_) == '#')
			i_++;
		return EndsHere(i_);
	}
};

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
	Scanned shape = Scanner(raw).Scan(scanned);
	if (shape != Scanned::kNumber)
		return shape == Scanned::kRejected ? FastResult::kRejected : FastResult::kUndecided;
	int country_code = 0;
	std::string national;
	FastResult result = FastResult::kRejected;
	if (scanned.viable)
		result = ParseDigits(scanned.digits, scanned.plus, RegionCode(region), &country_code, &national);
	// The reference's retry as "+digits" (see phone_reference.cpp) when the input has no '+'.
	if (result == FastResult::kRejected && !scanned.plus_sign && scanned.digits.size() >= 3)
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
