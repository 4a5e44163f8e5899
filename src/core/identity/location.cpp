#include "core/identity/location.hpp"

#include <algorithm>

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

struct StateName {
	std::string_view key; // text::LetterKey of a name: lowercase ASCII letters, no accents
	std::string_view code;
};

// US states, the District of Columbia and inhabited territories, then Canadian provinces and
// territories, with the common variants of their names, and their abbreviations in AP and GPO style
// (US Government Publishing Office Style Manual) and Canadian Press style ("Calif.", "Tex.",
// "N. Mex.", "W. Va.", "Penna.", "Ont.", "Que.", "P.E.I."). Sorted by key (checked at compile time).
// Two-letter abbreviations ("Ga.", "N.Y.") are codes already.
constexpr StateName kStateNames[] = {
    {"ala", "al"},
    {"alabama", "al"},
    {"alaska", "ak"},
    {"alberta", "ab"},
    {"alta", "ab"},
    {"americansamoa", "as"},
    {"ariz", "az"},
    {"arizona", "az"},
    {"ark", "ar"},
    {"arkansas", "ar"},
    {"britishcolumbia", "bc"},
    {"cal", "ca"},
    {"calif", "ca"},
    {"california", "ca"},
    {"colo", "co"},
    {"colorado", "co"},
    {"conn", "ct"},
    {"connecticut", "ct"},
    {"del", "de"},
    {"delaware", "de"},
    {"districtofcolumbia", "dc"},
    {"fla", "fl"},
    {"florida", "fl"},
    {"georgia", "ga"},
    {"guam", "gu"},
    {"hawaii", "hi"},
    {"ida", "id"},
    {"idaho", "id"},
    {"ill", "il"},
    {"illinois", "il"},
    {"ills", "il"},
    {"ind", "in"},
    {"indiana", "in"},
    {"iowa", "ia"},
    {"kan", "ks"},
    {"kans", "ks"},
    {"kansas", "ks"},
    {"kentucky", "ky"},
    {"louisiana", "la"},
    {"maine", "me"},
    {"man", "mb"},
    {"manitoba", "mb"},
    {"maryland", "md"},
    {"mass", "ma"},
    {"massachusetts", "ma"},
    {"mich", "mi"},
    {"michigan", "mi"},
    {"minn", "mn"},
    {"minnesota", "mn"},
    {"miss", "ms"},
    {"mississippi", "ms"},
    {"missouri", "mo"},
    {"mont", "mt"},
    {"montana", "mt"},
    {"ndak", "nd"},
    {"neb", "ne"},
    {"nebr", "ne"},
    {"nebraska", "ne"},
    {"nev", "nv"},
    {"nevada", "nv"},
    {"newbrunswick", "nb"},
    {"newfoundland", "nl"},
    {"newfoundlandandlabrador", "nl"},
    {"newhampshire", "nh"},
    {"newjersey", "nj"},
    {"newmexico", "nm"},
    {"newyork", "ny"},
    {"nfld", "nl"},
    {"nfldandlab", "nl"},
    {"nmex", "nm"},
    {"northcarolina", "nc"},
    {"northdakota", "nd"},
    {"northernmarianaislands", "mp"},
    {"northwestterritories", "nt"},
    {"novascotia", "ns"},
    {"nunavut", "nu"},
    {"nvt", "nu"},
    {"nwt", "nt"},
    {"ohio", "oh"},
    {"okla", "ok"},
    {"oklahoma", "ok"},
    {"ont", "on"},
    {"ontario", "on"},
    {"ore", "or"},
    {"oreg", "or"},
    {"oregon", "or"},
    {"pei", "pe"},
    {"penn", "pa"},
    {"penna", "pa"},
    {"pennsylvania", "pa"},
    {"princeedwardisland", "pe"},
    {"puertorico", "pr"},
    {"que", "qc"},
    {"quebec", "qc"},
    {"rhodeisland", "ri"},
    {"sask", "sk"},
    {"saskatchewan", "sk"},
    {"sdak", "sd"},
    {"southcarolina", "sc"},
    {"southdakota", "sd"},
    {"tenn", "tn"},
    {"tennessee", "tn"},
    {"tex", "tx"},
    {"texas", "tx"},
    {"unitedstatesvirginislands", "vi"},
    {"usvirginislands", "vi"},
    {"utah", "ut"},
    {"vermont", "vt"},
    {"virginia", "va"},
    {"virginislands", "vi"},
    {"wash", "wa"},
    {"washington", "wa"},
    {"washingtondc", "dc"},
    {"westvirginia", "wv"},
    {"wis", "wi"},
    {"wisc", "wi"},
    {"wisconsin", "wi"},
    {"wva", "wv"},
    {"wyo", "wy"},
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

constexpr text::CleanRule kCompactText = {true, text::Form::kNfkc, text::Keep::kLettersAndDigits,
                                          text::Spaces::kRemove};
constexpr text::CleanRule kPlainText = {true, text::Form::kNfkc, text::Keep::kAll, text::Spaces::kCollapse};

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

// A value as digits, separators and digits: "94035" (first = 5), "94035-1234" (first = 5,
// separators = 1, dashed, second = 4), "940351234" (first = 9).
struct ZipShape {
	std::size_t first = 0;      // leading digits
	std::size_t separators = 0; // then spaces and dashes
	bool dashed = false;        // one of them a dash
	std::size_t second = 0;     // then digits, up to the end
	bool whole = false;         // nothing else follows
};

ZipShape ShapeOf(std::string_view value) {
	ZipShape shape;
	std::size_t i = 0;
	for (; i < value.size() && text::IsAsciiDigit(value[i]); i++)
		shape.first++;
	for (; i < value.size() && (value[i] == ' ' || value[i] == '-'); i++, shape.separators++)
		shape.dashed = shape.dashed || value[i] == '-';
	for (; i < value.size() && text::IsAsciiDigit(value[i]); i++)
		shape.second++;
	shape.whole = i == value.size() && shape.separators <= 3;
	return shape;
}

// The five-digit US ZIP code that value writes, into zip; false when it writes none.
//   Any region: ZIP+4 with its dash, "94035-1234" (no other country writes ddddd-dddd).
//   A region using US ZIP codes: "94035", "940351234", "94035 1234", and a ZIP+4 cut short, "94035-12"
//   or "94035-" (no other country writes ddddd-d or ddddd-dd).
//   Such a region, given (region.hpp): also "94035-123" (with the default region it may be a
//   Brazilian CEP, ddddd-ddd), and the ZIP codes whose leading zeros a spreadsheet dropped: "2134"
//   (02134), "601" (00601, Puerto Rico), "21341234" and "2134-1234" (02134-1234). With the default
//   region these may be Australian, Swiss or Danish postcodes.
bool UsZip(std::string_view value, Region region, char (&zip)[5]) {
	const ZipShape shape = ShapeOf(value);
	if (!shape.whole)
		return false;
	const bool us = UsesUsZipCodes(region.code);
	bool five_digits = false;
	if (shape.first == 5 && shape.second == 4)
		five_digits = us || shape.dashed;
	else if ((shape.first == 5 || shape.first == 9) && shape.separators == 0)
		five_digits = us;
	else if (shape.first == 5 && shape.dashed && shape.separators == 1 && shape.second <= 2)
		five_digits = us;
	else if (shape.first == 5 && shape.dashed && shape.separators == 1 && shape.second == 3)
		five_digits = us && region.given;
	if (five_digits) {
		std::copy_n(value.data(), 5, zip);
		return true;
	}
	if (!us || !region.given)
		return false;
	std::size_t digits = 0; // how many digits of the ZIP code are written
	if ((shape.first == 3 || shape.first == 4) && shape.separators == 0)
		digits = shape.first;
	else if ((shape.first == 8 && shape.separators == 0) || (shape.first == 4 && shape.second == 4))
		digits = 4;
	if (digits == 0)
		return false;
	std::fill_n(zip, 5 - digits, '0');
	std::copy_n(value.data(), digits, zip + 5 - digits);
	return true;
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

// Forms of a state's name around the name itself: "New York State", "State of New York", "The
// Commonwealth of Massachusetts", "Province of Ontario". As keys (text::LetterKey).
constexpr std::string_view kStatePrefixes[] = {"stateof", "commonwealthof", "provinceof", "territoryof"};
constexpr std::string_view kStateSuffixes[] = {"state", "province", "territory"};

bool StartsWith(std::string_view s, std::string_view prefix) {
	return s.size() > prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
	return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The two-letter code of a key: a code itself (two letters), or a name or abbreviation in the table.
std::string_view CodeOfKey(std::string_view key) {
	if (key.size() == 2 && IsAsciiLetters(key))
		return key == "pq" ? "qc" : key; // PQ: Canada Post's code for Quebec until 1990
	return key.size() > 2 ? FindStateCode(key) : std::string_view();
}

// The code of a US state or territory or Canadian province or territory that value names; empty when
// it names none. The key of value (accents, the ʻokina, case, spaces and punctuation do not matter)
// is looked up as it is, then without "the", a leading "State of" (...) or a trailing "State" (...).
std::string_view FindStateCodeOf(std::string_view value) {
	static thread_local std::string *key_storage = new std::string();
	std::string &key = *key_storage;
	text::LetterKey(value, key);
	std::string_view code = CodeOfKey(key);
	if (!code.empty() || key.size() <= 2)
		return code;
	std::string_view name = key;
	if (StartsWith(name, "the"))
		name.remove_prefix(3);
	for (std::string_view prefix : kStatePrefixes)
		if (StartsWith(name, prefix)) {
			name.remove_prefix(prefix.size());
			break;
		}
	for (std::string_view suffix : kStateSuffixes)
		if (EndsWith(name, suffix)) {
			name.remove_suffix(suffix.size());
			break;
		}
	return name.size() == key.size() ? std::string_view() : CodeOfKey(name);
}

} // namespace

bool NormalizeCity(std::string_view value, AddressRule rule, std::string &out) {
	return CleanWithLetter(value, rule == AddressRule::kPlain ? kPlainText : kCompactText, out);
}

bool NormalizeState(std::string_view value, AddressRule rule, std::string &out) {
	value = SubdivisionPart(text::Trim(value));
	std::string_view code = ContainsAsciiDigit(value) ? std::string_view() : FindStateCodeOf(value);
	if (!code.empty()) {
		out.assign(code);
		if (rule == AddressRule::kPlain)
			for (char &c : out)
				c = text::ToAsciiUpper(c);
		return true;
	}
	return CleanWithLetter(value, rule == AddressRule::kPlain ? kPlainText : kCompactText, out);
}

bool NormalizeZip(std::string_view value, Region region, ZipRule rule, std::string &out) {
	value = text::Trim(value);
	if (!text::IsAscii(value)) { // full-width digits and dashes ("９４０３５－１２３４") are the ASCII ones
		static thread_local std::string *folded = new std::string();
		text::Nfkc(value, *folded);
		value = text::Trim(*folded);
	}
	char zip[5];
	if (UsZip(value, region, zip)) {
		out.assign(zip, sizeof zip);
		return true;
	}
	switch (rule) {
	case ZipRule::kCompact:
		return text::Clean(value, kCompactText, out);
	case ZipRule::kDigits:
		if (IsNumericPostalCode(value))
			return text::Clean(
			    value, {false, text::Form::kNfkc, text::Keep::kLettersAndDigits, text::Spaces::kRemove}, out);
		return text::Clean(value, kCompactText, out);
	case ZipRule::kPlain:
		if (!text::Clean(value, {false, text::Form::kNfkc, text::Keep::kAll, text::Spaces::kCollapse}, out) ||
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
