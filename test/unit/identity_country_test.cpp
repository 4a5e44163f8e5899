// Countries to ISO 3166-1 alpha-2 (tables built from ICU).
#include "core/identity/country.hpp"

#include <gtest/gtest.h>

namespace capi::identity {
namespace {

std::string Country(const char *value, CountryCase letter_case = CountryCase::kLower) {
	std::string out = "stale";
	if (NormalizeCountry(value, letter_case, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

TEST(IdentityCountry, Codes) {
	EXPECT_EQ(Country("us"), "us");
	EXPECT_EQ(Country(" US "), "us");
	EXPECT_EQ(Country("De"), "de");
	EXPECT_EQ(Country("USA"), "us");
	EXPECT_EQ(Country("DEU"), "de");
	EXPECT_EQ(Country("gbr"), "gb");
	EXPECT_EQ(Country("AUT"), "at"); // not "au": alpha-3 is looked up, not truncated
	EXPECT_EQ(Country("IND"), "in");
	EXPECT_EQ(Country("U.S.A."), "us");
	EXPECT_EQ(Country("U.S."), "us");
	EXPECT_EQ(Country("XX"), "<none>");
	EXPECT_EQ(Country("ZZZ"), "<none>");
}

TEST(IdentityCountry, EnglishNamesFromIcu) {
	EXPECT_EQ(Country("United States"), "us"); // Meta's example
	EXPECT_EQ(Country("united states"), "us");
	EXPECT_EQ(Country("Germany"), "de");
	EXPECT_EQ(Country("United Kingdom"), "gb");
	EXPECT_EQ(Country("Japan"), "jp");
	EXPECT_EQ(Country("South Korea"), "kr");
	EXPECT_EQ(Country("C\xc3\xb4te d\xe2\x80\x99Ivoire"), "ci"); // ICU's spelling
	EXPECT_EQ(Country("Cote d'Ivoire"), "ci");                   // without accent or curly quote
	EXPECT_EQ(Country("Bosnia and Herzegovina"), "ba");          // ICU: "Bosnia & Herzegovina"
	EXPECT_EQ(Country("Saint Kitts and Nevis"), "kn");           // ICU: "St. Kitts & Nevis"
	EXPECT_EQ(Country("St Lucia"), "lc");
	EXPECT_EQ(Country("Myanmar"), "mm");     // ICU: "Myanmar (Burma)"
	EXPECT_EQ(Country("Hong Kong"), "hk");   // ICU short name
	EXPECT_EQ(Country("Ivory Coast"), "ci"); // ICU variant name
	EXPECT_EQ(Country("Czech Republic"), "cz");
	EXPECT_EQ(Country("Czechia"), "cz");
	EXPECT_EQ(Country("T\xc3\xbcrkiye"), "tr");
	EXPECT_EQ(Country("The Netherlands"), "nl");
	EXPECT_EQ(Country("the Gambia"), "gm");
}

TEST(IdentityCountry, SynonymsAndOfficialListStyle) {
	EXPECT_EQ(Country("United States of America"), "us");
	EXPECT_EQ(Country("UK"), "gb");
	EXPECT_EQ(Country("Great Britain"), "gb");
	EXPECT_EQ(Country("England"), "gb");
	EXPECT_EQ(Country("Holland"), "nl");
	EXPECT_EQ(Country("Korea, Republic of"), "kr");
	EXPECT_EQ(Country("Korea, Democratic People's Republic of"), "kp");
	EXPECT_EQ(Country("Congo, The Democratic Republic of the"), "cd");
	EXPECT_EQ(Country("Iran (Islamic Republic of)"), "ir");
	EXPECT_EQ(Country("Virgin Islands, British"), "vg");
	EXPECT_EQ(Country("Viet Nam"), "vn");
}

TEST(IdentityCountry, NamesInOtherLanguages) {
	EXPECT_EQ(Country("Deutschland"), "de");
	EXPECT_EQ(Country("Allemagne"), "de");
	EXPECT_EQ(Country("Espa\xc3\xb1"
	                  "a"),
	          "es");                                                              // España
	EXPECT_EQ(Country("\xe6\x97\xa5\xe6\x9c\xac"), "jp");                         // 日本
	EXPECT_EQ(Country("\xe4\xb8\xad\xe5\x9b\xbd"), "cn");                         // 中国
	EXPECT_EQ(Country("\xd0\xa0\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f"), "ru"); // Россия
	EXPECT_EQ(Country("\xeb\x8c\x80\xed\x95\x9c\xeb\xaf\xbc\xea\xb5\xad"), "kr"); // 대한민국
}

// Countries by their own names in their official languages (CLDR territory data) and by official
// long names (issue 12).
TEST(IdentityCountry, NativeAndOfficialLongNames) {
	const std::pair<const char *, const char *> cases[] = {
	    {"\xc3\x89ire", "ie"},                 // Éire (Irish)
	    {"Eire", "ie"},                        //
	    {"Republic of Ireland", "ie"},         //
	    {"Bundesrepublik Deutschland", "de"},  //
	    {"Federal Republic of Germany", "de"}, //
	    {"R\xc3\xa9publique fran\xc3\xa7"
	     "aise",
	     "fr"},                    // République française
	    {"French Republic", "fr"}, //
	    {"Reino de Espa\xc3\xb1"
	     "a",
	     "es"},                                     //
	    {"Kingdom of Spain", "es"},                 //
	    {"Repubblica Italiana", "it"},              //
	    {"Koninkrijk der Nederlanden", "nl"},       //
	    {"Kingdom of the Netherlands", "nl"},       //
	    {"Schweizerische Eidgenossenschaft", "ch"}, //
	    {"Swiss Confederation", "ch"},              //
	    {"Conf\xc3\xa9"
	     "d\xc3\xa9ration suisse",
	     "ch"},                               //
	    {"Schweiz", "ch"},                    //
	    {"Suisse", "ch"},                     //
	    {"Svizzera", "ch"},                   //
	    {"Republik \xc3\x96sterreich", "at"}, //
	    {"L\xc3\xabtzebuerg", "lu"},          // Luxembourgish
	    {"Hrvatska", "hr"},                   // Croatian
	    {"Slovensko", "sk"},                  //
	    {"Slovenija", "si"},                  //
	    {"Eesti", "ee"},                      //
	    {"Latvija", "lv"},                    //
	    {"Lietuva", "lt"},                    //
	    {"\xc3\x8dsland", "is"},              // Ísland
	    {"Magyarorsz\xc3\xa1g", "hu"},        //
	    {"Rzeczpospolita Polska", "pl"},      //
	    {"\xc4\x8c"
	     "esk\xc3\xa1 republika",
	     "cz"},                                                     //
	    {"Hellenic Republic", "gr"},                                //
	    {"\xce\x95\xce\xbb\xce\xbb\xce\xac\xce\xb4\xce\xb1", "gr"}, // Ελλάδα
	    {"Estados Unidos Mexicanos", "mx"},                         //
	    {"United Mexican States", "mx"},                            //
	    {"Rep\xc3\xba"
	     "blica Federativa do Brasil",
	     "br"},                               //
	    {"Commonwealth of Australia", "au"},  //
	    {"Nippon", "jp"},                     //
	    {"Republic of China", "tw"},          // not China
	    {"People's Republic of China", "cn"}, //
	    {"Bharat", "in"},                     //
	    {"\xef\xbc\xa7\xef\xbd\x85\xef\xbd\x92\xef\xbd\x8d\xef\xbd\x81\xef\xbd\x8e\xef\xbd\x99",
	     "de"},                                    // Ｇｅｒｍａｎｙ
	    {"\xe2\x80\x9cIreland\xe2\x80\x9d", "ie"}, // in curly quotes
	};
	for (const auto &[name, code] : cases)
		EXPECT_EQ(Country(name), code) << name;
}

TEST(IdentityCountry, UnknownIsNoResult) {
	EXPECT_EQ(Country("Narnia"), "<none>");
	EXPECT_EQ(Country(""), "<none>");
	EXPECT_EQ(Country(" , "), "<none>");
	EXPECT_EQ(Country("12"), "<none>");
	// "Not applicable" is not Namibia (NA) (issue 12: a confident wrong hash).
	EXPECT_EQ(Country("N/A"), "<none>");
	EXPECT_EQ(Country("n/a"), "<none>");
	EXPECT_EQ(Country("#N/A"), "<none>");
	EXPECT_EQ(Country("U.S.A./Canada"), "<none>");
}

TEST(IdentityCountry, UpperCaseForPlainApiFields) {
	EXPECT_EQ(Country("germany", CountryCase::kUpper), "DE");
	EXPECT_EQ(Country("us", CountryCase::kUpper), "US");
}

} // namespace
} // namespace capi::identity
