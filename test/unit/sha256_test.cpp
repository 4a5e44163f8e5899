#include "core/sha256.hpp"

#include <gtest/gtest.h>

namespace capi {
namespace {

struct DigestCase {
	const char *input;
	const char *digest;
};

// Published digests: NIST's SHA-256 examples (empty, "abc":
// https://csrc.nist.gov/projects/cryptographic-standards-and-guidelines/example-values) and Meta's
// Customer Information Parameters page and CAPI Gateway example
// (https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameters/customer-information-parameters).
const DigestCase kPublishedDigests[] = {
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"john_smith@gmail.com", "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"},
    {"16505551212", "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"},
    {"mary", "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"},
    {"\xec\xa0\x95", "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14"},  // 정
    {"val\xc3\xa9ry", "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"}, // valéry (NFC)
    {"19970216", "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"},
    {"us", "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"},
    {"test@example.com", "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"},
};

class PublishedDigest : public ::testing::TestWithParam<DigestCase> {};

TEST_P(PublishedDigest, MatchesReference) {
	EXPECT_EQ(Sha256Hex(GetParam().input), GetParam().digest);
}

INSTANTIATE_TEST_SUITE_P(Sha256, PublishedDigest, ::testing::ValuesIn(kPublishedDigests));

TEST(Sha256, HashesEmbeddedNulBytes) {
	std::string with_nul("a\0b", 3);
	EXPECT_NE(Sha256Hex(with_nul), Sha256Hex("a"));
	EXPECT_EQ(Sha256Hex(with_nul).size(), kSha256HexLength);
}

TEST(Sha256, LongInputSpansManyBlocks) {
	// One million 'a': the NIST long-message vector.
	EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
	          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, RecognizesHexDigests) {
	EXPECT_TRUE(IsSha256Hex("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"));
	EXPECT_TRUE(IsSha256Hex("62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"));
	EXPECT_FALSE(IsSha256Hex("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62"));
	EXPECT_FALSE(IsSha256Hex("g2a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"));
	EXPECT_FALSE(IsSha256Hex(""));
}

// What the platforms accept (the adapters' check before sending): lowercase only, exactly 64 digits.
TEST(Sha256, RecognizesLowercaseDigests) {
	const std::string digest = Sha256Hex("john_smith@gmail.com");
	EXPECT_TRUE(IsLowercaseSha256Hex(digest));
	EXPECT_TRUE(IsLowercaseSha256Hex("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"));
	EXPECT_FALSE(IsLowercaseSha256Hex("62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"));
	EXPECT_FALSE(IsLowercaseSha256Hex("62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62F"));
	EXPECT_FALSE(IsLowercaseSha256Hex(digest.substr(1)));
	EXPECT_FALSE(IsLowercaseSha256Hex(digest + "0"));
	EXPECT_FALSE(IsLowercaseSha256Hex("g2a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"));
	EXPECT_FALSE(IsLowercaseSha256Hex(""));
	EXPECT_TRUE(IsSha256Hex(digest)); // every lowercase digest is a digest
}

} // namespace
} // namespace capi
