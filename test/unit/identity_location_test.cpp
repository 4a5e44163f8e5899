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

std::string Zip(const char *value, const char *region, ZipRule rule = ZipRule::kCompact) {
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
