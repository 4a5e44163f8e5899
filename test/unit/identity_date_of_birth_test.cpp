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
