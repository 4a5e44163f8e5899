// Trimming, lowercase/NFC and character filtering shared by the identifier normalizers.
#include "core/identity/unicode_text.hpp"

#include <gtest/gtest.h>

namespace capi::identity::text {
namespace {

TEST(IdentityText, TrimsAsciiAndUnicodeWhiteSpace) {
	EXPECT_EQ(Trim("  abc \t\r\n"), "abc");
	EXPECT_EQ(Trim("\xc2\xa0"
	               "abc"
	               "\xc2\xa0"),
	          "abc"); // NBSP
	EXPECT_EQ(Trim("\xe3\x80\x80"
	               "abc"
	               "\xe2\x80\x83"),
	          "abc"); // ideographic space, em space
	EXPECT_EQ(Trim("\xef\xbb\xbf"
	               "abc"
	               "\xe2\x80\x8b"),
	          "abc");                                          // BOM, zero width space
	EXPECT_EQ(Trim("a b"), "a b");                             // inner space kept
	EXPECT_EQ(Trim("\xc3\xa9t\xc3\xa9"), "\xc3\xa9t\xc3\xa9"); // été: letters are kept
	EXPECT_EQ(Trim(" \xc2\xa0 \t"), "");
	EXPECT_EQ(Trim(""), "");
	EXPECT_EQ(Trim("\xff"
	               "a\xff"),
	          "\xff"
	          "a\xff"); // ill-formed UTF-8 is not white space
}

TEST(IdentityText, DetectsAscii) {
	EXPECT_TRUE(IsAscii(""));
	EXPECT_TRUE(IsAscii("john_smith@gmail.com, long enough for the word loop"));
	EXPECT_FALSE(IsAscii("john_smith@gmail.com, long enough for the word loop \xc3\xa9"));
	EXPECT_FALSE(IsAscii("\xc3\xa9"));
}

TEST(IdentityText, LowerNfcUsesFullCaseMappingAndComposes) {
	std::string out;
	LowerNfc("JOHN", out);
	EXPECT_EQ(out, "john");
	LowerNfc("VALE\xcc\x81RY", out); // NFD: E + COMBINING ACUTE ACCENT
	EXPECT_EQ(out, "val\xc3\xa9ry");
	LowerNfc("\xce\x9f\xce\x94\xce\xa5\xce\xa3\xce\xa3\xce\x95\xce\xa5\xce\xa3", out); // ΟΔΥΣΣΕΥΣ
	EXPECT_EQ(out, "\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x82"); // οδυσσευς (final ς)
	LowerNfc("\xc4\xb0", out);                                                          // İ, root locale
	EXPECT_EQ(out, "i\xcc\x87"); // i + COMBINING DOT ABOVE
	LowerNfc("STRA\xc3\x9f"
	         "E \xe1\xba\x9e",
	         out); // STRAßE ẞ
	EXPECT_EQ(out, "stra\xc3\x9f"
	               "e \xc3\x9f"); // ß is not folded to ss
}

// Compatibility characters become the characters they stand for (UAX #15): full-width Latin and
// digits, half-width katakana, ligatures, circled and superscript digits, letter-like symbols.
TEST(IdentityText, NfkcFoldsCompatibilityForms) {
	std::string out;
	Nfkc("\xef\xbc\xaa\xef\xbc\xaf\xef\xbc\xa8\xef\xbc\xae", out); // ＪＯＨＮ
	EXPECT_EQ(out, "JOHN");
	Nfkc("\xef\xbc\x91\xef\xbc\x92\xef\xbc\x93", out); // １２３
	EXPECT_EQ(out, "123");
	Nfkc("\xef\xac\x81", out); // ﬁ
	EXPECT_EQ(out, "fi");
	Nfkc("\xe2\x91\xa0\xc2\xb2", out); // ①²
	EXPECT_EQ(out, "12");
	Nfkc("\xef\xbd\xb6\xef\xbe\x80\xef\xbd\xb6\xef\xbe\x85", out);      // ｶﾀｶﾅ
	EXPECT_EQ(out, "\xe3\x82\xab\xe3\x82\xbf\xe3\x82\xab\xe3\x83\x8a"); // カタカナ
	Nfkc("Vale\xcc\x81ry", out);                                        // NFD in: composed, as NFC would
	EXPECT_EQ(out, "Val\xc3\xa9ry");
	Nfkc("\xec\xa0\x95", out); // 정 is unchanged
	EXPECT_EQ(out, "\xec\xa0\x95");
}

TEST(IdentityText, LowerNfkcLowercasesAfterFolding) {
	std::string out;
	LowerNfkc("\xef\xbc\xaa\xef\xbc\xaf\xef\xbc\xa8\xef\xbc\xae", out); // ＪＯＨＮ
	EXPECT_EQ(out, "john");
	LowerNfkc("\xe2\x84\x8c\xf0\x9d\x90\x89", out); // ℌ𝐉: no lowercase of their own
	EXPECT_EQ(out, "hj");
	LowerNfkc("STRASSE Stra\xc3\x9f"
	          "e \xc4\xb0",
	          out); // ß is kept, İ -> i̇
	EXPECT_EQ(out, "strasse stra\xc3\x9f"
	               "e i\xcc\x87");
	LowerNfkc("Val\xc3\xa9ry", out);
	EXPECT_EQ(out, "val\xc3\xa9ry");
	LowerNfkc("ASCII", out);
	EXPECT_EQ(out, "ascii");
}

TEST(IdentityText, LetterKeyIgnoresCaseAccentsPunctuationAndWidth) {
	std::string key;
	for (const char *written :
	     {"Cote d'Ivoire", "C\xc3\xb4te d\xe2\x80\x99Ivoire", "COTE DIVOIRE",
	      "\xef\xbc\xa3\xef\xbd\x8f\xef\xbd\x94\xef\xbd\x85 \xef\xbd\x84\xef\xbc\xa9\xef\xbd\x96"
	      "\xef\xbd\x8f\xef\xbd\x89\xef\xbd\x92\xef\xbd\x85"}) {
		LetterKey(written, key);
		EXPECT_EQ(key, "cotedivoire") << written;
	}
	LetterKey("Hawai\xca\xbbi", key); // the ʻokina is a modifier letter: dropped
	EXPECT_EQ(key, "hawaii");
	LetterKey("Bosnia & Herzegovina", key);
	EXPECT_EQ(key, "bosniaandherzegovina");
	LetterKey("Stra\xc3\x9f"
	          "e 12",
	          key); // case folding: ß meets ss; digits dropped
	EXPECT_EQ(key, "strasse");
	LetterKey("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0", key); // Москва
	EXPECT_EQ(key, "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
}

TEST(IdentityText, LowerKeepsTheNormalizationForm) {
	std::string out;
	Lower("VALE\xcc\x81RY", out);
	EXPECT_EQ(out, "vale\xcc\x81ry");
}

TEST(IdentityText, CleanRemovesSpacesAndPunctuation) {
	std::string out;
	const CleanRule compact{true, Form::kNfc, Keep::kNoPunctuation, Spaces::kRemove};
	EXPECT_TRUE(Clean(" O'Brien-Smith ", compact, out));
	EXPECT_EQ(out, "obriensmith");
	EXPECT_TRUE(Clean("O\xe2\x80\x99"
	                  "Brien\xc2\xa0"
	                  "Jr.",
	                  compact, out)); // curly apostrophe, NBSP
	EXPECT_EQ(out, "obrienjr");
	EXPECT_FALSE(Clean(" .-' ", compact, out));
	EXPECT_EQ(out, "");
}

TEST(IdentityText, CleanCollapsesSpaces) {
	std::string out;
	const CleanRule words{true, Form::kNfc, Keep::kAll, Spaces::kCollapse};
	EXPECT_TRUE(Clean(" \t1600   Amphitheatre\n Pkwy ", words, out));
	EXPECT_EQ(out, "1600 amphitheatre pkwy");
	EXPECT_TRUE(Clean("Stra\xc3\x9f"
	                  "e\xe3\x80\x80\xe3\x80\x80"
	                  "5",
	                  words, out)); // ideographic spaces
	EXPECT_EQ(out, "stra\xc3\x9f"
	               "e 5");
}

TEST(IdentityText, CleanKeepsLettersMarksAndDigitsOfEveryScript) {
	std::string out;
	const CleanRule letters{true, Form::kNfc, Keep::kLettersAndDigits, Spaces::kRemove};
	EXPECT_TRUE(Clean("S\xc3\xa3o Paulo!", letters, out)); // São Paulo
	EXPECT_EQ(out, "s\xc3\xa3opaulo");
	// राहुल: the vowel signs are combining marks and must survive.
	EXPECT_TRUE(Clean("\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xb9\xe0\xa5\x81\xe0\xa4\xb2", letters, out));
	EXPECT_EQ(out, "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xb9\xe0\xa5\x81\xe0\xa4\xb2");
	EXPECT_TRUE(Clean("\xe6\x9d\xb1\xe4\xba\xac\xe3\x83\xbb\xe9\x83\xbd", letters, out)); // 東京・都
	EXPECT_EQ(out, "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd");
}

TEST(IdentityText, FilterInPlaceCompactsARange) {
	std::string s = "Al.ice$+Apple@example.com";
	const std::size_t end = FilterInPlace(s, 0, 7, Keep::kLettersAndDigits);
	EXPECT_EQ(s.substr(0, end), "Alice");
	std::string spaced = "a b\xc2\xa0"
	                     "c";
	spaced.resize(FilterInPlace(spaced, 0, spaced.size(), Keep::kAll));
	EXPECT_EQ(spaced, "abc");
}

TEST(IdentityText, ContainsLetter) {
	EXPECT_TRUE(ContainsLetter("12a"));
	EXPECT_TRUE(ContainsLetter("\xec\xa0\x95")); // 정
	EXPECT_FALSE(ContainsLetter("12-34"));
	EXPECT_FALSE(ContainsLetter(""));
}

} // namespace
} // namespace capi::identity::text
