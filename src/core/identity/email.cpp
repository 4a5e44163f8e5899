#include "core/identity/email.hpp"

#include <array>
#include <cstdint>

#include "core/identity/input_limits.hpp"
#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// Character classes of an address, one table lookup per byte.
enum : uint8_t {
	kLocal = 1,  // allowed in the local part besides '.': letters, digits and RFC 5322 "atext" symbols
	kDomain = 2, // allowed in a domain label: letters, digits, '-'
	kDigit = 4,
};

constexpr std::array<uint8_t, 256> MakeClasses() {
	std::array<uint8_t, 256> classes{};
	for (int c = 0; c < 256; c++) {
		const char ch = static_cast<char>(c);
		if (text::IsAsciiAlnum(ch))
			classes[c] = kLocal | kDomain;
		if (text::IsAsciiDigit(ch))
			classes[c] |= kDigit;
		if (c >= 0x80) // UTF-8 of internationalized addresses; white space inside is rejected separately
			classes[c] = kLocal | kDomain;
	}
	for (char ch : std::string_view("!#$%&'*+-/=?^_`{|}~"))
		classes[static_cast<unsigned char>(ch)] |= kLocal;
	classes['-'] |= kDomain;
	return classes;
}

constexpr std::array<uint8_t, 256> kClasses = MakeClasses();

uint8_t ClassOf(char c) {
	return kClasses[static_cast<unsigned char>(c)];
}

bool IsPlausibleLocalPart(std::string_view local) {
	if (local.empty() || local.front() == '.' || local.back() == '.')
		return false;
	char previous = 0;
	for (char c : local) {
		if (c == '.') {
			if (previous == '.')
				return false;
		} else if ((ClassOf(c) & kLocal) == 0) {
			return false;
		}
		previous = c;
	}
	return true;
}

// At least two non-empty labels; the last one has 2+ characters and is not all digits.
bool IsPlausibleDomain(std::string_view domain) {
	std::size_t labels = 0;
	std::size_t label_length = 0;
	bool label_all_digits = true;
	for (char c : domain) {
		if (c == '.') {
			if (label_length == 0)
				return false;
			labels++;
			label_length = 0;
			label_all_digits = true;
			continue;
		}
		const uint8_t cls = ClassOf(c);
		if ((cls & kDomain) == 0)
			return false;
		label_length++;
		label_all_digits = label_all_digits && (cls & kDigit) != 0;
	}
	return labels >= 1 && label_length >= 2 && !label_all_digits;
}

bool IsGmail(std::string_view domain) {
	return domain == "gmail.com" || domain == "googlemail.com";
}

bool Fail(std::string &out) {
	out.clear();
	return false;
}

// ASCII: one pass copying, lowercasing and dropping (Google) or refusing (others) white space.
bool CopyLowerAscii(std::string_view value, EmailRule rule, std::string &out) {
	out.resize(value.size());
	char *begin = out.data();
	char *p = begin;
	for (char c : value) {
		if (text::IsAsciiSpaceOrControl(c)) {
			if (rule != EmailRule::kGoogle)
				return Fail(out);
			continue;
		}
		*p++ = text::ToAsciiLower(c);
	}
	out.resize(static_cast<std::size_t>(p - begin));
	return true;
}

bool CopyLowerUnicode(std::string_view value, EmailRule rule, std::string &out) {
	text::LowerNfkc(value, out); // full-width "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ" is john@example.com
	if (rule == EmailRule::kGoogle) // Data Manager: "trim leading, trailing and intermediate whitespace"
		out.resize(text::FilterInPlace(out, 0, out.size(), text::Keep::kAll));
	else if (text::ContainsSpace(out))
		return Fail(out);
	return true;
}

std::string_view TrimAsciiSpaces(std::string_view s) {
	while (!s.empty() && text::IsAsciiSpaceOrControl(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && text::IsAsciiSpaceOrControl(s.back()))
		s.remove_suffix(1);
	return s;
}

// The address inside `display name <address>` (RFC 5322 name-addr): the one <...> outside double
// quotes, with nothing but white space after it. value itself when it has no angle brackets; empty
// when it has several or they do not pair.
std::string_view AngleAddress(std::string_view value) {
	std::size_t open = std::string_view::npos;
	std::size_t close = std::string_view::npos;
	bool quoted = false;
	for (std::size_t i = 0; i < value.size(); i++) {
		const char c = value[i];
		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '<' && open == std::string_view::npos)
			open = i;
		else if (c == '>' && open != std::string_view::npos && close == std::string_view::npos)
			close = i;
		else if (c == '<' || c == '>')
			return {};
	}
	if (open == std::string_view::npos && close == std::string_view::npos)
		return value;
	if (open == std::string_view::npos || close == std::string_view::npos ||
	    !TrimAsciiSpaces(value.substr(close + 1)).empty())
		return {};
	return TrimAsciiSpaces(value.substr(open + 1, close - open - 1));
}

// The one address that a value written in a common non-address form stands for (value lowercased):
//   "John Smith" <john@example.com>, John <john@example.com>, <john@example.com>  (RFC 5322 name-addr)
//   mailto:john@example.com, mailto:john@example.com?subject=Hi                    (RFC 6068)
//   john@example.com (John Smith)                                                  (RFC 5322 comment)
//   john@example.com.  (the domain as a fully qualified name, RFC 1034 3.1), and a trailing , or ;
//   'john@example.com', "john@example.com"                                       (quoted)
// Whatever is left must still pass the address checks.
std::string_view AddressInForm(std::string_view value) {
	value = AngleAddress(TrimAsciiSpaces(value));
	constexpr std::string_view kMailto = "mailto:";
	if (value.compare(0, kMailto.size(), kMailto) == 0) {
		value.remove_prefix(kMailto.size());
		value = value.substr(0, value.find('?'));
	}
	if (!value.empty() && value.back() == ')') {
		const std::size_t comment = value.rfind('(');
		if (comment != std::string_view::npos && comment > 0)
			value = TrimAsciiSpaces(value.substr(0, comment));
	}
	if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front())
		value = TrimAsciiSpaces(value.substr(1, value.size() - 2));
	while (!value.empty() && (value.back() == ',' || value.back() == ';'))
		value.remove_suffix(1);
	if (!value.empty() && value.back() == '.')
		value.remove_suffix(1);
	return value;
}

bool NormalizeAddress(std::string_view value, EmailRule rule, std::string &out);

// When value is no address as written: the address of a form that stands for one (AddressInForm).
bool NormalizeAddressInForm(std::string_view value, EmailRule rule, std::string &out) {
	static thread_local std::string *lowered = new std::string();
	text::LowerNfkc(value, *lowered);
	const std::string_view address = AddressInForm(*lowered);
	if (address.empty() || address == std::string_view(*lowered))
		return Fail(out);
	return NormalizeAddress(address, rule, out);
}

} // namespace

bool NormalizeEmail(std::string_view value, EmailRule rule, std::string &out) {
	value = text::Trim(value);
	if (value.empty())
		return Fail(out);
	return NormalizeAddress(value, rule, out) || NormalizeAddressInForm(value, rule, out);
}

namespace {

// value trimmed and not empty.
bool NormalizeAddress(std::string_view value, EmailRule rule, std::string &out) {
	if (!(text::IsAscii(value) ? CopyLowerAscii(value, rule, out) : CopyLowerUnicode(value, rule, out)))
		return false;
	if (out.size() > kMaxEmailAddressBytes) // longer than any address SMTP can carry
		return Fail(out);

	const std::size_t at = out.find('@');
	if (at == std::string::npos)
		return Fail(out);
	const std::string_view address(out);
	const std::string_view domain = address.substr(at + 1);
	if (!IsPlausibleLocalPart(address.substr(0, at)) || !IsPlausibleDomain(domain)) // a second '@' fails here
		return Fail(out);

	std::size_t local_end = at;
	if (rule == EmailRule::kGoogle && IsGmail(domain)) {
		std::size_t write = 0;
		for (std::size_t read = 0; read < at && out[read] != '+'; read++)
			if (out[read] != '.')
				out[write++] = out[read];
		local_end = write;
	} else if (rule == EmailRule::kReddit) {
		const std::size_t plus = address.substr(0, at).find('+');
		local_end =
		    text::FilterInPlace(out, 0, plus == std::string::npos ? at : plus, text::Keep::kLettersAndDigits);
	}
	if (local_end == 0)
		return Fail(out);
	if (local_end != at)
		out.erase(local_end, at - local_end);
	return true;
}

} // namespace

} // namespace capi::identity
