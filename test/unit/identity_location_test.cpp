// City, state, postal code and street (docs/normalization.md).
#include "core/identity/location.hpp"

#include <gtest/gtest.h>

namespace capi::identity {
namespace {

// Returns the normalized value, or "<none>" when there is no result (out must then be empty).
std::string City(const char *value, AddressRule rule = AddressRule::kCompact) {
	std::string out = "stale";
	if (NormalizeCity(value, rule, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

std::string State(const char *value, AddressRule rule = AddressRule::kCompact) {
	std::string out = "stale";
	if (NormalizeState(value, rule, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

std::string Zip(const char *value, Region region, ZipRule rule = ZipRule::kCompact) {
	std::string out = "stale";
	if (NormalizeZip(value, region, rule, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

TEST(IdentityCity, CompactIsLowercaseLettersAndDigits) {
	EXPECT_EQ(City("New York"), "newyork");
	EXPECT_EQ(City("Paris"), "paris");
	EXPECT_EQ(City(" St. Louis\t"), "stlouis");
	EXPECT_EQ(City("Winston-Salem"), "winstonsalem");
	EXPECT_EQ(City("S\xc3\xa3o Paulo"), "s\xc3\xa3opaulo");  // São Paulo
	EXPECT_EQ(City("Sa\xcc\x83o Paulo"), "s\xc3\xa3opaulo"); // NFD in
	EXPECT_EQ(City("\xd0\x9c\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0"),
	          "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");           // Москва
	EXPECT_EQ(City("\xe6\x9d\xb1\xe4\xba\xac"), "\xe6\x9d\xb1\xe4\xba\xac"); // 東京
	EXPECT_EQ(City("12345"), "<none>");
	EXPECT_EQ(City(" - "), "<none>");
	EXPECT_EQ(City(""), "<none>");
}

// Compatibility forms fold (NFKC): full-width letters, ligatures, half-width katakana.
TEST(IdentityCity, CompatibilityFormsFold) {
	EXPECT_EQ(City("\xef\xbc\xb4\xef\xbd\x8f\xef\xbd\x8b\xef\xbd\x99\xef\xbd\x8f"), "tokyo"); // Ｔｏｋｙｏ
	EXPECT_EQ(City("\xef\xac\x81nland"), "finland");                                          // ﬁnland
	EXPECT_EQ(City("\xef\xbd\xb5\xef\xbd\xb0\xef\xbd\xbb\xef\xbd\xb6"),
	          "\xe3\x82\xaa\xe3\x83\xbc\xe3\x82\xb5\xe3\x82\xab"); // ｵｰｻｶ -> オーサカ
	EXPECT_EQ(City("S\xc3\xa3o Paulo"), "s\xc3\xa3opaulo");        // unchanged: already NFKC
}

TEST(IdentityCity, PlainForGoogleKeepsWords) {
	EXPECT_EQ(City("  San   Francisco ", AddressRule::kPlain), "san francisco");
	EXPECT_EQ(City("St. Louis", AddressRule::kPlain), "st. louis");
	EXPECT_EQ(City("...", AddressRule::kPlain), "<none>");
}

TEST(IdentityState, NamesBecomeCodes) {
	EXPECT_EQ(State("California"), "ca");
	EXPECT_EQ(State("  new york "), "ny");
	EXPECT_EQ(State("NEW\xc2\xa0YORK"), "ny");
	EXPECT_EQ(State("Ontario"), "on");
	EXPECT_EQ(State("Qu\xc3\xa9"
	                "bec"),
	          "qc");
	EXPECT_EQ(State("Quebec"), "qc");
	EXPECT_EQ(State("District of Columbia"), "dc");
	EXPECT_EQ(State("Puerto Rico"), "pr");
	EXPECT_EQ(State("Newfoundland and Labrador"), "nl");
	EXPECT_EQ(State("West Virginia"), "wv");
	EXPECT_EQ(State("Virginia"), "va");
}

TEST(IdentityState, CodesAndOtherRegions) {
	EXPECT_EQ(State("CA"), "ca");
	EXPECT_EQ(State(" az "), "az");
	EXPECT_EQ(State("N.Y."), "ny");
	EXPECT_EQ(State("US-CA"), "ca"); // ISO 3166-2
	EXPECT_EQ(State("Bavaria"), "bavaria");
	EXPECT_EQ(State("Baden-W\xc3\xbcrttemberg"), "badenw\xc3\xbcrttemberg");
	EXPECT_EQ(State("\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd"),
	          "\xe6\x9d\xb1\xe4\xba\xac\xe9\x83\xbd"); // 東京都
	EXPECT_EQ(State("42"), "<none>");
	EXPECT_EQ(State(""), "<none>");
}

// AP and GPO style abbreviations, traditional and Canadian Press ones (issue 12).
TEST(IdentityState, AbbreviationsBecomeCodes) {
	const std::pair<const char *, const char *> cases[] = {
	    {"Ala.", "al"},    {"Ariz.", "az"},   {"Ark.", "ar"},   {"Calif.", "ca"},       {"Cal.", "ca"},
	    {"CALIF", "ca"},   {"Colo.", "co"},   {"Conn.", "ct"},  {"Del.", "de"},         {"D.C.", "dc"},
	    {"Fla.", "fl"},    {"Ga.", "ga"},     {"Ill.", "il"},   {"Ind.", "in"},         {"Kan.", "ks"},
	    {"Kans.", "ks"},   {"Ky.", "ky"},     {"La.", "la"},    {"Md.", "md"},          {"Mass.", "ma"},
	    {"Mich.", "mi"},   {"Minn.", "mn"},   {"Miss.", "ms"},  {"Mo.", "mo"},          {"Mont.", "mt"},
	    {"Neb.", "ne"},    {"Nebr.", "ne"},   {"Nev.", "nv"},   {"N.H.", "nh"},         {"N.J.", "nj"},
	    {"N.M.", "nm"},    {"N. Mex.", "nm"}, {"N.Y.", "ny"},   {"N.C.", "nc"},         {"N.D.", "nd"},
	    {"N. Dak.", "nd"}, {"Okla.", "ok"},   {"Ore.", "or"},   {"Oreg.", "or"},        {"Pa.", "pa"},
	    {"Penn.", "pa"},   {"Penna.", "pa"},  {"R.I.", "ri"},   {"S.C.", "sc"},         {"S.D.", "sd"},
	    {"S. Dak.", "sd"}, {"Tenn.", "tn"},   {"Tex.", "tx"},   {"Vt.", "vt"},          {"Va.", "va"},
	    {"Wash.", "wa"},   {"W. Va.", "wv"},  {"W.Va.", "wv"},  {"Wis.", "wi"},         {"Wisc.", "wi"},
	    {"Wyo.", "wy"},    {"P.R.", "pr"},    {"V.I.", "vi"},   {"Alta.", "ab"},        {"B.C.", "bc"},
	    {"Man.", "mb"},    {"N.B.", "nb"},    {"Nfld.", "nl"},  {"Nfld. & Lab.", "nl"}, {"N.S.", "ns"},
	    {"N.W.T.", "nt"},  {"Ont.", "on"},    {"P.E.I.", "pe"}, {"Que.", "qc"},         {"PQ", "qc"},
	    {"Sask.", "sk"},   {"Y.T.", "yt"},
	};
	for (const auto &[written, code] : cases)
		EXPECT_EQ(State(written), code) << written;
}

// Diacritics, the Hawaiian ʻokina and its stand-ins, full-width letters, and the name with "State",
// "State of", "Commonwealth of", "Province of" around it.
TEST(IdentityState, NamesWrittenOtherwise) {
	const std::pair<const char *, const char *> cases[] = {
	    {"Hawai\xca\xbbi", "hi"},     // ʻokina U+02BB
	    {"Hawai'i", "hi"},            //
	    {"Hawai\xe2\x80\x98i", "hi"}, // U+2018
	    {"T\xc3\xab"
	     "xas",
	     "tx"},                    // Tëxas
	    {"Te\xcc\x81xas", "tx"},   // NFD
	    {"M\xc3\xadssouri", "mo"}, //
	    {"Qu\xc3\xa9"
	     "bec",
	     "qc"}, //
	    {"QU\xc3\x89"
	     "BEC",
	     "qc"},                                                                 //
	    {"\xef\xbc\xb4\xef\xbc\xa5\xef\xbc\xb8\xef\xbc\xa1\xef\xbc\xb3", "tx"}, // ＴＥＸＡＳ
	    {"\xef\xbc\xae\xef\xbc\xb9", "ny"},                                     // ＮＹ
	    {"New York State", "ny"},
	    {"NY State", "ny"},
	    {"State of New York", "ny"},
	    {"the State of New York", "ny"},
	    {"Washington State", "wa"},
	    {"Commonwealth of Massachusetts", "ma"},
	    {"Commonwealth of Pennsylvania", "pa"},
	    {"Province of Ontario", "on"},
	    {"Ontario Province", "on"},
	    {"Yukon Territory", "yt"},
	    {"Newfoundland & Labrador", "nl"},
	    {"Washington, D.C.", "dc"},
	    {"Rhode-Island", "ri"},
	};
	for (const auto &[written, code] : cases)
		EXPECT_EQ(State(written), code) << written;
	// Not a US state or Canadian province: the city rule, as before; nothing is guessed from a part.
	EXPECT_EQ(State("State"), "state");
	EXPECT_EQ(State("New State"), "newstate");
	EXPECT_EQ(State("Bavaria State"), "bavariastate");
	EXPECT_EQ(State("CA 94035"), "ca94035");                  // digits: never a code
	EXPECT_EQ(State("\xce\xa9\xce\xa9"), "\xcf\x89\xcf\x89"); // two Greek letters are no code
	EXPECT_EQ(State("Calif. Republic"), "califrepublic");
}

TEST(IdentityState, PlainForGoogleUsesUpperCaseCodes) {
	EXPECT_EQ(State("California", AddressRule::kPlain), "CA");
	EXPECT_EQ(State("ny", AddressRule::kPlain), "NY");
	EXPECT_EQ(State("Baden-W\xc3\xbcrttemberg", AddressRule::kPlain), "baden-w\xc3\xbcrttemberg");
}

TEST(IdentityZip, UsZipsKeepFiveDigits) {
	EXPECT_EQ(Zip("94035-1234", "US"), "94035");
	EXPECT_EQ(Zip(" 94035 ", "US"), "94035");
	EXPECT_EQ(Zip("94035 1234", "us"), "94035");
	EXPECT_EQ(Zip("940351234", "US"), "94035");
	EXPECT_EQ(Zip("00901-1234", "PR"), "00901");
	EXPECT_EQ(Zip("94035-1234", "DE"), "94035"); // ZIP+4 with its dash is a US ZIP anywhere
	EXPECT_EQ(Zip("940351234", "DE"), "940351234");
}

// The default region is US, so with it a four-digit value may be a foreign postcode; only a region
// the caller gives (an argument, or capi.default_region set) says the data is American (issue 12).
const Region kDefaultUs("US", /*given=*/false);

TEST(IdentityZip, LostLeadingZerosComeBackWhenTheRegionIsGivenAsUs) {
	EXPECT_EQ(Zip("2134", "US"), "02134");     // Boston, stored as a number by a spreadsheet
	EXPECT_EQ(Zip(" 2134 ", "us"), "02134");   //
	EXPECT_EQ(Zip("7030", "US"), "07030");     // Hoboken
	EXPECT_EQ(Zip("501", "US"), "00501");      // Holtsville: two zeros lost
	EXPECT_EQ(Zip("601", "PR"), "00601");      // Adjuntas, Puerto Rico
	EXPECT_EQ(Zip("802", "VI"), "00802");      // St. Thomas
	EXPECT_EQ(Zip("21341234", "US"), "02134"); // ZIP+4 stored as a number
	EXPECT_EQ(Zip("2134-1234", "US"), "02134");
	EXPECT_EQ(Zip("2134 1234", "US"), "02134");
	EXPECT_EQ(Zip("2134", "GU"), "02134");
	// Not with the default region: Australian, Swiss, Austrian, Danish postcodes have four digits.
	EXPECT_EQ(Zip("2134", kDefaultUs), "2134");
	EXPECT_EQ(Zip("8001", kDefaultUs), "8001");
	EXPECT_EQ(Zip("501", kDefaultUs), "501");
	EXPECT_EQ(Zip("21341234", kDefaultUs), "21341234");
	// Nor in another region.
	EXPECT_EQ(Zip("2134", "AU"), "2134");
	EXPECT_EQ(Zip("8001", "CH"), "8001");
	EXPECT_EQ(Zip("1010", Region("AT", false)), "1010");
	// Two digits or six are no ZIP code.
	EXPECT_EQ(Zip("21", "US"), "21");
	EXPECT_EQ(Zip("213412", "US"), "213412");
}

TEST(IdentityZip, TruncatedZipPlusFourIsItsFirstFiveDigits) {
	EXPECT_EQ(Zip("94035-12", "US"), "94035");
	EXPECT_EQ(Zip("94035-1", "US"), "94035");
	EXPECT_EQ(Zip("94035-", "US"), "94035");
	EXPECT_EQ(Zip("94035-12", kDefaultUs), "94035"); // no country writes ddddd-dd
	EXPECT_EQ(Zip("00901-12", "PR"), "00901");
	EXPECT_EQ(Zip("94035-123", "US"), "94035");
	// ddddd-ddd is Brazil's CEP: with the default region it stays one.
	EXPECT_EQ(Zip("01310-100", kDefaultUs), "01310100");
	EXPECT_EQ(Zip("01310-100", "BR"), "01310100");
	EXPECT_EQ(Zip("94035-12", "DE"), "9403512"); // not a US region: the generic rule
}

TEST(IdentityZip, FullWidthDigitsAreDigits) {
	// ９４０３５－１２３４ and ０２１３４
	EXPECT_EQ(Zip("\xef\xbc\x99\xef\xbc\x94\xef\xbc\x90\xef\xbc\x93\xef\xbc\x95\xef\xbc\x8d\xef\xbc\x91"
	              "\xef\xbc\x92\xef\xbc\x93\xef\xbc\x94",
	              kDefaultUs),
	          "94035");
	EXPECT_EQ(Zip("\xef\xbc\x92\xef\xbc\x91\xef\xbc\x93\xef\xbc\x94", "US"), "02134");
}

TEST(IdentityZip, DefaultRegionKeepsTheUsRulesThatNeedNoGuess) {
	EXPECT_EQ(Zip("94035-1234", kDefaultUs), "94035");
	EXPECT_EQ(Zip("94035", kDefaultUs), "94035");
	EXPECT_EQ(Zip("940351234", kDefaultUs), "94035");
	EXPECT_EQ(Zip("M1 1AE", kDefaultUs), "m11ae");
}

TEST(IdentityZip, OtherCountriesLoseSpacesAndDashes) {
	EXPECT_EQ(Zip("M1 1AE", "GB"), "m11ae"); // Meta's UK example
	EXPECT_EQ(Zip("M1 1AE", "US"), "m11ae"); // not US-shaped: the generic rule
	EXPECT_EQ(Zip("SW1A 1AA", "GB"), "sw1a1aa");
	EXPECT_EQ(Zip("10115", "DE"), "10115");
	EXPECT_EQ(Zip("01310-100", "BR"), "01310100");
	EXPECT_EQ(Zip("100-0001", "JP"), "1000001");
	EXPECT_EQ(Zip("K1A 0B1", "CA"), "k1a0b1");
	EXPECT_EQ(Zip("", "US"), "<none>");
	EXPECT_EQ(Zip(" - ", "US"), "<none>");
}

TEST(IdentityZip, PinterestDigitsOnly) {
	EXPECT_EQ(Zip("94035-1234", "US", ZipRule::kDigits), "94035");
	EXPECT_EQ(Zip("00-950", "PL", ZipRule::kDigits), "00950");
	EXPECT_EQ(Zip("1234 56", "SE", ZipRule::kDigits), "123456");
	EXPECT_EQ(Zip("M1 1AE", "GB", ZipRule::kDigits), "m11ae"); // digits only would leave "11"
}

TEST(IdentityZip, PlainForGoogle) {
	EXPECT_EQ(Zip(" m1  1ae ", "GB", ZipRule::kPlain), "M1 1AE");
	EXPECT_EQ(Zip("94035-1234", "US", ZipRule::kPlain), "94035");
	EXPECT_EQ(Zip("01310-100", "BR", ZipRule::kPlain), "01310-100");
}

TEST(IdentityStreet, LowercaseSingleSpaces) {
	std::string out;
	ASSERT_TRUE(NormalizeStreet("  1600  Amphitheatre\tPkwy ", out));
	EXPECT_EQ(out, "1600 amphitheatre pkwy");
	ASSERT_TRUE(NormalizeStreet("Hauptstra\xc3\x9f"
	                            "e 5",
	                            out));
	EXPECT_EQ(out, "hauptstra\xc3\x9f"
	               "e 5");
	EXPECT_FALSE(NormalizeStreet(" 42 ", out));
	EXPECT_EQ(out, "");
}

} // namespace
} // namespace capi::identity
