#include "core/cpp_only.hpp"
#include "core/outbox/raw_pii_scan.hpp"

#include <string>

#include "core/identity/field.hpp"

namespace capi::outbox {
namespace {

bool IsAsciiLetter(char c) {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsAsciiDigit(char c) {
	return c >= '0' && c <= '9';
}
bool IsNonAscii(char c) {
	return static_cast<unsigned char>(c) >= 0x80;
}

// A character that can end the local part of an address (RFC 5322 atext, dot, UTF-8 of RFC 6531).
bool IsLocalCharacter(char c) {
	if (IsAsciiLetter(c) || IsAsciiDigit(c) || IsNonAscii(c))
		return true;
	for (char special : std::string_view("!#$%&'*+-/=?^_`{|}~."))
		if (c == special)
			return true;
	return false;
}

// A character of a domain name (labels, dots; non-ASCII for internationalized names).
bool IsDomainCharacter(char c) {
	return IsAsciiLetter(c) || IsAsciiDigit(c) || IsNonAscii(c) || c == '-' || c == '.';
}

bool EqualsIgnoringCase(std::string_view text, std::string_view lower) {
	if (text.size() != lower.size())
		return false;
	for (std::size_t i = 0; i < text.size(); ++i)
		if ((text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]) != lower[i])
			return false;
	return true;
}

// File extensions that follow '@' in names such as "logo@2x.png" and are not top-level domains.
bool IsFileExtension(std::string_view label) {
	constexpr std::string_view kExtensions[] = {"png", "jpg",  "jpeg", "gif",  "svg",  "webp", "avif",
	                                            "bmp", "ico",  "tif",  "tiff", "css",  "js",   "json",
	                                            "htm", "html", "php",  "asp",  "aspx", "pdf",  "txt"};
	for (std::string_view extension : kExtensions)
		if (EqualsIgnoringCase(label, extension))
			return true;
	return false;
}

// True when label begins with a top-level domain: two or more ASCII letters or non-ASCII bytes (an
// IDN), ending the label or followed by '-' (an address glued to "-7" in an id), or "xn--" punycode.
bool StartsWithTopLevelLabel(std::string_view label) {
	if (label.size() > 4 && EqualsIgnoringCase(label.substr(0, 4), "xn--"))
		return true;
	bool ascii = IsAsciiLetter(label[0]);
	std::size_t length = 0;
	while (length < label.size() && (ascii ? IsAsciiLetter(label[length]) : IsNonAscii(label[length])))
		++length;
	if (length < 2 || (length < label.size() && label[length] != '-'))
		return false;
	return !IsFileExtension(label.substr(0, length));
}

// run: the maximal run of domain characters after '@'. True when it starts with a host name: a
// non-empty label, then dot-separated non-empty labels up to one that starts with a top-level domain.
// One pass over the labels.
bool StartsWithEmailDomain(std::string_view run) {
	std::size_t label_start = 0;
	bool after_first_label = false;
	for (std::size_t i = 0; i <= run.size(); ++i) {
		if (i < run.size() && run[i] != '.')
			continue;
		std::string_view label = run.substr(label_start, i - label_start);
		if (label.empty())
			return false; // a leading dot or ".."
		if (after_first_label && StartsWithTopLevelLabel(label))
			return true;
		after_first_label = true;
		label_start = i + 1;
	}
	return false;
}

// One pass: each '@' looks one character back and over the domain run after it; the next search
// starts where that run ended, so no byte is looked at more than twice.
bool ScanForEmail(std::string_view text) {
	std::size_t at = text.find('@');
	while (at != std::string_view::npos) {
		std::size_t end = at + 1;
		while (end < text.size() && IsDomainCharacter(text[end]))
			++end;
		if (at > 0 && IsLocalCharacter(text[at - 1]) &&
		    StartsWithEmailDomain(text.substr(at + 1, end - at - 1)))
			return true;
		at = text.find('@', end);
	}
	return false;
}

int HexValue(char c) {
	if (IsAsciiDigit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

// Decodes %XX escapes into out (other bytes are copied); returns whether any was decoded.
bool PercentDecode(std::string_view text, std::string &out) {
	out.clear();
	out.reserve(text.size());
	bool decoded = false;
	for (std::size_t i = 0; i < text.size(); ++i) {
		int high = -1, low = -1;
		if (text[i] == '%' && i + 2 < text.size() && (high = HexValue(text[i + 1])) >= 0 &&
		    (low = HexValue(text[i + 2])) >= 0) {
			out += static_cast<char>(high * 16 + low);
			i += 2;
			decoded = true;
		} else {
			out += text[i];
		}
	}
	return decoded;
}

} // namespace

bool ContainsEmailAddress(std::string_view text) {
	if (ScanForEmail(text))
		return true;
	if (text.find('%') == std::string_view::npos)
		return false;
	std::string once, twice;
	if (!PercentDecode(text, once))
		return false;
	if (ScanForEmail(once))
		return true;
	return PercentDecode(once, twice) && ScanForEmail(twice);
}

bool IsPersonalIdentifierKey(std::string_view key) noexcept {
	std::optional<identity::Field> field = identity::FindField(key);
	if (!field)
		return false;
	switch (*field) {
	case identity::Field::kEmail:
	case identity::Field::kPhone:
	case identity::Field::kFirstName:
	case identity::Field::kLastName:
	case identity::Field::kDateOfBirth:
	case identity::Field::kStreet:
	case identity::Field::kExternalId:
		return true;
	default: // city, state, zip, country, gender: products and stores have them too
		return false;
	}
}

} // namespace capi::outbox
