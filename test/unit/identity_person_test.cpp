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
