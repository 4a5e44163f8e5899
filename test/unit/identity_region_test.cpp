// Region arguments: what capi.normalize('country', ...) accepts, or ZZ; nothing else (issue 12).
#include "core/identity/region.hpp"

#include <gtest/gtest.h>

#include "core/identity/normalize.hpp"

namespace capi::identity {
namespace {

std::string Resolved(const char *text) {
	std::string code = "stale";
	return ResolveRegion(text, code) ? code : "<none>";
}

TEST(IdentityRegion, AcceptsWhatTheCountryFieldAccepts) {
	const std::pair<const char *, const char *> cases[] = {
	    {"US", "US"},      {"us", "US"},          {" de ", "DE"},
	    {"DEU", "DE"},     {"gbr", "GB"},         {"UK", "GB"},
	    {"Germany", "DE"}, {"Deutschland", "DE"}, {"United States", "US"},
	    {"U.S.A.", "US"},  {"\xc3\x89ire", "IE"}, {"Great Britain", "GB"},
	    {"ZZ", "ZZ"},      {"zz", "ZZ"},
	};
	for (const auto &[text, code] : cases)
		EXPECT_EQ(Resolved(text), code) << text;
}

TEST(IdentityRegion, RefusesWhatIsNoRegion) {
	for (const char *text : {"XX", "QQ", "", "  ", "Narnia", "EU", "001", "U", "USAA", "Europe", "n/a"})
		EXPECT_EQ(Resolved(text), "<none>") << text;
	// Agreement with the country field on the same inputs.
	for (const char *text : {"XX", "Narnia", "Germany", "DEU", "zz"}) {
		std::string country;
		const bool is_country = Normalize(Field::kCountry, Platform::kGoogle, text, "US", country);
		std::string code;
		const bool is_region = ResolveRegion(text, code);
		if (std::string_view(text) != "zz") {
			EXPECT_EQ(is_region, is_country) << text;
			if (is_country) {
				EXPECT_EQ(code, country) << text;
			}
		}
	}
}

// A region is given (an argument) or assumed (the default): only a given US region reads four digits
// as a ZIP code whose leading zero was lost.
TEST(IdentityRegion, GivenOrDefaultThroughNormalize) {
	std::string out;
	ASSERT_TRUE(Normalize(Field::kZip, Platform::kMeta, "2134", Region("US", true), out));
	EXPECT_EQ(out, "02134");
	ASSERT_TRUE(Normalize(Field::kZip, Platform::kMeta, "2134", Region("US", false), out));
	EXPECT_EQ(out, "2134");
	ASSERT_TRUE(Hash(Field::kZip, Platform::kMeta, "2134", "US", out)); // a literal is a given region
	std::string padded;
	ASSERT_TRUE(Hash(Field::kZip, Platform::kMeta, "02134", "US", padded));
	EXPECT_EQ(out, padded);
}

} // namespace
} // namespace capi::identity
