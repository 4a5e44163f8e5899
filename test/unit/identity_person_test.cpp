// Gender and external_id.
#include "core/identity/person.hpp"

#include <gtest/gtest.h>

namespace capi::identity {
namespace {

std::string Gender(const char *value, bool allow_non_binary = false) {
	std::string out = "stale";
	if (NormalizeGender(value, allow_non_binary, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

std::string ExternalId(const char *value, ExternalIdRule rule) {
	std::string out = "stale";
	if (NormalizeExternalId(value, rule, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

TEST(IdentityGender, EnglishWords) {
	for (const char *male : {"m", "M", " m ", "Male", "male ", "MALE", "man", "Mr.", "boy"})
		EXPECT_EQ(Gender(male), "m") << male;
	for (const char *female : {"f", "F", "\tF\xc2\xa0", "Female", "woman", "Mrs", "Ms.", "girl"})
		EXPECT_EQ(Gender(female), "f") << female;
}

TEST(IdentityGender, OtherLanguages) {
	EXPECT_EQ(Gender("M\xc3\xa4nnlich"), "m"); // Männlich
	EXPECT_EQ(Gender("Frau"), "f");
	EXPECT_EQ(Gender("Femme"), "f");
	EXPECT_EQ(Gender("Hombre"), "m");
	EXPECT_EQ(Gender("Mujer"), "f");
	EXPECT_EQ(Gender("\xd0\x96\xd0\x95\xd0\x9d\xd0\xa1\xd0\x9a\xd0\x98\xd0\x99"), "f"); // ЖЕНСКИЙ
	EXPECT_EQ(Gender("\xe7\x94\xb7"), "m");                                             // 男
	EXPECT_EQ(Gender("\xe5\xa5\xb3\xe6\x80\xa7"), "f");                                 // 女性
	EXPECT_EQ(Gender("\xec\x97\xac\xec\x84\xb1"), "f");                                 // 여성
}

// Salutations in the main European languages, each with its counterpart (issue 12: "Herr" gave no
// result while "Frau" gave f).
TEST(IdentityGender, SalutationsBothWays) {
	const std::pair<const char *, const char *> pairs[] = {
	    {"Mr", "Mrs"},
	    {"Mr.", "Ms."},
	    {"Mister", "Miss"},
	    {"Sir", "Madam"},
	    {"Sir", "Ma'am"},
	    {"Herr", "Frau"},
	    {"Hr.", "Fr\xc3\xa4ulein"},
	    {"Herr", "Frl."},
	    {"Monsieur", "Madame"},
	    {"M.", "Mme"},
	    {"Monsieur", "Mlle"},
	    {"Monsieur", "Mademoiselle"},
	    {"Se\xc3\xb1or", "Se\xc3\xb1ora"},
	    {"Senor", "Senora"},
	    {"Sr.", "Sra."},
	    {"Sr", "Srta."},
	    {"Se\xc3\xb1or", "Se\xc3\xb1orita"},
	    {"Signore", "Signora"},
	    {"Sig.", "Sig.ra"},
	    {"Signor", "Signorina"},
	    {"Sig.", "Sig.na"},
	    {"Senhor", "Senhora"},
	    {"Sr.", "Sr\xc2\xaa"},
	    {"Meneer", "Mevrouw"},
	    {"Dhr.", "Mevr."},
	    {"Dhr", "Mw."},
	    {"Pan", "Pani"},
	    {"Herr", "Fru"},
	    {"Herra", "Rouva"},
	    {"Bay", "Bayan"},
	    {"Domnul", "Doamna"},
	    {"Pan", "Pan\xc3\xad"},
	    {"\xce\x9a\xcf\x8d\xcf\x81\xce\xb9\xce\xbf\xcf\x82",
	     "\xce\x9a\xcf\x85\xcf\x81\xce\xaf\xce\xb1"}, // Κύριος, Κυρία
	    {"\xd0\x93\xd0\xbe\xd1\x81\xd0\xbf\xd0\xbe\xd0\xb4\xd0\xb8\xd0\xbd",
	     "\xd0\x93\xd0\xbe\xd1\x81\xd0\xbf\xd0\xbe\xd0\xb6\xd0\xb0"}, // Господин, Госпожа
	};
	for (const auto &[male, female] : pairs) {
		EXPECT_EQ(Gender(male), "m") << male;
		EXPECT_EQ(Gender(female), "f") << female;
		EXPECT_EQ(Gender(male, true), "m") << male;
		EXPECT_EQ(Gender(female, true), "f") << female;
	}
}

// The words of gender fields on forms in the main European languages, both ways.
TEST(IdentityGender, FormWordsBothWays) {
	const std::pair<const char *, const char *> pairs[] = {
	    {"Male", "Female"},
	    {"man", "woman"},
	    {"M\xc3\xa4nnlich", "Weiblich"},
	    {"maennlich", "weiblich"},
	    {"Mann", "Frau"},
	    {"Masculin", "F\xc3\xa9minin"},
	    {"Homme", "Femme"},
	    {"H", "F"},
	    {"Masculino", "Femenino"},
	    {"Masculino", "Feminino"},
	    {"Hombre", "Mujer"},
	    {"Var\xc3\xb3n", "Mujer"},
	    {"Homem", "Mulher"},
	    {"Maschio", "Femmina"},
	    {"Maschile", "Femminile"},
	    {"Uomo", "Donna"},
	    {"Mannelijk", "Vrouwelijk"},
	    {"Man", "Vrouw"},
	    {"Man", "Kvinna"},
	    {"Manlig", "Kvinnlig"},
	    {"Mand", "Kvinde"},
	    {"Mandlig", "Kvindelig"},
	    {"Mann", "Kvinne"},
	    {"Mannlig", "Kvinnelig"},
	    {"Mies", "Nainen"},
	    {"M\xc4\x99\xc5\xbc"
	     "czyzna",
	     "Kobieta"},
	    {"M\xc4\x99ska", "\xc5\xbb"
	                     "e\xc5\x84ska"},
	    {"Mu\xc5\xbe", "\xc5\xbd"
	                   "ena"},
	    {"B\xc4\x83rbat", "Femeie"},
	    {"Erkek", "Kad\xc4\xb1n"},
	    {"Erkek", "Kadin"},
	    {"F\xc3\xa9rfi", "Woman"},
	    {"\xd0\x9c", "\xd0\x96"},
	    {"\xd0\x9c\xd1\x83\xd0\xb6\xd1\x81\xd0\xba\xd0\xbe\xd0\xb9",
	     "\xd0\x96\xd0\xb5\xd0\xbd\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9"},
	    {"\xce\x86\xcf\x81\xcf\x81\xce\xb5\xce\xbd", "\xce\x98\xce\xae\xce\xbb\xcf\x85"}, // Άρρεν, Θήλυ
	    {"\xef\xbc\xad\xef\xbd\x81\xef\xbd\x8c\xef\xbd\x85", "\xef\xbc\xa6"}, // full-width Ｍａｌｅ, Ｆ
	};
	for (const auto &[male, female] : pairs) {
		EXPECT_EQ(Gender(male), "m") << male;
		EXPECT_EQ(Gender(female), "f") << female;
	}
}

// META-PB maps pronouns and a few other words; so do we, and several words that agree.
TEST(IdentityGender, PronounsAndWordsThatAgree) {
	for (const char *male : {"he", "him", "his", "himself", "He/Him", "he / him / his", "Male (M)",
	                         "M - male", "Mr. Male", "gentleman", "husband"})
		EXPECT_EQ(Gender(male), "m") << male;
	for (const char *female : {"she", "her", "hers", "herself", "She/Her", "she/her/hers", "F - Female",
	                           "Female, Mrs.", "lady", "wife", "F?"})
		EXPECT_EQ(Gender(female), "f") << female;
	// Words that disagree, or one that is not a gender word: no result.
	for (const char *mixed : {"M/F", "Male/Female", "he/she", "Mr & Mrs", "Mr and Mrs", "she/they",
	                          "they/them", "his wife", "female or male"})
		EXPECT_EQ(Gender(mixed), "<none>") << mixed;
}

// Every listed word means one thing: none is both male and female.
TEST(IdentityGender, NoWordIsBothMaleAndFemale) {
	for (const char *word : {"m", "f", "mr", "ms", "mrs", "miss", "herr", "frau", "h", "sr", "sra", "pan",
	                         "pani", "man", "mann", "mand", "dame", "madam", "sir"}) {
		const std::string gender = Gender(word);
		EXPECT_TRUE(gender == "m" || gender == "f") << word << ": " << gender;
	}
	EXPECT_EQ(Gender("no"), "<none>"); // not Hungarian "nő" without its accent
	EXPECT_EQ(Gender("Nein"), "<none>");
	EXPECT_EQ(Gender("yes"), "<none>");
}

TEST(IdentityGender, AnythingElseIsNoResult) {
	for (const char *other : {"", " ", "x", "unknown", "other", "mf", "n", "non-binary", "3"})
		EXPECT_EQ(Gender(other), "<none>") << other;
}

TEST(IdentityGender, PinterestAcceptsNonBinary) {
	EXPECT_EQ(Gender("n", true), "n");
	EXPECT_EQ(Gender("Non-Binary", true), "n");
	EXPECT_EQ(Gender("nonbinary", true), "n");
	EXPECT_EQ(Gender("F", true), "f");
	EXPECT_EQ(Gender("x", true), "<none>");
}

TEST(IdentityExternalId, PerRule) {
	EXPECT_EQ(ExternalId("  ABC 123\t", ExternalIdRule::kCompactLower), "abc123");
	EXPECT_EQ(ExternalId("  ABC 123\t", ExternalIdRule::kTrimLower), "abc 123");
	EXPECT_EQ(ExternalId("  ABC 123\t", ExternalIdRule::kTrim), "ABC 123");
	EXPECT_EQ(ExternalId("\xc3\x84"
	                     "BC",
	                     ExternalIdRule::kTrimLower),
	          "\xc3\xa4"
	          "bc");                                                             // ÄBC
	EXPECT_EQ(ExternalId("A\xcc\x88", ExternalIdRule::kTrimLower), "a\xcc\x88"); // no NFC
	EXPECT_EQ(ExternalId(" \xc2\xa0 ", ExternalIdRule::kCompactLower), "<none>");
	EXPECT_EQ(ExternalId("", ExternalIdRule::kTrim), "<none>");
}

} // namespace
} // namespace capi::identity
