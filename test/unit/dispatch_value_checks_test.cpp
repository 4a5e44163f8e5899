#include "core/dispatch/value_checks.hpp"

#include <gtest/gtest.h>

#include <string>

namespace capi::dispatch {
namespace {

constexpr char kDigest[] = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

TEST(IsLowerHexSha256, AcceptsALowercaseDigest) {
	EXPECT_TRUE(IsLowerHexSha256(kDigest));
	EXPECT_TRUE(IsLowerHexSha256(std::string(64, '0')));
	EXPECT_TRUE(IsLowerHexSha256(std::string(64, 'f')));
}

TEST(IsLowerHexSha256, RefusesOtherLengths) {
	EXPECT_FALSE(IsLowerHexSha256(""));
	EXPECT_FALSE(IsLowerHexSha256(std::string(kDigest).substr(1)));
	EXPECT_FALSE(IsLowerHexSha256(std::string(kDigest) + "0"));
}

TEST(IsLowerHexSha256, RefusesAnyNonLowerHexCharacterAtAnyPosition) {
	for (std::size_t position = 0; position < 64; position++)
		for (char bad : {'A', 'F', 'g', 'z', 'G', ' ', '\0', '/', ':', '`', '@', '\xff', '\x80'}) {
			std::string value(kDigest);
			value[position] = bad;
			EXPECT_FALSE(IsLowerHexSha256(value)) << "position " << position << " char " << int(bad);
		}
}

} // namespace
} // namespace capi::dispatch
