#include "core/identity/person.hpp"

#include <string>
#include <unordered_map>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// Words that mean male or female, written as people write them; looked up by text::LetterKey, so
// case, accents, punctuation ("Mr.", "Sig.ra") and compatibility forms do not matter. Each salutation
// is listed with its counterpart. META-PB's own word lists (its pronouns, titles and family words) are
// included, so that a value Meta's normalizer reads is read the same way. Left out: words whose key
// is an everyday word of another meaning (Hungarian "nő" is "no" without its accent).
constexpr std::string_view kMale[] = {
    // English, and META-PB's list
    "m",
    "male",
    "man",
    "boy",
    "mr",
    "mister",
    "sir",
    "gentleman",
    "masculine",
    "guy",
    "lad",
    "fellow",
    "chap",
    "bloke",
    "dude",
    "he",
    "him",
    "his",
    "himself",
    "son",
    "father",
    "dad",
    "daddy",
    "papa",
    "uncle",
    "nephew",
    "brother",
    "husband",
    "boyfriend",
    "groom",
    "widower",
    "king",
    "prince",
    "duke",
    "count",
    "emperor",
    "god",
    "lord",
    // German
    "männlich",
    "maennlich",
    "mann",
    "herr",
    "hr",
    "junge",
    "maskulin",
    // French (H for homme on French forms)
    "masculin",
    "homme",
    "monsieur",
    "h",
    "garçon",
    // Spanish, Portuguese
    "masculino",
    "hombre",
    "varón",
    "señor",
    "sr",
    "homem",
    "senhor",
    // Italian
    "maschio",
    "maschile",
    "uomo",
    "signor",
    "signore",
    "sig",
    // Dutch
    "mannelijk",
    "meneer",
    "dhr",
    "heer",
    "jongen",
    // Nordic
    "manlig",
    "mand",
    "mandlig",
    "mannlig",
    "mies",
    "herra",
    // Polish, Czech, Hungarian, Romanian, Turkish, Greek
    "mężczyzna",
    "męski",
    "męska",
    "pan",
    "muž",
    "mužský",
    "férfi",
    "bărbat",
    "domnul",
    "erkek",
    "bay",
    "άνδρας",
    "άρρεν",
    "κύριος",
    // Russian, Ukrainian
    "м",
    "муж",
    "мужской",
    "мужчина",
    "господин",
    "чоловік",
    "чоловіча",
    // Chinese, Japanese, Korean, Arabic, Hindi
    "男",
    "男性",
    "남",
    "남성",
    "남자",
    "ذكر",
    "पुरुष",
};

constexpr std::string_view kFemale[] = {
    // English, and META-PB's list
    "f",
    "female",
    "woman",
    "girl",
    "mrs",
    "ms",
    "miss",
    "missus",
    "madam",
    "madame",
    "ma'am",
    "lady",
    "feminine",
    "gal",
    "lass",
    "she",
    "her",
    "hers",
    "herself",
    "daughter",
    "mother",
    "mom",
    "mum",
    "mommy",
    "mama",
    "aunt",
    "niece",
    "sister",
    "wife",
    "girlfriend",
    "bride",
    "widow",
    "queen",
    "princess",
    "duchess",
    "countess",
    "empress",
    "goddess",
    "maiden",
    "chick",
    "dame",
    "belle",
    // German
    "weiblich",
    "frau",
    "fräulein",
    "frl",
    "mädchen",
    // French
    "féminin",
    "femme",
    "mme",
    "mademoiselle",
    "mlle",
    "fille",
    // Spanish, Portuguese
    "femenino",
    "feminino",
    "mujer",
    "señora",
    "sra",
    "señorita",
    "srta",
    "mulher",
    "senhora",
    "senhorita",
    // Italian
    "femmina",
    "femminile",
    "donna",
    "signora",
    "sigra",
    "signorina",
    "signa",
    // Dutch
    "vrouw",
    "vrouwelijk",
    "mevrouw",
    "mevr",
    "mw",
    "meisje",
    // Nordic
    "kvinna",
    "kvinnlig",
    "kvinde",
    "kvindelig",
    "kvinne",
    "kvinnelig",
    "fru",
    "frøken",
    "nainen",
    "rouva",
    // Polish, Czech, Hungarian, Romanian, Turkish, Greek
    "kobieta",
    "żeński",
    "żeńska",
    "pani",
    "žena",
    "ženský",
    "femeie",
    "doamna",
    "kadın",
    "kadin",
    "bayan",
    "γυναίκα",
    "θήλυ",
    "κυρία",
    // Russian, Ukrainian
    "ж",
    "жен",
    "женский",
    "женщина",
    "госпожа",
    "жінка",
    "жіноча",
    // Chinese, Japanese, Korean, Arabic, Hindi
    "女",
    "女性",
    "여",
    "여성",
    "여자",
    "أنثى",
    "महिला",
};

// Pinterest's third value.
constexpr std::string_view kNonBinary[] = {"n", "nb", "non-binary", "nonbinary"};

struct GenderWords {
	std::unordered_map<std::string, char> binary;     // key -> 'm' or 'f'
	std::unordered_map<std::string, char> non_binary; // key -> 'n'
};

// Built at first use; leaked (no static object with a destructor in a backend). A key listed as both
// male and female would be dropped (the unit tests check there is none).
const GenderWords &Words() {
	static const GenderWords *words = [] {
		auto *built = new GenderWords;
		std::string key;
		auto add = [&](std::unordered_map<std::string, char> &table, std::string_view word, char code) {
			text::LetterKey(word, key);
			auto [it, inserted] = table.emplace(key, code);
			if (!inserted && it->second != code)
				it->second = 0;
		};
		for (std::string_view word : kMale)
			add(built->binary, word, 'm');
		for (std::string_view word : kFemale)
			add(built->binary, word, 'f');
		for (std::string_view word : kNonBinary)
			add(built->non_binary, word, 'n');
		return built;
	}();
	return *words;
}

char Lookup(const std::string &key, bool allow_non_binary) {
	const GenderWords &words = Words();
	if (auto found = words.binary.find(key); found != words.binary.end())
		return found->second;
	if (allow_non_binary)
		if (auto found = words.non_binary.find(key); found != words.non_binary.end())
			return found->second;
	return 0;
}

bool IsWordCharacter(UChar32 c) {
	return c >= 0 && ((U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0 || c == '\'' || c == 0x2019);
}

// Several words that all say the same: "he/him", "she / her", "Male (M)", "F - female". 0 when a
// word is unknown or two disagree.
char LookupWords(std::string_view value, bool allow_non_binary) {
	char agreed = 0;
	std::string key;
	const auto length = static_cast<int32_t>(value.size());
	for (int32_t i = 0; i < length;) {
		UChar32 c;
		U8_NEXT(value.data(), i, length, c);
		if (!IsWordCharacter(c))
			continue;
		int32_t start = i;
		U8_BACK_1(reinterpret_cast<const uint8_t *>(value.data()), 0, start);
		int32_t end = i;
		while (end < length) {
			int32_t next = end;
			U8_NEXT(value.data(), next, length, c);
			if (!IsWordCharacter(c))
				break;
			end = next;
		}
		i = end;
		text::LetterKey(value.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start)),
		                key);
		const char code = Lookup(key, allow_non_binary);
		if (code == 0 || (agreed != 0 && code != agreed))
			return 0;
		agreed = code;
	}
	return agreed;
}

} // namespace

bool NormalizeGender(std::string_view value, bool allow_non_binary, std::string &out) {
	value = text::Trim(value);
	text::LetterKey(value, out);
	char code = out.empty() ? 0 : Lookup(out, allow_non_binary);
	if (code == 0 && !out.empty())
		code = LookupWords(value, allow_non_binary);
	if (code == 0) {
		out.clear();
		return false;
	}
	out.assign(1, code);
	return true;
}

bool NormalizeExternalId(std::string_view value, ExternalIdRule rule, std::string &out) {
	switch (rule) {
	case ExternalIdRule::kCompactLower:
		return text::Clean(value, {true, text::Form::kAsGiven, text::Keep::kAll, text::Spaces::kRemove}, out);
	case ExternalIdRule::kTrimLower:
		text::Lower(text::Trim(value), out);
		break;
	case ExternalIdRule::kTrim:
		out.assign(text::Trim(value));
		break;
	}
	return !out.empty();
}

} // namespace capi::identity
