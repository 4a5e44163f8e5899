#include "core/identity/country.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/udata.h>
#include <unicode/unistr.h>
#include <unicode/ures.h>
#include <unicode/utf8.h>

#include "core/error.hpp"
#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// A country code is stored as its two lowercase ASCII letters packed into 16 bits.
using Code = uint16_t;

constexpr Code PackCode(char first, char second) {
	return static_cast<Code>((static_cast<unsigned char>(text::ToAsciiLower(first)) << 8) |
	                         static_cast<unsigned char>(text::ToAsciiLower(second)));
}

constexpr uint32_t PackAlpha3(char a, char b, char c) {
	return (static_cast<uint32_t>(static_cast<unsigned char>(text::ToAsciiLower(a))) << 16) |
	       (static_cast<uint32_t>(static_cast<unsigned char>(text::ToAsciiLower(b))) << 8) |
	       static_cast<uint32_t>(static_cast<unsigned char>(text::ToAsciiLower(c)));
}

std::size_t Alpha2Index(char first, char second) {
	return static_cast<std::size_t>(text::ToAsciiLower(first) - 'a') * 26 +
	       static_cast<std::size_t>(text::ToAsciiLower(second) - 'a');
}

// ISO 3166-1 codes as ICU knows them.
struct CodeTables {
	std::array<bool, 26 * 26> alpha2{};
	std::vector<std::pair<uint32_t, Code>> alpha3; // sorted by the packed alpha-3 code
};

const CodeTables &Codes() {
	static const CodeTables *tables = [] {
		auto *built = new CodeTables;
		for (const char *const *code = icu::Locale::getISOCountries(); *code != nullptr; code++) {
			const char *alpha2 = *code;
			if (!text::IsAsciiAlpha(alpha2[0]) || !text::IsAsciiAlpha(alpha2[1]) || alpha2[2] != '\0')
				continue;
			built->alpha2[Alpha2Index(alpha2[0], alpha2[1])] = true;
			const char *alpha3 = icu::Locale("", alpha2).getISO3Country();
			if (alpha3 != nullptr && std::char_traits<char>::length(alpha3) == 3)
				built->alpha3.emplace_back(PackAlpha3(alpha3[0], alpha3[1], alpha3[2]),
				                           PackCode(alpha2[0], alpha2[1]));
		}
		std::sort(built->alpha3.begin(), built->alpha3.end());
		return built;
	}();
	return *tables;
}

// The lookup key of a country name (text::LetterKey): lowercase letters without accents, "&" read as
// "and". Both the tables and the lookups use it, so "Côte d’Ivoire", "Cote d'Ivoire", "COTE DIVOIRE"
// and the full-width "ＣＯＴＥ ＤＩＶＯＩＲＥ" meet at "cotedivoire".
void NameKey(std::string_view name, std::string &key) {
	text::LetterKey(name, key);
}

// Colloquial and former names ICU's display names lack. Written as keys (see NameKey).
constexpr std::pair<std::string_view, std::string_view> kSynonyms[] = {
    {"america", "us"},
    {"unitedstatesofamerica", "us"},
    {"uk", "gb"},
    {"greatbritain", "gb"},
    {"britain", "gb"},
    {"england", "gb"},
    {"scotland", "gb"},
    {"wales", "gb"},
    {"northernireland", "gb"},
    {"unitedkingdomofgreatbritainandnorthernireland", "gb"},
    {"holland", "nl"},
    {"korea", "kr"},
    {"republicofkorea", "kr"},
    {"northkorea", "kp"},
    {"dprk", "kp"},
    {"democraticpeoplesrepublicofkorea", "kp"},
    {"koreademocraticpeoplesrepublicof", "kp"},
    {"korearepublicof", "kr"},
    {"laopeoplesdemocraticrepublic", "la"},
    {"bruneidarussalam", "bn"},
    {"bonairesinteustatiusandsaba", "bq"},
    {"unitedstatesminoroutlyingislands", "um"},
    {"russianfederation", "ru"},
    {"burma", "mm"},
    {"macau", "mo"},
    {"vatican", "va"},
    {"holysee", "va"},
    {"uae", "ae"},
    {"drc", "cd"},
    {"drcongo", "cd"},
    {"democraticrepublicofthecongo", "cd"},
    {"democraticrepublicofcongo", "cd"},
    {"republicofthecongo", "cg"},
    {"congo", "cg"},
    {"capeverde", "cv"},
    {"macedonia", "mk"},
    {"turkey", "tr"},
    {"syrianarabrepublic", "sy"},
    {"peoplesrepublicofchina", "cn"},
    {"prc", "cn"},
    // Official long names (ISO 3166-1's full names in English, and the countries' own), which ICU's
    // display names lack, and romanized native names of large markets.
    {"federalrepublicofgermany", "de"},
    {"bundesrepublikdeutschland", "de"},
    {"frenchrepublic", "fr"},
    {"republiquefrancaise", "fr"},
    {"kingdomofspain", "es"},
    {"reinodeespana", "es"},
    {"italianrepublic", "it"},
    {"repubblicaitaliana", "it"},
    {"portugueserepublic", "pt"},
    {"republicaportuguesa", "pt"},
    {"kingdomofthenetherlands", "nl"},
    {"koninkrijkdernederlanden", "nl"},
    {"kingdomofbelgium", "be"},
    {"koninkrijkbelgie", "be"},
    {"royaumedebelgique", "be"},
    {"konigreichbelgien", "be"},
    {"swissconfederation", "ch"},
    {"schweizerischeeidgenossenschaft", "ch"},
    {"confederationsuisse", "ch"},
    {"confederazionesvizzera", "ch"},
    {"confoederatiohelvetica", "ch"},
    {"helvetia", "ch"},
    {"republicofaustria", "at"},
    {"republikosterreich", "at"},
    {"republicofireland", "ie"},
    {"irishrepublic", "ie"},
    {"poblachtnaheireann", "ie"},
    {"grandduchyofluxembourg", "lu"},
    {"kingdomofdenmark", "dk"},
    {"kongerigetdanmark", "dk"},
    {"kingdomofsweden", "se"},
    {"konungariketsverige", "se"},
    {"kingdomofnorway", "no"},
    {"kongeriketnorge", "no"},
    {"republicoffinland", "fi"},
    {"suomentasavalta", "fi"},
    {"republicoficeland", "is"},
    {"republicofpoland", "pl"},
    {"rzeczpospolitapolska", "pl"},
    {"ceskarepublika", "cz"},
    {"slovakrepublic", "sk"},
    {"hellenicrepublic", "gr"},
    {"ellada", "gr"},
    {"hellas", "gr"},
    {"republicofturkey", "tr"},
    {"republicofturkiye", "tr"},
    {"turkiyecumhuriyeti", "tr"},
    {"republicofcyprus", "cy"},
    {"republicofmalta", "mt"},
    {"principalityofmonaco", "mc"},
    {"principalityofliechtenstein", "li"},
    {"principalityofandorra", "ad"},
    {"rossiya", "ru"},
    {"rossiyskayafederatsiya", "ru"},
    {"unitedmexicanstates", "mx"},
    {"estadosunidosmexicanos", "mx"},
    {"federativerepublicofbrazil", "br"},
    {"republicafederativadobrasil", "br"},
    {"argentinerepublic", "ar"},
    {"republicaargentina", "ar"},
    {"republicofchile", "cl"},
    {"republicofcolombia", "co"},
    {"republicofperu", "pe"},
    {"commonwealthofaustralia", "au"},
    {"aotearoa", "nz"},
    {"republicofsouthafrica", "za"},
    {"federalrepublicofnigeria", "ng"},
    {"arabrepublicofegypt", "eg"},
    {"kingdomofsaudiarabia", "sa"},
    {"stateofisrael", "il"},
    {"islamicrepublicofiran", "ir"},
    {"republicofindia", "in"},
    {"bharat", "in"},
    {"zhongguo", "cn"},
    {"republicofchina", "tw"},
    {"nippon", "jp"},
    {"nihon", "jp"},
    {"nipponkoku", "jp"},
    {"nihonkoku", "jp"},
    {"daehanminguk", "kr"},
    {"hanguk", "kr"},
    {"republicofsingapore", "sg"},
    {"republicofindonesia", "id"},
    {"republicofthephilippines", "ph"},
    {"kingdomofthailand", "th"},
    {"socialistrepublicofvietnam", "vn"},
};

// Display languages whose country names are accepted besides English: the languages of the largest
// advertising markets. Names that mean different countries in different languages are dropped.
constexpr const char *kNameLocales[] = {"de", "fr", "es", "it", "pt", "nl", "pl", "sv",     "da", "nb",
                                        "fi", "cs", "hu", "ro", "tr", "el", "ru", "uk",     "ar", "he",
                                        "hi", "id", "vi", "th", "ja", "ko", "zh", "zh_Hant"};

class NameTableBuilder {
public:
	// Lower priority numbers win; equal priorities naming different countries make a key ambiguous.
	void Add(std::string_view name, Code code, int priority) {
		NameKey(name, key_);
		if (key_.size() < 2)
			return;
		auto [it, inserted] = entries_.try_emplace(key_, Entry{code, priority, false});
		if (inserted)
			return;
		Entry &entry = it->second;
		if (priority < entry.priority)
			entry = Entry{code, priority, false};
		else if (priority == entry.priority && entry.code != code)
			entry.ambiguous = true;
	}

	std::unordered_map<std::string, Code> *Build() {
		auto *names = new std::unordered_map<std::string, Code>;
		names->reserve(entries_.size());
		for (auto &[key, entry] : entries_)
			if (!entry.ambiguous)
				names->emplace(key, entry.code);
		return names;
	}

private:
	struct Entry {
		Code code;
		int priority;
		bool ambiguous;
	};
	std::unordered_map<std::string, Entry> entries_;
	std::string key_;
};

enum Priority { kSynonym, kEnglishName, kEnglishAlternative, kEnglishDerived, kOtherLanguage, kNativeName };

// Calls add(code, language) for each official language of each country, from CLDR's territory data
// in ICU (supplementalData/territoryInfo: officialStatus "official" or "de_facto_official"): Irish and
// English for IE, German, French, Italian and Romansh for CH.
template <typename Add> void ForEachOfficialLanguage(Add add) {
	UErrorCode status = U_ZERO_ERROR;
	UResourceBundle *supplemental = ures_openDirect(nullptr, "supplementalData", &status);
	UResourceBundle *territories =
	    U_SUCCESS(status) ? ures_getByKey(supplemental, "territoryInfo", nullptr, &status) : nullptr;
	while (U_SUCCESS(status) && ures_hasNext(territories)) {
		UErrorCode territory_status = U_ZERO_ERROR;
		UResourceBundle *territory = ures_getNextResource(territories, nullptr, &territory_status);
		const char *region = territory != nullptr ? ures_getKey(territory) : nullptr;
		const bool country = U_SUCCESS(territory_status) && region != nullptr &&
		                     text::IsAsciiAlpha(region[0]) && text::IsAsciiAlpha(region[1]) &&
		                     region[2] == '\0' && Codes().alpha2[Alpha2Index(region[0], region[1])];
		while (country && ures_hasNext(territory)) {
			UErrorCode language_status = U_ZERO_ERROR;
			UResourceBundle *language = ures_getNextResource(territory, nullptr, &language_status);
			if (U_SUCCESS(language_status) && ures_getType(language) == URES_TABLE) {
				int32_t length = 0;
				const UChar *official =
				    ures_getStringByKey(language, "officialStatus", &length, &language_status);
				const icu::UnicodeString value(false, official, U_SUCCESS(language_status) ? length : 0);
				if (value == icu::UnicodeString(u"official") ||
				    value == icu::UnicodeString(u"de_facto_official"))
					add(PackCode(region[0], region[1]), ures_getKey(language));
			}
			ures_close(language);
		}
		ures_close(territory);
	}
	ures_close(territories);
	ures_close(supplemental);
}

// Calls add(code, UTF-8 name) with each country's name in each of its official languages, when ICU
// has region names for that language itself (not only its fallback). One bundle per language.
template <typename Add> void ForEachNativeName(Add add) {
	std::map<std::string, std::vector<Code>> countries_by_language;
	ForEachOfficialLanguage(
	    [&](Code code, const char *language) { countries_by_language[language].push_back(code); });
	std::string name;
	for (const auto &[language, codes] : countries_by_language) {
		UErrorCode open_status = U_ZERO_ERROR;
		UResourceBundle *bundle =
		    ures_open(U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "region", language.c_str(), &open_status);
		UErrorCode status = U_ZERO_ERROR;
		const char *actual = U_SUCCESS(open_status) && open_status != U_USING_DEFAULT_WARNING
		                         ? ures_getLocaleByType(bundle, ULOC_ACTUAL_LOCALE, &status)
		                         : nullptr;
		UResourceBundle *table = nullptr;
		if (U_SUCCESS(status) && actual != nullptr && std::string_view(actual) != "root")
			table = ures_getByKey(bundle, "Countries", nullptr, &status);
		for (Code code : codes) {
			if (table == nullptr || U_FAILURE(status))
				break;
			const char region[3] = {text::ToAsciiUpper(static_cast<char>(code >> 8)),
			                        text::ToAsciiUpper(static_cast<char>(code & 0xff)), '\0'};
			UErrorCode entry_status = U_ZERO_ERROR;
			int32_t length = 0;
			const UChar *value = ures_getStringByKey(table, region, &length, &entry_status);
			if (U_FAILURE(entry_status) || value == nullptr)
				continue;
			name.clear();
			icu::UnicodeString(false, value, length).toUTF8String(name);
			add(code, name);
		}
		ures_close(table);
		ures_close(bundle);
	}
}

// Calls add(code, UTF-8 name) for every ISO 3166-1 country in table ("Countries", or the English-only
// "Countries%short" / "Countries%variant") of ICU's region display-name data for locale. One bundle
// per language: much faster than a getDisplayCountry() call per country and language.
template <typename Add> void ForEachCountryName(const char *locale, const char *table_key, Add add) {
	UErrorCode status = U_ZERO_ERROR;
	UResourceBundle *bundle = ures_open(U_ICUDATA_NAME U_TREE_SEPARATOR_STRING "region", locale, &status);
	UResourceBundle *table = U_SUCCESS(status) ? ures_getByKey(bundle, table_key, nullptr, &status) : nullptr;
	std::string name;
	while (U_SUCCESS(status) && ures_hasNext(table)) {
		UErrorCode entry_status = U_ZERO_ERROR;
		const char *region = nullptr;
		int32_t length = 0;
		const UChar *value = ures_getNextString(table, &length, &region, &entry_status);
		if (U_FAILURE(entry_status) || region == nullptr || !text::IsAsciiAlpha(region[0]) ||
		    !text::IsAsciiAlpha(region[1]) || region[2] != '\0' ||
		    !Codes().alpha2[Alpha2Index(region[0], region[1])])
			continue; // "001", "EU", "UN", ...: not countries
		name.clear();
		icu::UnicodeString(false, value, length).toUTF8String(name);
		add(PackCode(region[0], region[1]), name);
	}
	ures_close(table);
	ures_close(bundle);
}

const std::unordered_map<std::string, Code> &Names() {
	static const std::unordered_map<std::string, Code> *names = [] {
		NameTableBuilder builder;
		for (const auto &[key, code] : kSynonyms)
			builder.Add(key, PackCode(code[0], code[1]), kSynonym);
		// English display names, and the forms people write instead: "St. Lucia" as "Saint Lucia",
		// "Myanmar (Burma)" as "Myanmar".
		ForEachCountryName("en", "Countries", [&](Code code, const std::string &name) {
			builder.Add(name, code, kEnglishName);
			if (name.compare(0, 4, "St. ") == 0)
				builder.Add("Saint " + name.substr(4), code, kEnglishDerived);
			const std::size_t parenthesis = name.find(" (");
			if (parenthesis != std::string::npos)
				builder.Add(std::string_view(name).substr(0, parenthesis), code, kEnglishDerived);
		});
		// ICU's alternative English names: "UK", "Hong Kong"; "Ivory Coast", "Czech Republic", "Swaziland".
		for (const char *table : {"Countries%short", "Countries%variant"})
			ForEachCountryName("en", table, [&](Code code, const std::string &name) {
				builder.Add(name, code, kEnglishAlternative);
			});
		for (const char *language : kNameLocales)
			ForEachCountryName(language, "Countries", [&](Code code, const std::string &name) {
				builder.Add(name, code, kOtherLanguage);
			});
		// Each country's name in its own official languages ("Éire", "Lëtzebuerg",
		// "Hrvatska"), where no name above has the same key.
		ForEachNativeName([&](Code code, const std::string &name) { builder.Add(name, code, kNativeName); });
		return builder.Build();
	}();
	return *names;
}

bool IsAlpha2(std::string_view s) {
	return s.size() == 2 && text::IsAsciiAlpha(s[0]) && text::IsAsciiAlpha(s[1]) &&
	       Codes().alpha2[Alpha2Index(s[0], s[1])];
}

bool FindAlpha3(std::string_view s, Code &code) {
	if (s.size() != 3 || !text::IsAsciiAlpha(s[0]) || !text::IsAsciiAlpha(s[1]) || !text::IsAsciiAlpha(s[2]))
		return false;
	const auto &alpha3 = Codes().alpha3;
	const uint32_t packed = PackAlpha3(s[0], s[1], s[2]);
	const auto found = std::lower_bound(alpha3.begin(), alpha3.end(), std::make_pair(packed, Code{0}));
	if (found == alpha3.end() || found->first != packed)
		return false;
	code = found->second;
	return true;
}

bool FindName(std::string &key, Code &code) {
	if (key.size() < 2)
		return false;
	const auto &names = Names();
	auto found = names.find(key);
	if (found == names.end() && key.size() > 5 && key.compare(0, 3, "the") == 0) {
		key.erase(0, 3); // "The Netherlands", "the Gambia"
		found = names.find(key);
	}
	if (found == names.end())
		return false;
	code = found->second;
	return true;
}

// ISO 3166's own list style, "Korea, Republic of" or "Iran (Islamic Republic of)": the name read in
// natural order ("Republic of Korea"), then the part before the comma or parenthesis ("Iran").
bool FindOfficialName(std::string_view value, std::string &key, Code &code) {
	const std::size_t comma = value.find(',');
	if (comma != std::string_view::npos) {
		std::string reordered(text::Trim(value.substr(comma + 1)));
		reordered += ' ';
		reordered += text::Trim(value.substr(0, comma));
		NameKey(reordered, key);
		if (FindName(key, code))
			return true;
	}
	const std::size_t end = std::min(comma, value.find('('));
	if (end == std::string_view::npos)
		return false;
	NameKey(value.substr(0, end), key);
	return FindName(key, code);
}

bool Write(Code code, CountryCase letter_case, std::string &out) {
	char first = static_cast<char>(code >> 8);
	char second = static_cast<char>(code & 0xff);
	if (letter_case == CountryCase::kUpper) {
		first = text::ToAsciiUpper(first);
		second = text::ToAsciiUpper(second);
	}
	out.assign({first, second});
	return true;
}

} // namespace

bool NormalizeCountry(std::string_view value, CountryCase letter_case, std::string &out) {
	value = text::Trim(value);
	// Fast paths: the codes themselves.
	if (IsAlpha2(value))
		return Write(PackCode(value[0], value[1]), letter_case, out);
	Code code = 0;
	if (FindAlpha3(value, code))
		return Write(code, letter_case, out);
	// Names, and codes written with dots ("U.S.A."). A slash makes no code: "N/A" is "not applicable",
	// not Namibia.
	NameKey(value, out);
	const bool dotted_code = value.find('/') == std::string_view::npos;
	if (dotted_code && IsAlpha2(out))
		return Write(PackCode(out[0], out[1]), letter_case, out);
	if ((dotted_code && FindAlpha3(out, code)) || FindName(out, code) || FindOfficialName(value, out, code))
		return Write(code, letter_case, out);
	out.clear();
	return false;
}

} // namespace capi::identity
