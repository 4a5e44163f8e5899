#include "core/identity/location.hpp"

#include <algorithm>

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

struct StateName {
	std::string_view key; // lowercase letters only, as text::Clean(kLettersAndDigits) leaves a name
	std::string_view code;
};

// US states, the District of Columbia and inhabited territories, then Canadian provinces and
// territories, with the common variants of their names. Sorted by key (checked at compile time).
constexpr StateName kStateNames[] = {
    {"alabama", "al"},
    {"alaska", "ak"},
    {"alberta", "ab"},
    {"americansamoa", "as"},
    {"arizona", "az"},
    {"arkansas", "ar"},
    {"britishcolumbia", "bc"},
    {"california", "ca"},
    {"colorado", "co"},
    {"connecticut", "ct"},
    {"delaware", "de"},
    {"districtofcolumbia", "dc"},
    {"florida", "fl"},
    {"georgia", "ga"},
    {"guam", "gu"},
    {"hawaii", "hi"},
    {"idaho", "id"},
    {"illinois", "il"},
    {"indiana", "in"},
    {"iowa", "ia"},
    {"kansas", "ks"},
    {"kentucky", "ky"},
    {"louisiana", "la"},
    {"maine", "me"},
    {"manitoba", "mb"},
    {"maryland", "md"},
    {"massachusetts", "ma"},
    {"michigan", "mi"},
    {"minnesota", "mn"},
    {"mississippi", "ms"},
    {"missouri", "mo"},
    {"montana", "mt"},
    {"nebraska", "ne"},
    {"nevada", "nv"},
    {"newbrunswick", "nb"},
    {"newfoundland", "nl"},
    {"newfoundlandandlabrador", "nl"},
    {"newhampshire", "nh"},
    {"newjersey", "nj"},
    {"newmexico", "nm"},
    {"newyork", "ny"},
    {"northcarolina", "nc"},
    {"northdakota", "nd"},
    {"northernmarianaislands", "mp"},
    {"northwestterritories", "nt"},
    {"novascotia", "ns"},
    {"nunavut", "nu"},
    {"ohio", "oh"},
    {"oklahoma", "ok"},
    {"ontario", "on"},
    {"oregon", "or"},
    {"pennsylvania", "pa"},
    {"princeedwardisland", "pe"},
    {"puertorico", "pr"},
    {"quebec", "qc"},
    {"qu\xc3\xa9"
     "bec",
     "qc"}, // Québec
    {"rhodeisland", "ri"},
    {"saskatchewan", "sk"},
    {"southcarolina", "sc"},
    {"southdakota", "sd"},
    {"tennessee", "tn"},
    {"texas", "tx"},
    {"unitedstatesvirginislands", "vi"},
    {"usvirginislands", "vi"},
    {"utah", "ut"},
    {"vermont", "vt"},
    {"virginia", "va"},
    {"virginislands", "vi"},
    {"washington", "wa"},
    {"washingtondc", "dc"},
    {"westvirginia", "wv"},
    {"wisconsin", "wi"},
    {"wyoming", "wy"},
    {"yukon", "yt"},
    {"yukonterritory", "yt"},
};

constexpr bool IsSortedByKey() {
	for (std::size_t i = 1; i < std::size(kStateNames); i++)
		if (!(kStateNames[i - 1].key < kStateNames[i].key))
			return false;
	return true;
}
static_assert(IsSortedByKey(), "kStateNames must be sorted by key for binary search");

std::string_view FindStateCode(std::string_view key) {
	const auto *end = std::end(kStateNames);
	// key is never empty; most comparisons are decided by the first letter, without a call to memcmp.
	const auto *found =
	    std::lower_bound(std::begin(kStateNames), end, key, [](const StateName &entry, std::string_view k) {
		    const auto a = static_cast<unsigned char>(entry.key[0]);
		    const auto b = static_cast<unsigned char>(k[0]);
		    return a != b ? a < b : entry.key < k;
	    });
	return found != end && found->key == key ? found->code : std::string_view();
}

constexpr text::CleanRule kCompactText = {true, true, text::Keep::kLettersAndDigits, text::Spaces::kRemove};
constexpr text::CleanRule kPlainText = {true, true, text::Keep::kAll, text::Spaces::kCollapse};

bool Fail(std::string &out) {
	out.clear();
	return false;
}

bool CleanWithLetter(std::string_view value, text::CleanRule rule, std::string &out) {
	if (!text::Clean(value, rule, out) || !text::ContainsLetter(out))
		return Fail(out);
	return true;
}

// "US-CA" -> "CA": an ISO 3166-2 subdivision code (two-letter country, dash, 1-3 letters or digits).
std::string_view SubdivisionPart(std::string_view value) {
	if (value.size() < 4 || value.size() > 6 || value[2] != '-' || !text::IsAsciiAlpha(value[0]) ||
	    !text::IsAsciiAlpha(value[1]))
		return value;
	for (char c : value.substr(3))
		if (!text::IsAsciiAlnum(c))
			return value;
	return value.substr(3);
}

bool IsAsciiLetters(std::string_view s) {
	for (char c : s)
		if (!text::IsAsciiAlpha(c))
			return false;
	return true;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view upper) {
	if (a.size() != upper.size())
		return false;
	for (std::size_t i = 0; i < a.size(); i++)
		if (text::ToAsciiUpper(a[i]) != upper[i])
			return false;
	return true;
}

bool UsesUsZipCodes(std::string_view region) {
	for (std::string_view us : {"US", "PR", "GU", "VI", "AS", "MP"})
		if (EqualsIgnoringCase(region, us))
			return true;
	return false;
}

// The five-digit ZIP of "94035", "94035-1234", "94035 1234" or "940351234"; empty if value is none.
// dashed is set when the ZIP+4 extension is written after a dash.
std::string_view UsZip(std::string_view value, bool &dashed) {
	dashed = false;
	std::size_t i = 0;
	while (i < value.size() && text::IsAsciiDigit(value[i]))
		i++;
	if (i == 5 && i == value.size())
		return value.substr(0, 5);
	if (i == 9 && i == value.size())
		return value.substr(0, 5);
	if (i != 5)
		return {};
	std::size_t separators = 0;
	for (; i < value.size() && (value[i] == ' ' || value[i] == '-'); i++, separators++)
		dashed = dashed || value[i] == '-';
	std::size_t digits = 0;
	for (; i < value.size() && text::IsAsciiDigit(value[i]); i++)
		digits++;
	if (separators == 0 || separators > 3 || digits != 4 || i != value.size())
		return {};
	return value.substr(0, 5);
}

bool ContainsAsciiDigit(std::string_view s) {
	for (char c : s)
		if (text::IsAsciiDigit(c))
			return true;
	return false;
}

bool IsNumericPostalCode(std::string_view value) {
	bool digit = false;
	for (char c : value) {
		if (text::IsAsciiDigit(c))
			digit = true;
		else if (c != ' ' && c != '-')
			return false;
	}
	return digit;
}

} // namespace

bool NormalizeCity(std::string_view value, AddressRule rule, std::string &out) {
	return CleanWithLetter(value, rule == AddressRule::kPlain ? kPlainText : kCompactText, out);
}

bool NormalizeState(std::string_view value, AddressRule rule, std::string &out) {
	value = SubdivisionPart(text::Trim(value));
	if (!CleanWithLetter(value, kCompactText, out))
		return false;
	bool is_code = out.size() == 2 && IsAsciiLetters(out);
	if (!is_code) {
		const std::string_view code = FindStateCode(out);
		is_code = !code.empty();
		if (is_code)
			out.assign(code);
	}
	if (is_code) {
		if (rule == AddressRule::kPlain)
			for (char &c : out)
				c = text::ToAsciiUpper(c);
		return true;
	}
	return rule == AddressRule::kPlain ? CleanWithLetter(value, kPlainText, out) : true;
}

bool NormalizeZip(std::string_view value, std::string_view region, ZipRule rule, std::string &out) {
	value = text::Trim(value);
	bool dashed = false;
	const std::string_view zip5 = UsZip(value, dashed);
	if (!zip5.empty() && (dashed || UsesUsZipCodes(region))) {
		out.assign(zip5);
		return true;
	}
	switch (rule) {
	case ZipRule::kCompact:
		return text::Clean(value, kCompactText, out);
	case ZipRule::kDigits:
		if (IsNumericPostalCode(value))
			return text::Clean(value, {false, false, text::Keep::kLettersAndDigits, text::Spaces::kRemove},
			                   out);
		return text::Clean(value, kCompactText, out);
	case ZipRule::kPlain:
		if (!text::Clean(value, {false, true, text::Keep::kAll, text::Spaces::kCollapse}, out) ||
		    !(text::ContainsLetter(out) || ContainsAsciiDigit(out)))
			return Fail(out);
		for (char &c : out)
			c = text::ToAsciiUpper(c);
		return true;
	}
	return Fail(out);
}

bool NormalizeStreet(std::string_view value, std::string &out) {
	return CleanWithLetter(value, kPlainText, out);
}

} // namespace capi::identity
