#include "core/identity/unicode_text.hpp"

#include <cstdint>
#include <cstring>

#include <unicode/bytestream.h>
#include <unicode/casemap.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/error.hpp"

namespace capi::identity::text {
namespace {

// Per-thread scratch strings that keep their capacity between calls. Leaked on purpose: no C++ object
// with a destructor may live in static storage inside a PostgreSQL backend.
enum ScratchSlot { kCleanScratch, kLowerScratch, kCompatibilityScratch, kKeyScratch, kScratchSlots };

std::string &Scratch(ScratchSlot slot) {
	static thread_local std::string *buffers = new std::string[kScratchSlots];
	return buffers[slot];
}

[[noreturn]] void ThrowIcuError(const char *what, UErrorCode status) {
	throw Error(sqlstate::kInternalError, std::string("ICU ") + what + " failed: " + u_errorName(status));
}

const icu::Normalizer2 &NfcNormalizer() {
	// Owned by ICU (a process-wide singleton), fetched once.
	static const icu::Normalizer2 *nfc = [] {
		UErrorCode status = U_ZERO_ERROR;
		const icu::Normalizer2 *instance = icu::Normalizer2::getNFCInstance(status);
		if (U_FAILURE(status))
			ThrowIcuError("NFC normalizer", status);
		return instance;
	}();
	return *nfc;
}

// NFKC and NFKC_Casefold are ICU singletons too, fetched once.
const icu::Normalizer2 &NfkcNormalizer() {
	static const icu::Normalizer2 *nfkc = [] {
		UErrorCode status = U_ZERO_ERROR;
		const icu::Normalizer2 *instance = icu::Normalizer2::getNFKCInstance(status);
		if (U_FAILURE(status))
			ThrowIcuError("NFKC normalizer", status);
		return instance;
	}();
	return *nfkc;
}

const icu::Normalizer2 &NfkcCasefoldNormalizer() {
	static const icu::Normalizer2 *nfkc_cf = [] {
		UErrorCode status = U_ZERO_ERROR;
		const icu::Normalizer2 *instance = icu::Normalizer2::getNFKCCasefoldInstance(status);
		if (U_FAILURE(status))
			ThrowIcuError("NFKC_Casefold normalizer", status);
		return instance;
	}();
	return *nfkc_cf;
}

const icu::Normalizer2 &NfdNormalizer() {
	static const icu::Normalizer2 *nfd = [] {
		UErrorCode status = U_ZERO_ERROR;
		const icu::Normalizer2 *instance = icu::Normalizer2::getNFDInstance(status);
		if (U_FAILURE(status))
			ThrowIcuError("NFD normalizer", status);
		return instance;
	}();
	return *nfd;
}

// out = normalizer(s); s must not be out.
void Apply(const icu::Normalizer2 &normalizer, const char *what, std::string_view s, std::string &out) {
	out.clear();
	icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(s.size()));
	UErrorCode status = U_ZERO_ERROR;
	normalizer.normalizeUTF8(0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink, nullptr,
	                         status);
	if (U_FAILURE(status))
		ThrowIcuError(what, status);
}

bool IsNormalized(const icu::Normalizer2 &normalizer, std::string_view s) {
	UErrorCode status = U_ZERO_ERROR;
	const bool normalized =
	    normalizer.isNormalizedUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), status);
	return normalized && U_SUCCESS(status);
}

// White space for every normalizer: controls (C0, DEL, C1), Unicode White_Space, ZWSP and BOM.
bool IsSpaceLike(UChar32 c) {
	if (c < 0x80)
		return IsAsciiSpaceOrControl(static_cast<char>(c));
	return c <= 0x9f || c == 0x200b || c == 0xfeff || u_isUWhiteSpace(c);
}

bool Keeps(Keep keep, UChar32 c) {
	if (c < 0x80) {
		char ascii = static_cast<char>(c);
		switch (keep) {
		case Keep::kAll:
			return true;
		case Keep::kNoPunctuation:
			return !IsAsciiPunctuation(ascii);
		case Keep::kLettersAndDigits:
			return IsAsciiAlnum(ascii);
		}
		return true;
	}
	uint32_t category = U_GET_GC_MASK(c);
	switch (keep) {
	case Keep::kAll:
		return true;
	case Keep::kNoPunctuation:
		return (category & U_GC_P_MASK) == 0 && c != 0xad; // U+00AD SOFT HYPHEN is invisible punctuation
	case Keep::kLettersAndDigits:
		return (category & (U_GC_L_MASK | U_GC_M_MASK | U_GC_N_MASK)) != 0;
	}
	return true;
}

void LowerAsciiInPlace(std::string &s) {
	for (char &c : s)
		c = ToAsciiLower(c);
}

bool CleanAscii(std::string_view value, CleanRule rule, std::string &out) {
	out.resize(value.size());
	char *begin = out.data();
	char *p = begin;
	bool pending_space = false;
	for (char c : value) {
		if (IsAsciiSpaceOrControl(c)) {
			pending_space = true;
			continue;
		}
		if (rule.keep == Keep::kNoPunctuation && IsAsciiPunctuation(c))
			continue;
		if (rule.keep == Keep::kLettersAndDigits && !IsAsciiAlnum(c))
			continue;
		if (pending_space && rule.spaces == Spaces::kCollapse && p != begin)
			*p++ = ' ';
		pending_space = false;
		*p++ = rule.lowercase ? ToAsciiLower(c) : c;
	}
	out.resize(static_cast<std::size_t>(p - begin));
	return p != begin;
}

bool CleanUnicode(std::string_view value, CleanRule rule, std::string &out) {
	std::string &transformed = Scratch(kCleanScratch);
	switch (rule.form) {
	case Form::kNfkc:
		if (rule.lowercase)
			LowerNfkc(value, transformed);
		else
			Nfkc(value, transformed);
		break;
	case Form::kNfc:
		if (rule.lowercase)
			LowerNfc(value, transformed);
		else
			Nfc(value, transformed);
		break;
	case Form::kAsGiven:
		if (rule.lowercase)
			Lower(value, transformed);
		else
			transformed.assign(value);
		break;
	}

	// The result is never longer than the transformed text (collapsing only shortens white space).
	out.resize(transformed.size());
	char *const begin = out.data();
	char *p = begin;
	const char *s = transformed.data();
	const auto length = static_cast<int32_t>(transformed.size());
	bool pending_space = false;
	for (int32_t i = 0; i < length;) {
		const int32_t start = i;
		UChar32 c = static_cast<unsigned char>(s[i]);
		if (c < 0x80)
			i++;
		else
			U8_NEXT(s, i, length, c);
		if (c < 0)
			continue; // an ill-formed sequence is dropped
		if (IsSpaceLike(c)) {
			pending_space = true;
			continue;
		}
		if (!Keeps(rule.keep, c))
			continue;
		if (pending_space && rule.spaces == Spaces::kCollapse && p != begin)
			*p++ = ' ';
		pending_space = false;
		for (int32_t j = start; j < i; j++)
			*p++ = s[j];
	}
	out.resize(static_cast<std::size_t>(p - begin));
	return p != begin;
}

} // namespace

bool IsAscii(std::string_view s) noexcept {
	const char *p = s.data();
	std::size_t n = s.size();
	uint64_t high_bits = 0;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t word;
		std::memcpy(&word, p, 8);
		high_bits |= word;
	}
	for (; n > 0; p++, n--)
		high_bits |= static_cast<unsigned char>(*p);
	return (high_bits & 0x8080808080808080ULL) == 0;
}

std::string_view StripFormatCharacters(std::string_view s, std::string &storage) {
	if (IsAscii(s))
		return s; // every format character is outside ASCII
	const auto length = static_cast<int32_t>(s.size());
	bool copying = false;
	for (int32_t i = 0; i < length;) {
		const int32_t start = i;
		if (!IsNonAscii(s[i])) {
			if (copying)
				storage.push_back(s[i]);
			i++;
			continue;
		}
		UChar32 c;
		U8_NEXT(s.data(), i, length, c);
		const bool format = c >= 0 && u_charType(c) == U_FORMAT_CHAR;
		if (format && !copying) {
			storage.assign(s.data(), static_cast<std::size_t>(start));
			copying = true;
		} else if (!format && copying) {
			storage.append(s.data() + start, static_cast<std::size_t>(i - start)); // ill-formed bytes too
		}
	}
	return copying ? std::string_view(storage) : s;
}

std::string_view Trim(std::string_view s) noexcept {
	while (!s.empty()) {
		char c = s.front();
		if (!IsNonAscii(c)) {
			if (!IsAsciiSpaceOrControl(c))
				break;
			s.remove_prefix(1);
			continue;
		}
		int32_t i = 0;
		UChar32 cp;
		U8_NEXT(s.data(), i, static_cast<int32_t>(s.size()), cp);
		if (cp < 0 || !IsSpaceLike(cp))
			break;
		s.remove_prefix(static_cast<std::size_t>(i));
	}
	while (!s.empty()) {
		char c = s.back();
		if (!IsNonAscii(c)) {
			if (!IsAsciiSpaceOrControl(c))
				break;
			s.remove_suffix(1);
			continue;
		}
		auto i = static_cast<int32_t>(s.size());
		UChar32 cp;
		U8_PREV(s.data(), 0, i, cp);
		if (cp < 0 || !IsSpaceLike(cp))
			break;
		s.remove_suffix(s.size() - static_cast<std::size_t>(i));
	}
	return s;
}

bool ContainsSpace(std::string_view s) noexcept {
	const auto length = static_cast<int32_t>(s.size());
	for (int32_t i = 0; i < length;) {
		UChar32 c;
		U8_NEXT(s.data(), i, length, c);
		if (c >= 0 && IsSpaceLike(c))
			return true;
	}
	return false;
}

bool ContainsLetter(std::string_view s) noexcept {
	const auto length = static_cast<int32_t>(s.size());
	for (int32_t i = 0; i < length;) {
		if (!IsNonAscii(s[i])) {
			if (IsAsciiAlpha(s[i++]))
				return true;
			continue;
		}
		UChar32 c;
		U8_NEXT(s.data(), i, length, c);
		if (c < 0)
			continue;
		if (c < 0x80 ? IsAsciiAlpha(static_cast<char>(c)) : (U_GET_GC_MASK(c) & U_GC_L_MASK) != 0)
			return true;
	}
	return false;
}

void Lower(std::string_view s, std::string &out) {
	if (IsAscii(s)) {
		out.assign(s);
		LowerAsciiInPlace(out);
		return;
	}
	out.clear();
	icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(s.size()));
	UErrorCode status = U_ZERO_ERROR;
	// "" is the root locale: language-neutral full case mapping (nullptr would mean the process locale).
	icu::CaseMap::utf8ToLower("", 0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink,
	                          nullptr, status);
	if (U_FAILURE(status))
		ThrowIcuError("lowercase", status);
}

void Nfc(std::string_view s, std::string &out) {
	if (IsAscii(s)) {
		out.assign(s); // ASCII is always in NFC
		return;
	}
	out.clear();
	icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(s.size()));
	UErrorCode status = U_ZERO_ERROR;
	NfcNormalizer().normalizeUTF8(0, icu::StringPiece(s.data(), static_cast<int32_t>(s.size())), sink,
	                              nullptr, status);
	if (U_FAILURE(status))
		ThrowIcuError("NFC normalization", status);
}

void Nfkc(std::string_view s, std::string &out) {
	if (IsAscii(s)) {
		out.assign(s); // ASCII is always in NFKC
		return;
	}
	if (IsNormalized(NfkcNormalizer(), s)) {
		out.assign(s);
		return;
	}
	Apply(NfkcNormalizer(), "NFKC normalization", s, out);
}

void LowerNfkc(std::string_view s, std::string &out) {
	if (IsAscii(s) || IsNormalized(NfkcNormalizer(), s)) {
		LowerNfc(s, out); // usually: nothing to fold
		return;
	}
	std::string &folded = Scratch(kCompatibilityScratch);
	Apply(NfkcNormalizer(), "NFKC normalization", s, folded);
	LowerNfc(folded, out);
}

void LetterKey(std::string_view s, std::string &key) {
	key.clear();
	if (IsAscii(s)) {
		for (char c : s) {
			if (IsAsciiAlpha(c))
				key.push_back(ToAsciiLower(c));
			else if (c == '&')
				key += "and";
		}
		return;
	}
	std::string &folded = Scratch(kCompatibilityScratch);
	Apply(NfkcCasefoldNormalizer(), "NFKC_Casefold normalization", s, folded);
	std::string &decomposed = Scratch(kKeyScratch);
	Apply(NfdNormalizer(), "NFD normalization", folded, decomposed);
	const char *p = decomposed.data();
	const auto length = static_cast<int32_t>(decomposed.size());
	for (int32_t i = 0; i < length;) {
		const int32_t start = i;
		UChar32 c;
		U8_NEXT(p, i, length, c);
		if (c == '&') {
			key += "and";
			continue;
		}
		// Letters other than modifier letters; marks (accents) and everything else are dropped.
		if (c >= 0 && (U_GET_GC_MASK(c) & U_GC_L_MASK) != 0 && u_charType(c) != U_MODIFIER_LETTER)
			key.append(p + start, static_cast<std::size_t>(i - start));
	}
}

void LowerNfc(std::string_view s, std::string &out) {
	if (IsAscii(s)) {
		out.assign(s);
		LowerAsciiInPlace(out);
		return;
	}
	// Lowercase first, then compose: the result is in NFC whatever the input's normalization form.
	std::string &lowered = Scratch(kLowerScratch);
	Lower(s, lowered);
	UErrorCode status = U_ZERO_ERROR;
	if (NfcNormalizer().isNormalizedUTF8(
	        icu::StringPiece(lowered.data(), static_cast<int32_t>(lowered.size())), status) &&
	    U_SUCCESS(status)) {
		out.swap(lowered); // usually: lowercase text that was in NFC still is
		return;
	}
	Nfc(lowered, out);
}

std::size_t FilterInPlace(std::string &s, std::size_t begin, std::size_t end, Keep keep) noexcept {
	char *data = s.data();
	std::size_t write = begin;
	const auto length = static_cast<int32_t>(end);
	for (auto read = static_cast<int32_t>(begin); read < length;) {
		if (!IsNonAscii(data[read])) { // ASCII fast path
			const char c = data[read++];
			if (!IsAsciiSpaceOrControl(c) && Keeps(keep, static_cast<UChar32>(c)))
				data[write++] = c;
			continue;
		}
		int32_t start = read;
		UChar32 c;
		U8_NEXT(data, read, length, c);
		if (c < 0 || IsSpaceLike(c) || !Keeps(keep, c))
			continue;
		for (int32_t i = start; i < read; i++) // write <= start: moving left never overwrites unread bytes
			data[write++] = data[i];
	}
	return write;
}

bool Clean(std::string_view value, CleanRule rule, std::string &out) {
	value = Trim(value);
	if (value.empty()) {
		out.clear();
		return false;
	}
	return IsAscii(value) ? CleanAscii(value, rule, out) : CleanUnicode(value, rule, out);
}

} // namespace capi::identity::text
