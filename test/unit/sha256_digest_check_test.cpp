// IsLowercaseSha256Hex and IsSha256Hex at every position of a digest (the checks are table-driven
// without an early exit: a wrong class at any one position must still fail).
#include "core/sha256.hpp"

#include <gtest/gtest.h>

#include <string>

namespace capi {
namespace {

constexpr char kDigest[] = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";

TEST(Sha256DigestCheck, AcceptsDigestsOfEveryDigit) {
	EXPECT_TRUE(IsLowercaseSha256Hex(kDigest));
	EXPECT_TRUE(IsLowercaseSha256Hex(std::string(64, '0')));
	EXPECT_TRUE(IsLowercaseSha256Hex(std::string(64, 'f')));
	EXPECT_TRUE(IsSha256Hex(std::string(64, 'F')));
	EXPECT_FALSE(IsLowercaseSha256Hex(std::string(64, 'F')));
}

TEST(Sha256DigestCheck, RefusesOtherLengths) {
	for (const std::string &value :
	     {std::string(), std::string(kDigest).substr(1), std::string(kDigest) + "0"}) {
		EXPECT_FALSE(IsLowercaseSha256Hex(value));
		EXPECT_FALSE(IsSha256Hex(value));
	}
}

TEST(Sha256DigestCheck, RefusesAnyNonHexCharacterAtAnyPosition) {
	for (std::size_t position = 0; position < 64; position++) {
		for (char bad : {'g', 'z', 'G', ' ', '\0', '/', ':', '`', '@', '\xff', '\x80'}) {
			std::string value(kDigest);
			value[position] = bad;
			EXPECT_FALSE(IsLowercaseSha256Hex(value)) << position << " " << int(bad);
			EXPECT_FALSE(IsSha256Hex(value)) << position << " " << int(bad);
		}
		std::string upper(kDigest);
		upper[position] = 'A';
		EXPECT_FALSE(IsLowercaseSha256Hex(upper)) << position;
		EXPECT_TRUE(IsSha256Hex(upper)) << position;
	}
}

} // namespace
} // namespace capi
