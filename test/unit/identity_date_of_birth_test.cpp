// Dates of birth to YYYYMMDD.
#include "core/identity/date_of_birth.hpp"

#include <ctime>

#include <gtest/gtest.h>

namespace capi::identity {
namespace {

std::string Dob(const std::string &value, const char *region = "US") {
	std::string out = "stale";
	if (NormalizeDateOfBirth(value, region, out))
		return out;
	return out.empty() ? "<none>" : "<none, but out not cleared>";
}

TEST(IdentityDateOfBirth, MetaExample) {
	EXPECT_EQ(Dob("2/16/1997"), "19970216");
}

TEST(IdentityDateOfBirth, CommonLayouts) {
	for (const char *layout :
	     {"1997-02-16", "19970216", "1997/02/16", "1997.02.16", "1997-2-16", "02/16/1997", "2-16-1997",
	      "1997-02-16T00:00:00Z", "1997-02-16T08:30:00.000+02:00", "1997-02-16 00:00:00+00", "Feb 16, 1997",
	      "February 16 1997", "16 February 1997", "16-Feb-1997", "16th of February 1997", "Sept 16 1997",
	      "1997 Feb 16", " 1997-02-16\xc2\xa0",
	      "1997\xe5\xb9\xb4"
	      "2\xe6\x9c\x88"
	      "16\xe6\x97\xa5"}) {
		const std::string expected =
		    std::string(layout).find("Sept") != std::string::npos ? "19970916" : "19970216";
		EXPECT_EQ(Dob(layout), expected) << layout;
	}
}

// Month names and abbreviations in the main European languages, from ICU's CLDR data, with the words
// around them that those languages write (issue 12).
TEST(IdentityDateOfBirth, MonthNamesInEuropeanLanguages) {
	const char *const february[] = {
	    "16. Februar 1997",         // de
	    "16. Feb. 1997",            //
	    "am 16. Februar 1997",      //
	    "16. Feber 1997",           // de_AT colloquial (not in CLDR: added)
	    "16 f\xc3\xa9vrier 1997",   // fr
	    "16 F\xc3\xa9VRIER 1997",   //
	    "16 fevrier 1997",          // without the accent
	    "le 16 f\xc3\xa9vr. 1997",  //
	    "16 de febrero de 1997",    // es
	    "16 feb 1997",              //
	    "16 febbraio 1997",         // it
	    "il 16 febbraio 1997",      //
	    "16 de fevereiro de 1997",  // pt
	    "16 fev. 1997",             //
	    "16 februari 1997",         // nl, sv
	    "16 februar 1997",          // da, nb
	    "16 lutego 1997",           // pl (genitive)
	    "16 lutego 1997 r.",        //
	    "16 luty 1997",             // pl (nominative)
	    "16. helmikuuta 1997",      // fi
	    "16. \xc3\xbanora 1997",    // cs
	    "1997. febru\xc3\xa1r 16.", // hu
	    "16 \xc5\x9e"
	    "ubat 1997", // tr
	    "16 \xce\xa6\xce\xb5\xce\xb2\xcf\x81\xce\xbf\xcf\x85\xce\xb1\xcf\x81\xce\xaf\xce\xbf\xcf\x85 "
	    "1997",                                                                       // el
	    "16 \xd1\x84\xd0\xb5\xd0\xb2\xd1\x80\xd0\xb0\xd0\xbb\xd1\x8f 1997",           // ru февраля
	    "16 \xd1\x84\xd0\xb5\xd0\xb2\xd1\x80\xd0\xb0\xd0\xbb\xd1\x8f 1997 \xd0\xb3.", // ... г.
	    "16 \xd0\xbb\xd1\x8e\xd1\x82\xd0\xbe\xd0\xb3\xd0\xbe 1997",                   // uk лютого
	    "Sunday, February 16, 1997",       // weekday names are ignored
	    "dimanche 16 f\xc3\xa9vrier 1997", //
	    "Sonntag, 16. Februar 1997",       //
	    "16 II 1997",                      // Roman numeral months (pl, cs, hu, ro)
	    "16.II.1997",                      //
	    "1997. II. 16.",                   //
	    "February 16th, 1997",             //
	    "2nd of February 1997",            // (below: the 2nd)
	};
	for (const char *date : february) {
		const std::string expected =
		    std::string(date).find("2nd") != std::string::npos ? "19970202" : "19970216";
		EXPECT_EQ(Dob(date, "DE"), expected) << date;
		EXPECT_EQ(Dob(date, "US"), expected) << date;
	}
	EXPECT_EQ(Dob("1er f\xc3\xa9vrier 1997"), "19970201");
	EXPECT_EQ(Dob("1\xc2\xba de febrero de 1997"), "19970201"); // 1º
	EXPECT_EQ(Dob("3 M\xc3\xa4rz 1997"), "19970303");
	EXPECT_EQ(Dob("3 Mrz 1997"), "19970303");            // DIN 5008's "Mrz" (not in CLDR)
	EXPECT_EQ(Dob("16 setiembre 1997"), "19970916");     // Peru, Uruguay
	EXPECT_EQ(Dob("16 J\xc3\xa4nner 1997"), "19970116"); // Austrian
	EXPECT_EQ(Dob("16 ao\xc3\xbbt 1997"), "19970816");
	EXPECT_EQ(Dob("16 mei 1997"), "19970516");
	EXPECT_EQ(Dob("16 maggio 1997"), "19970516");
	EXPECT_EQ(Dob("16 mars 1997"), "19970316");
	EXPECT_EQ(Dob("16 mar 1997"), "19970316"); // March, not Spanish "mar." (martes)
	EXPECT_EQ(Dob("16 grudnia 1997"), "19971216");
	// Slavic month names that mean other months in Croatian (left out): Polish and Czech readings.
	EXPECT_EQ(Dob("16 listopada 1997"), "19971116");
	EXPECT_EQ(Dob("16. listopadu 1997"), "19971116");
	EXPECT_EQ(Dob("16 lipca 1997"), "19970716");
	EXPECT_EQ(Dob("16. srpna 1997"), "19970816");
	EXPECT_EQ(Dob("16 Dezember 1997"), "19971216");
	EXPECT_EQ(Dob("16 dic 1997"), "19971216");
}

// Full-width digits and words (Japanese forms) fold first (NFKC).
TEST(IdentityDateOfBirth, FullWidthForms) {
	EXPECT_EQ(Dob("\xef\xbc\x91\xef\xbc\x99\xef\xbc\x99\xef\xbc\x97\xe5\xb9\xb4\xef\xbc\x92\xe6\x9c\x88"
	              "\xef\xbc\x91\xef\xbc\x96\xe6\x97\xa5"),
	          "19970216"); // １９９７年２月１６日
	EXPECT_EQ(Dob("\xef\xbc\x91\xef\xbc\x99\xef\xbc\x99\xef\xbc\x97\xef\xbc\x8d\xef\xbc\x90\xef\xbc\x92"
	              "\xef\xbc\x8d\xef\xbc\x91\xef\xbc\x96"),
	          "19970216"); // １９９７－０２－１６
	EXPECT_EQ(Dob("1997\xeb\x85\x84 2\xec\x9b\x94 16\xec\x9d\xbc"), "19970216"); // 1997년 2월 16일
}

// Two-digit years stay without a result whatever the month name: "16 février 97" could be 1997 or
// 2097 by the text, 1897 for a very old customer, and guessing a century sends a confident wrong hash.
TEST(IdentityDateOfBirth, TwoDigitYearsStayUnreadable) {
	for (const char *date : {"16 f\xc3\xa9vrier 97", "16. Februar 97", "Feb 16, 97", "16-Feb-97", "16.02.97",
	                         "02/16/97", "97-02-16", "16 II 97"})
		EXPECT_EQ(Dob(date), "<none>") << date;
}

// Words that are neither month, weekday, ordinal nor filler make the value unreadable.
TEST(IdentityDateOfBirth, OtherWordsAreNoDate) {
	for (const char *date : {"16 Frebruar 1997", "16 of 1997", "born 16 Feb 1997", "16 Feb 1997 or so",
	                         "16 februar march 1997", "16st 02 1997 x"})
		EXPECT_EQ(Dob(date), "<none>") << date;
}

TEST(IdentityDateOfBirth, DayFirstWithDotsOrOutsideTheUs) {
	EXPECT_EQ(Dob("16.02.1997", "DE"), "19970216");
	EXPECT_EQ(Dob("16.02.1997", "US"), "19970216");
	EXPECT_EQ(Dob("03.04.1997", "US"), "19970403"); // dots: day first even in the US
	EXPECT_EQ(Dob("03/04/1997", "US"), "19970304"); // US: month first
	EXPECT_EQ(Dob("03/04/1997", "us"), "19970304");
	EXPECT_EQ(Dob("03/04/1997", "PR"), "19970304");
	EXPECT_EQ(Dob("03/04/1997", "FR"), "19970403"); // elsewhere: day first
	EXPECT_EQ(Dob("03/04/1997", "GB"), "19970403");
	EXPECT_EQ(Dob("16/02/1997", "US"), "19970216"); // 16 > 12: the only reading
	EXPECT_EQ(Dob("02/16/1997", "FR"), "19970216");
	EXPECT_EQ(Dob("1997-16-02"), "19970216");
}

TEST(IdentityDateOfBirth, CalendarValidation) {
	EXPECT_EQ(Dob("2000-02-29"), "20000229");
	EXPECT_EQ(Dob("2004-02-29"), "20040229");
	EXPECT_EQ(Dob("1900-02-29"), "<none>");
	EXPECT_EQ(Dob("1997-02-29"), "<none>");
	EXPECT_EQ(Dob("02/30/1997"), "<none>");
	EXPECT_EQ(Dob("1997-04-31"), "<none>");
	EXPECT_EQ(Dob("1997-00-10"), "<none>");
	EXPECT_EQ(Dob("13/13/1997"), "<none>");
	EXPECT_EQ(Dob("1900-01-01"), "19000101");
	EXPECT_EQ(Dob("1899-12-31"), "<none>");
}

TEST(IdentityDateOfBirth, YearUpToTheCurrentOne) {
	std::time_t now = std::time(nullptr);
	std::tm utc{};
	gmtime_r(&now, &utc);
	const int year = utc.tm_year + 1900;
	EXPECT_EQ(Dob(std::to_string(year) + "-01-01"), std::to_string(year) + "0101");
	EXPECT_EQ(Dob(std::to_string(year + 2) + "-01-01"), "<none>");
	EXPECT_EQ(Dob("2999-01-01"), "<none>");
}

TEST(IdentityDateOfBirth, GarbageIsNoResult) {
	for (const char *garbage : {"", " ", "tomorrow", "16/02/97", "1997", "1997-02", "02/16", "Feb 1997",
	                            "16 Foo 1997", "1/2/3/1997", "19970216123", "abc19970216", "1997-02-16x"})
		EXPECT_EQ(Dob(garbage), "<none>") << garbage;
}

} // namespace
} // namespace capi::identity
