// Text primitives shared by the identifier normalizers: trimming (ASCII and Unicode white space),
// full Unicode lowercase, NFC and NFKC through ICU, lookup keys, and character-class filtering.
//
// Every function has an ASCII fast path (plain byte loops, no allocation beyond the output string's
// capacity) and reaches ICU only when a byte >= 0x80 is present.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity::text {

constexpr bool IsAsciiUpper(char c) {
	return c >= 'A' && c <= 'Z';
}
constexpr bool IsAsciiLower(char c) {
	return c >= 'a' && c <= 'z';
}
constexpr bool IsAsciiDigit(char c) {
	return c >= '0' && c <= '9';
}
constexpr bool IsAsciiAlpha(char c) {
	return IsAsciiUpper(c) || IsAsciiLower(c);
}
constexpr bool IsAsciiAlnum(char c) {
	return IsAsciiAlpha(c) || IsAsciiDigit(c);
}
constexpr bool IsNonAscii(char c) {
	return static_cast<unsigned char>(c) >= 0x80;
}
constexpr char ToAsciiLower(char c) {
	return IsAsciiUpper(c) ? static_cast<char>(c - 'A' + 'a') : c;
}
constexpr char ToAsciiUpper(char c) {
	return IsAsciiLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
}

// Space, tab, CR, LF and every other C0 control character and DEL: white space to the normalizers.
constexpr bool IsAsciiSpaceOrControl(char c) {
	return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f;
}

// The 32 ASCII punctuation and symbol characters (POSIX [:punct:]): !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~
constexpr bool IsAsciiPunctuation(char c) {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
	       (c >= '{' && c <= '~');
}

bool IsAscii(std::string_view s) noexcept;

// Unicode format characters (general category Cf): invisible, yet they change bytes and hashes. Among
// them the bidirectional marks and embeddings a right-to-left context adds around an address or a
// number (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), ZERO WIDTH SPACE / NON-JOINER / JOINER
// (U+200B-U+200D), WORD JOINER (U+2060), BYTE ORDER MARK (U+FEFF) and SOFT HYPHEN (U+00AD).
// Returns s without them: s itself when it has none (always for ASCII), else a view of storage.
std::string_view StripFormatCharacters(std::string_view s, std::string &storage);

// Removes leading and trailing white space: ASCII space and control characters, every Unicode
// White_Space character (NBSP, ideographic space, ...), and the invisible ZERO WIDTH SPACE and BYTE
// ORDER MARK that copy-and-paste often carries along.
std::string_view Trim(std::string_view s) noexcept;

// True when s (UTF-8) contains a white space or control character anywhere.
bool ContainsSpace(std::string_view s) noexcept;

// True when s (UTF-8) contains at least one letter (ASCII or Unicode general category L).
bool ContainsLetter(std::string_view s) noexcept;

// Full Unicode lowercase with the root locale (so "İ" becomes "i̇" and a final "Σ" becomes "ς"),
// then Unicode NFC. out is replaced. Ill-formed UTF-8 becomes U+FFFD.
void LowerNfc(std::string_view s, std::string &out);

// As LowerNfc, without NFC: for opaque identifiers whose bytes must otherwise stay as given.
void Lower(std::string_view s, std::string &out);

// Unicode NFC only.
void Nfc(std::string_view s, std::string &out);

// Unicode NFKC: compatibility characters become the ordinary characters they stand for (full-width
// "ＪＯＨＮ＠" -> "JOHN@", half-width katakana -> katakana, ligature "ﬁ" -> "fi", "①" -> "1",
// superscripts, letter-like symbols, Arabic presentation forms). out is replaced.
void Nfkc(std::string_view s, std::string &out);

// NFKC, then full Unicode lowercase (root locale), then NFC: how text identifiers (emails, names,
// addresses) are read. Lowercase comes after NFKC because some compatibility characters (ℌ, 𝐉) have
// no lowercase of their own. out is replaced; ASCII input is only lowercased.
void LowerNfkc(std::string_view s, std::string &out);

// The letters of s as a key for looking names up in a table (countries, states, gender words,
// month names): case folded with NFKC_Casefold (so "ＴＥＸＡＳ", "TEXAS" and "texas" meet, and "ß"
// meets "ss"), accents and other marks removed (NFD without M*), modifier letters removed (the ʻokina
// of "Hawaiʻi"), "&" read as "and", everything else (spaces, punctuation, digits) dropped. key is
// replaced.
void LetterKey(std::string_view s, std::string &key);

// Which characters Clean keeps, besides white space (see Spaces).
enum class Keep {
	kAll,              // everything but control characters
	kNoPunctuation,    // drops Unicode punctuation (P*) and all 32 ASCII punctuation/symbol characters
	kLettersAndDigits, // only letters, combining marks and digits (Unicode L*, M*, N*)
};

enum class Spaces {
	kRemove,   // white space is dropped
	kCollapse, // runs of white space become one ASCII space; none at either end
};

// The normalization form Clean brings non-ASCII text to.
enum class Form {
	kAsGiven, // bytes kept (opaque identifiers)
	kNfc,     // Unicode NFC (input in NFD comes out composed)
	kNfkc,    // Unicode NFKC: also compatibility characters folded (full-width letters and digits, ...)
};

struct CleanRule {
	bool lowercase; // full Unicode lowercase (root locale), after the form's mapping
	Form form;
	Keep keep;
	Spaces spaces;
};

// Trims value and rewrites it by rule into out. Returns false (out empty) when nothing is left.
// value must not point into out.
bool Clean(std::string_view value, CleanRule rule, std::string &out);

// Removes white space, control characters and the characters keep rejects from s[begin, end) by moving
// the kept ones towards begin; returns the new end. s[new end, end) is left as garbage for the caller
// to erase. No lowercase or NFC.
std::size_t FilterInPlace(std::string &s, std::size_t begin, std::size_t end, Keep keep) noexcept;

} // namespace capi::identity::text

#include "core/cpp_only.hpp"
