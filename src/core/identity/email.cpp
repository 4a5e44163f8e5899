#include "core/identity/email.hpp"

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// RFC 5322 "atext" characters besides ASCII letters and digits.
constexpr bool IsAtextSymbol(char c) {
	switch (c) {
	case '!':
	case '#':
	case '$':
	case '%':
	case '&':
	case '\'':
	case '*':
	case '+':
	case '-':
	case '/':
	case '=':
	case '?':
	case '^':
	case '_':
	case '`':
	case '{':
	case '|':
	case '}':
	case '~':
		return true;
	default:
		return false;
	}
}

// Bytes >= 0x80 (UTF-8 of internationalized addresses) are accepted in both parts; white space inside
// non-ASCII text is rejected separately.
bool IsPlausibleLocalPart(std::string_view local) {
	if (local.empty())
		return false;
	char previous = '.'; // a leading dot is invalid
	for (char c : local) {
		if (c == '.') {
			if (previous == '.')
				return false;
		} else if (!text::IsNonAscii(c) && !text::IsAsciiAlnum(c) && !IsAtextSymbol(c)) {
			return false;
		}
		previous = c;
	}
	return previous != '.';
}

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
		} else if (text::IsNonAscii(c) || text::IsAsciiAlnum(c) || c == '-') {
			label_length++;
			label_all_digits = label_all_digits && text::IsAsciiDigit(c);
		} else {
			return false;
		}
	}
	if (label_length == 0)
		return false;
	labels++;
	return labels >= 2 && label_length >= 2 && !label_all_digits;
}

bool IsGmail(std::string_view domain) {
	return domain == "gmail.com" || domain == "googlemail.com";
}

bool Fail(std::string &out) {
	out.clear();
	return false;
}

} // namespace

bool NormalizeEmail(std::string_view value, EmailRule rule, std::string &out) {
	value = text::Trim(value);
	if (value.empty())
		return Fail(out);
	const bool ascii = text::IsAscii(value);
	text::LowerNfc(value, out); // ASCII: a copy lowercased in place

	if (rule == EmailRule::kGoogle) // Data Manager: "trim leading, trailing and intermediate whitespace"
		out.resize(text::FilterInPlace(out, 0, out.size(), text::Keep::kAll));
	else if (!ascii && text::ContainsSpace(out))
		return Fail(out); // ASCII white space is rejected by the character checks below

	const std::size_t at = out.find('@');
	if (at == std::string::npos || out.find('@', at + 1) != std::string::npos)
		return Fail(out);
	const std::string_view address(out);
	if (!IsPlausibleLocalPart(address.substr(0, at)) || !IsPlausibleDomain(address.substr(at + 1)))
		return Fail(out);

	std::size_t local_end = at;
	if (rule == EmailRule::kGoogle && IsGmail(address.substr(at + 1))) {
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
	out.erase(local_end, at - local_end);
	return true;
}

} // namespace capi::identity
