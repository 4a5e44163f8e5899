// Modelled inputs:
//   a prefix without digits, '+' or ';' (libphonenumber drops it: "tel:", "Phone: ", spaces),
//   '+'*, then the number: digits (ASCII or full-width), separators, and after three digits
//   letters other than 'x' (vanity numbers, "(mobile)"),
//   optionally an extension: "x", "ext", "ext.", "extn", "extension", "#" (any case), ";ext=",
//   ",", ",,", ";" followed by its digits, or " - 503#" (American style),
//   trailing characters that are neither digits, letters nor '#' (TrimUnwantedEndChars removes them).
// Each rule below cites the libphonenumber 8.12 expression it mirrors (phonenumberutil.cc).
#include "core/identity/phone_scanner.hpp"

#include <array>
#include <cstdint>

#include <phonenumbers/phonenumberutil.h>

namespace capi::identity::phone_internal {
namespace {

// Longer inputs are left to the reference.
constexpr size_t kMaxScannedInput = 250;

// Extension digit limits (CreateExtnPattern): after "ext"-like labels and ";ext=", after ",," and
// ";" (auto-dialling), after "x", "#" and a single ",".
constexpr size_t kMaxDigitsAfterExplicitLabel = 20;
constexpr size_t kMaxDigitsAfterAutoDialling = 15;
constexpr size_t kMaxDigitsAfterAmbiguousLabel = 9;

// Letters turn into keypad digits once a number holds three of them (valid_alpha_phone_pattern).
constexpr size_t kMinLettersForAlphaNumber = 3;

enum CharClass : uint8_t {
	kOther,        // other ASCII punctuation: trimmed at the end, not allowed inside a number
	kDigit,        // 0-9
	kSeparator,    // kValidPunctuation's ASCII members other than 'x': space - . ( ) / [ ]
	kPlus,         // +
	kLetter,       // ASCII letters except x and X
	kLetterX,      // x and X: punctuation, extension label and "second number" marker
	kHash,         // #: extension label and suffix, kept by TrimUnwantedEndChars
	kSemicolon,    // ;: RFC 3966 parameters and an extension label
	kControlSpace, // \t \n \f \r: allowed around the number (Unicode "interchange valid")
	kBadControl,   // other C0 controls and DEL: libphonenumber rejects the whole input
	kNonAscii,
};

constexpr std::array<uint8_t, 256> MakeCharClasses() {
	std::array<uint8_t, 256> classes{};
	for (int c = 0; c < 256; c++) {
		uint8_t cls = kOther;
		if (c >= 0x80)
			cls = kNonAscii;
		else if (c < 0x20 || c == 0x7F)
			cls = (c == '\t' || c == '\n' || c == '\f' || c == '\r') ? kControlSpace : kBadControl;
		else if (c >= '0' && c <= '9')
			cls = kDigit;
		else if (c == 'x' || c == 'X')
			cls = kLetterX;
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
			cls = kLetter;
		else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '[' || c == ']')
			cls = kSeparator;
		else if (c == '+')
			cls = kPlus;
		else if (c == '#')
			cls = kHash;
		else if (c == ';')
			cls = kSemicolon;
		classes[c] = cls;
	}
	return classes;
}

constexpr std::array<uint8_t, 256> kCharClasses = MakeCharClasses();

// The keypad digit of each ASCII letter, taken from libphonenumber (ConvertAlphaCharactersInNumber).
const std::array<char, 128> &KeypadDigits() {
	static const std::array<char, 128> *digits = [] {
		auto *table = new std::array<char, 128>();
		const auto &util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
		for (int c = 0; c < 128; c++) {
			if (kCharClasses[c] != kLetter && kCharClasses[c] != kLetterX)
				continue;
			std::string letter(1, static_cast<char>(c));
			util.ConvertAlphaCharactersInNumber(&letter);
			(*table)[c] = letter.size() == 1 && letter[0] >= '0' && letter[0] <= '9' ? letter[0] : 0;
		}
		return table;
	}();
	return *digits;
}

// Length of the UTF-8 sequence at raw[i] if it is one of the invisible or space characters that are
// neither digits, letters nor plus signs (libphonenumber skips them before the number and trims them
// after it): U+00A0, U+2000..U+200B, U+202F, U+205F, U+3000, U+FEFF. 0 otherwise.
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

// U+00A0, the only non-ASCII member of kValidPunctuation modelled inside numbers.
bool IsNoBreakSpace(std::string_view raw, size_t i) {
	return i + 1 < raw.size() && static_cast<unsigned char>(raw[i]) == 0xC2 &&
	       static_cast<unsigned char>(raw[i + 1]) == 0xA0;
}

// Full-width digits U+FF10..U+FF19 (EF BC 90..99), which Normalize turns into ASCII digits.
int FullWidthDigit(std::string_view raw, size_t i) {
	if (i + 2 < raw.size() && static_cast<unsigned char>(raw[i]) == 0xEF &&
	    static_cast<unsigned char>(raw[i + 1]) == 0xBC) {
		unsigned char last = static_cast<unsigned char>(raw[i + 2]);
		if (last >= 0x90 && last <= 0x99)
			return last - 0x90;
	}
	return -1;
}

class Scanner {
public:
	explicit Scanner(std::string_view raw) : raw_(raw) {}

	Scanned Scan(ScannedNumber &number) {
		if (raw_.size() > kMaxScannedInput || !SkipPrefix())
			return Scanned::kUnknown;
		body_start_ = i_;
		while (At(i_) == '+') {
			number.plus = number.plus_sign = true;
			i_++;
		}
		ScanNumber(number);
		number.first_parse_fails = invalid_prefix_;
		if (early_letter_) {
			// A letter before the third digit: valid_phone_number_pattern cannot match, neither
			// here nor in the reference's "+digits" retry; unless 'x' (punctuation, and the
			// "second number" cut) or ';' (RFC 3966) change the text first.
			return HasAny(body_start_, 'x', 'X', ';') ? Scanned::kUnknown : Scanned::kRejected;
		}
		size_t count = number.digits.size();
		bool plus_in_tail = false;
		if (OnlyTrimmed(i_, &plus_in_tail)) {
			number.plus_sign |= plus_in_tail || plus_inside_;
			// A '+' after the leading ones with a digit after it: not viable, and the '+' stops the
			// reference's retry.
			if (plus_before_digit_)
				return Scanned::kRejected;
			// Likewise a '+' with a letter after it (letters are not trimmed): not modelled, the
			// reference answers (found by fuzz/phone_fuzz).
			if (plus_before_letter_)
				return Scanned::kUnknown;
			if (letters_ > 0) {
				if (ContainsInt())
					return Scanned::kUnknown; // "int" is an extension label
				// Normalize: with three letters or more, letters become keypad digits and every
				// character that is neither an ASCII letter nor an ASCII digit is dropped.
				if (letters_ >= kMinLettersForAlphaNumber)
					number.digits.swap(alpha_digits_);
			}
			// valid_phone_number_pattern: exactly two digits, or '+'* then at least three digits
			// with separators around them.
			number.viable = count >= 3 || (count == 2 && !number.plus && !separated_);
			return Scanned::kNumber;
		}
		if (StopsAtBadControl())
			return Scanned::kRejected;
		if (plus_inside_ || letters_ > 0 || count < 3)
			return Scanned::kUnknown;
		if (AmericanExtension(number) || Extension()) {
			// The number without its extension needs its three digits to be viable.
			number.viable = number.digits.size() >= 3;
			return number.viable ? Scanned::kNumber : Scanned::kUnknown;
		}
		return Scanned::kUnknown;
	}

private:
	std::string_view raw_;
	size_t i_ = 0;
	size_t body_start_ = 0;
	bool invalid_prefix_ = false; // a control character that is not "interchange valid" before it
	// Facts about the number part.
	bool separated_ = false;          // a separator between two digits
	bool pending_ = false;            // separators since the last digit
	bool slash_pending_ = false;      // a '/' among them (the "second number" cut "[\\/] *x")
	bool plus_inside_ = false;        // a '+' after the leading ones
	bool plus_before_digit_ = false;  // ... followed by a digit
	bool plus_before_letter_ = false; // ... followed by a letter
	bool early_letter_ = false;       // a letter before the third digit
	size_t letters_ = 0;
	std::string alpha_digits_;       // Normalize's result when letters_ >= 3
	size_t group_start_ = 0;         // index in digits of the last group of digits
	unsigned char before_group_ = 0; // the character before that group
	bool group_ascii_ = true;

	unsigned char At(size_t k) const { return k < raw_.size() ? static_cast<unsigned char>(raw_[k]) : 0; }
	uint8_t Class(size_t k) const { return kCharClasses[At(k)]; }

	// Up to the first digit or '+' (valid_start_char_pattern). ';' could introduce an RFC 3966
	// phone-context; other non-ASCII characters could be digits or plus signs.
	bool SkipPrefix() {
		while (i_ < raw_.size()) {
			switch (Class(i_)) {
			case kDigit:
			case kPlus:
				return true;
			case kNonAscii: {
				if (FullWidthDigit(raw_, i_) >= 0)
					return true;
				size_t space = UnicodeSpaceLength(raw_, i_);
				if (space == 0)
					return false;
				i_ += space;
				break;
			}
			case kSemicolon:
				return false;
			case kBadControl:
				// libphonenumber then reads nothing from the input; only its "+digits" retry,
				// which starts at the first digit, can find the number.
				invalid_prefix_ = true;
				i_++;
				break;
			default:
				i_++;
			}
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
		if (ascii)
			alpha_digits_.push_back(digit);
	}

	void ScanNumber(ScannedNumber &number) {
		while (i_ < raw_.size()) {
			unsigned char c = At(i_);
			switch (kCharClasses[c]) {
			case kDigit:
				AddDigit(number, static_cast<char>(c), true);
				i_++;
				break;
			case kSeparator:
			case kPlus:
				pending_ = true;
				slash_pending_ |= c == '/';
				plus_inside_ |= c == '+';
				i_++;
				break;
			case kLetter: {
				// A word with an 'x' may be an extension label ("ext"): left to the tail.
				size_t end = i_;
				bool has_x = false;
				for (; Class(end) == kLetter || Class(end) == kLetterX; end++)
					has_x |= Class(end) == kLetterX;
				if (has_x)
					return;
				if (number.digits.size() < 3) {
					early_letter_ = true;
					return;
				}
				plus_before_letter_ |= plus_inside_;
				for (; i_ < end; i_++) {
					letters_++;
					alpha_digits_.push_back(KeypadDigits()[At(i_)]);
				}
				pending_ = true;
				break;
			}
			case kNonAscii:
				if (int full_width = FullWidthDigit(raw_, i_); full_width >= 0) {
					AddDigit(number, static_cast<char>('0' + full_width), false);
					i_ += 3;
				} else if (IsNoBreakSpace(raw_, i_)) {
					pending_ = true;
					i_ += 2;
				} else {
					return;
				}
				break;
			default:
				return;
			}
		}
	}

	// True when raw_[from..] holds only characters TrimUnwantedEndChars removes ("[^\p{N}\p{L}#]"),
	// here limited to ASCII and the spaces above. Notes whether a '+' is among them.
	bool OnlyTrimmed(size_t from, bool *plus_sign) const {
		for (size_t k = from; k < raw_.size();) {
			switch (Class(k)) {
			case kNonAscii: {
				size_t space = UnicodeSpaceLength(raw_, k);
				if (space == 0)
					return false;
				k += space;
				break;
			}
			case kOther:
			case kSeparator:
			case kSemicolon:
			case kControlSpace:
				k++;
				break;
			case kPlus:
				*plus_sign = true;
				k++;
				break;
			default:
				return false;
			}
		}
		return true;
	}

	// A control character that is not "interchange valid" (UniLib) past the prefix: libphonenumber
	// reads no number from the input, nor from the reference's retry, unless ';' makes it RFC 3966.
	bool StopsAtBadControl() const {
		if (HasAny(0, ';', ';', ';'))
			return false;
		for (size_t k = body_start_; k < raw_.size(); k++) {
			if (Class(k) == kBadControl)
				return true;
		}
		return false;
	}

	bool HasAny(size_t from, char a, char b, char c) const {
		for (size_t k = from; k < raw_.size(); k++) {
			if (raw_[k] == a || raw_[k] == b || raw_[k] == c)
				return true;
		}
		return false;
	}

	bool ContainsInt() const {
		for (size_t k = body_start_; k + 2 < i_; k++) {
			if ((At(k) | 0x20) == 'i' && (At(k + 1) | 0x20) == 'n' && (At(k + 2) | 0x20) == 't')
				return true;
		}
		return false;
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

	// The labelled forms: "[ \xC2\xA0\t,]*" label "[:\.．]?[ \xC2\xA0\t,-]*" digits "#?". The match
	// starts at the separators before the label, so the number keeps all its digits.
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

	// ";ext=" digits, and "[ \xC2\xA0\t]*(?:,{2}|;)" or "[ \xC2\xA0\t]*(?:,)+" then the digits.
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
		while (Class(i_) == kDigit) {
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

Scanned ScanPhoneInput(std::string_view raw, ScannedNumber &number) {
	return Scanner(raw).Scan(number);
}

} // namespace capi::identity::phone_internal
