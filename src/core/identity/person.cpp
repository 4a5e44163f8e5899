#include "core/identity/person.hpp"

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// After lowercase (NFC) and removal of everything but letters and digits.
constexpr std::string_view kMale[] = {
    "m",
    "male",
    "man",
    "boy",
    "mr",
    "masculine",
    "masculino",
    "masculin",
    "mannlich",
    "maennlich",
    "m\xc3\xa4nnlich", // männlich
    "mann",
    "homme",
    "hombre",
    "homem",
    "uomo",
    "maschio",
    "maschile",
    "erkek",
    "mies",
    "mand",
    "mezczyzna",
    "m\xc4\x99\xc5\xbc"
    "czyzna",                                                       // mężczyzna
    "\xd0\xbc",                                                     // м
    "\xd0\xbc\xd1\x83\xd0\xb6",                                     // муж
    "\xd0\xbc\xd1\x83\xd0\xb6\xd1\x81\xd0\xba\xd0\xbe\xd0\xb9",     // мужской
    "\xd0\xbc\xd1\x83\xd0\xb6\xd1\x87\xd0\xb8\xd0\xbd\xd0\xb0",     // мужчина
    "\xe7\x94\xb7",                                                 // 男
    "\xe7\x94\xb7\xe6\x80\xa7",                                     // 男性
    "\xeb\x82\xa8",                                                 // 남
    "\xeb\x82\xa8\xec\x84\xb1",                                     // 남성
    "\xeb\x82\xa8\xec\x9e\x90",                                     // 남자
    "\xd8\xb0\xd9\x83\xd8\xb1",                                     // ذكر
    "\xe0\xa4\xaa\xe0\xa5\x81\xe0\xa4\xb0\xe0\xa5\x81\xe0\xa4\xb7", // पुरुष
};

constexpr std::string_view kFemale[] = {
    "f",
    "female",
    "woman",
    "girl",
    "mrs",
    "ms",
    "miss",
    "feminine",
    "femenino",
    "feminin",
    "f\xc3\xa9minin", // féminin
    "weiblich",
    "frau",
    "femme",
    "mujer",
    "mulher",
    "donna",
    "femmina",
    "femminile",
    "kadin",
    "kad\xc4\xb1n", // kadın
    "vrouw",
    "nainen",
    "kvinde",
    "kvinna",
    "kobieta",
    "\xd0\xb6",                                                     // ж
    "\xd0\xb6\xd0\xb5\xd0\xbd",                                     // жен
    "\xd0\xb6\xd0\xb5\xd0\xbd\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9",     // женский
    "\xd0\xb6\xd0\xb5\xd0\xbd\xd1\x89\xd0\xb8\xd0\xbd\xd0\xb0",     // женщина
    "\xe5\xa5\xb3",                                                 // 女
    "\xe5\xa5\xb3\xe6\x80\xa7",                                     // 女性
    "\xec\x97\xac",                                                 // 여
    "\xec\x97\xac\xec\x84\xb1",                                     // 여성
    "\xec\x97\xac\xec\x9e\x90",                                     // 여자
    "\xd8\xa3\xd9\x86\xd8\xab\xd9\x89",                             // أنثى
    "\xe0\xa4\xae\xe0\xa4\xb9\xe0\xa4\xbf\xe0\xa4\xb2\xe0\xa4\xbe", // महिला
};

constexpr std::string_view kNonBinary[] = {"n", "nonbinary", "nb"};

template <typename Words> bool IsOneOf(std::string_view word, const Words &words) {
	for (std::string_view candidate : words)
		if (word == candidate)
			return true;
	return false;
}

} // namespace

bool NormalizeGender(std::string_view value, bool allow_non_binary, std::string &out) {
	if (!text::Clean(value, {true, true, text::Keep::kLettersAndDigits, text::Spaces::kRemove}, out))
		return false;
	const char *code = nullptr;
	if (IsOneOf(out, kMale))
		code = "m";
	else if (IsOneOf(out, kFemale))
		code = "f";
	else if (allow_non_binary && IsOneOf(out, kNonBinary))
		code = "n";
	if (code == nullptr) {
		out.clear();
		return false;
	}
	out.assign(code);
	return true;
}

bool NormalizeExternalId(std::string_view value, ExternalIdRule rule, std::string &out) {
	switch (rule) {
	case ExternalIdRule::kCompactLower:
		return text::Clean(value, {true, false, text::Keep::kAll, text::Spaces::kRemove}, out);
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
