#include "core/identity/phone.hpp"

#include <gtest/gtest.h>

#include "core/sha256.hpp"

namespace capi::identity {
namespace {

std::string Normalized(std::string_view raw, std::string_view region, PhoneStyle style) {
	std::string out;
	if (!NormalizePhone(raw, region, style, out))
		return "<none>";
	return out;
}

TEST(PhonePublishedVectors, MetaDigitsOnly) {
	EXPECT_EQ(Normalized("(650)555-1212", "US", PhoneStyle::kE164DigitsOnly), "16505551212");
	EXPECT_EQ(Sha256Hex(Normalized("(650)555-1212", "US", PhoneStyle::kE164DigitsOnly)),
	          "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
}

TEST(PhonePublishedVectors, GoogleWithPlus) {
	EXPECT_EQ(Normalized("(800)555-0100", "US", PhoneStyle::kE164WithPlus), "+18005550100");
	EXPECT_EQ(Sha256Hex(Normalized("(800)555-0100", "US", PhoneStyle::kE164WithPlus)),
	          "fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30");
	EXPECT_EQ(Sha256Hex(Normalized("(800)555-0100", "US", PhoneStyle::kE164DigitsOnly)),
	          "92cfdc5fbcd4a20fbe5d3857af6c1aba31762105bba7f21a17155e920653046c");
}

} // namespace
} // namespace capi::identity
