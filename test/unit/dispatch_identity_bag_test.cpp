#include "core/dispatch/identity_bag.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

using identity::Field;
using identity::Platform;
using Views = std::vector<std::string_view>;

constexpr const char *kEmailHash = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
constexpr const char *kPhoneMeta =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kPhoneGoogle = "1e231c66"; // stand-in for the +16505551212 digest

constexpr const char *kBag = R"({
	"email": ["62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"],
	"phone": ["e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"],
	"phone@google": ["1e231c66"],
	"city": ["350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5"],
	"city@tiktok": ["new york"],
	"zip@meta": [],
	"zip": ["1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e"],
	"external_id": ["a", "b"],
	"client_ip_address": "203.0.113.7",
	"client_user_agent": "Mozilla/5.0",
	"fbc": "fb.1.1554763741205.AbCdEf",
	"ttclid": "t-1",
	"future_key": {"anything": [1, 2]},
	"email@futureplatform": 17
})";

TEST(IdentityBag, UnsuffixedValuesServeEveryPlatform) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(kBag, Platform::kMeta), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kEmail), Views({kEmailHash}));
	EXPECT_EQ(bag.Values(Field::kPhone), Views({kPhoneMeta}));
	EXPECT_EQ(bag.Values(Field::kExternalId), Views({"a", "b"}));
	EXPECT_TRUE(bag.Values(Field::kFirstName).empty());

	ASSERT_EQ(bag.Load(kBag, Platform::kLinkedIn), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kEmail), Views({kEmailHash}));
}

TEST(IdentityBag, SuffixedKeyWinsForItsPlatformOnly) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(kBag, Platform::kGoogle), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kPhone), Views({kPhoneGoogle}));
	ASSERT_EQ(bag.Load(kBag, Platform::kTikTok), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kCity), Views({"new york"}));
	EXPECT_EQ(bag.Values(Field::kPhone), Views({kPhoneMeta}));
	ASSERT_EQ(bag.Load(kBag, Platform::kMeta), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kCity),
	          Views({"350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5"}));
}

TEST(IdentityBag, AnExistingSuffixedKeyWinsEvenWhenEmpty) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(kBag, Platform::kMeta), std::nullopt);
	EXPECT_TRUE(bag.Values(Field::kZip).empty()); // zip@meta: [] hides zip
	ASSERT_EQ(bag.Load(kBag, Platform::kSnap), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kZip),
	          Views({"1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e"}));
}

TEST(IdentityBag, SuffixedKeyWinsWhateverTheKeyOrder) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(R"({"email@meta": ["x"], "email": ["y"]})", Platform::kMeta), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kEmail), Views({"x"}));
	ASSERT_EQ(bag.Load(R"({"email": ["y"], "email@meta": ["x"]})", Platform::kMeta), std::nullopt);
	EXPECT_EQ(bag.Values(Field::kEmail), Views({"x"}));
}

TEST(IdentityBag, EveryFieldNameIsRecognized) {
	IdentityBag bag;
	for (size_t f = 0; f < kFieldCount; ++f) {
		Field field = static_cast<Field>(f);
		std::string name(identity::FieldName(field));
		ASSERT_EQ(bag.Load("{\"" + name + "\": [\"v\"]}", Platform::kMeta), std::nullopt);
		EXPECT_EQ(bag.Values(field), Views({"v"})) << name;
		ASSERT_EQ(bag.Load("{\"" + name + "@pinterest\": [\"p\"]}", Platform::kPinterest), std::nullopt);
		EXPECT_EQ(bag.Values(field), Views({"p"})) << name;
	}
	// Meta's short keys are not bag keys.
	ASSERT_EQ(bag.Load(R"({"em": ["v"]})", Platform::kMeta), std::nullopt);
	EXPECT_TRUE(bag.Values(Field::kEmail).empty());
}

TEST(IdentityBag, PlainKeys) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(kBag, Platform::kMeta), std::nullopt);
	EXPECT_EQ(bag.Plain(PlainKey::kClientIpAddress), "203.0.113.7");
	EXPECT_EQ(bag.Plain(PlainKey::kClientUserAgent), "Mozilla/5.0");
	EXPECT_EQ(bag.Plain(PlainKey::kFbc), "fb.1.1554763741205.AbCdEf");
	EXPECT_EQ(bag.Plain(PlainKey::kTtclid), "t-1");
	EXPECT_EQ(bag.Plain(PlainKey::kFbp), "");
	EXPECT_EQ(PlainKeyName(PlainKey::kLiFatId), "li_fat_id");
	EXPECT_EQ(PlainKeyName(PlainKey::kEpik), "epik");
}

TEST(IdentityBag, LoadForgetsThePreviousBag) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(kBag, Platform::kMeta), std::nullopt);
	ASSERT_EQ(bag.Load(R"({"first_name": ["m"]})", Platform::kMeta), std::nullopt);
	EXPECT_TRUE(bag.Values(Field::kEmail).empty());
	EXPECT_EQ(bag.Plain(PlainKey::kClientIpAddress), "");
	EXPECT_EQ(bag.Values(Field::kFirstName), Views({"m"}));
}

TEST(IdentityBag, EmptyBags) {
	IdentityBag bag;
	for (const char *text : {"", "  \n", "{}"}) {
		ASSERT_EQ(bag.Load(text, Platform::kMeta), std::nullopt) << text;
		for (int f = 0; f < static_cast<int>(kFieldCount); ++f) {
			EXPECT_TRUE(bag.Values(static_cast<Field>(f)).empty());
		}
	}
}

TEST(IdentityBag, LenientShapes) {
	IdentityBag bag;
	ASSERT_EQ(bag.Load(R"({"email": "x", "phone": null, "city": ["", "c"], "fbp": ""})", Platform::kMeta),
	          std::nullopt);
	EXPECT_EQ(bag.Values(Field::kEmail), Views({"x"})); // a single string is a one-value array
	EXPECT_TRUE(bag.Values(Field::kPhone).empty());
	EXPECT_EQ(bag.Values(Field::kCity), Views({"c"})); // empty strings are absent
	EXPECT_EQ(bag.Plain(PlainKey::kFbp), "");
}

TEST(IdentityBag, Errors) {
	IdentityBag bag;
	EXPECT_EQ(bag.Load("{", Platform::kMeta), "user_data is not valid JSON");
	EXPECT_EQ(bag.Load(R"({"a":1} x)", Platform::kMeta), "user_data is not valid JSON");
	EXPECT_EQ(bag.Load("[]", Platform::kMeta), "user_data must be a JSON object");
	EXPECT_EQ(bag.Load(R"({"email": [1]})", Platform::kMeta), "user_data.email must be an array of strings");
	EXPECT_EQ(bag.Load(R"({"email@meta": {"x": 1}})", Platform::kMeta),
	          "user_data.email@meta must be an array of strings");
	EXPECT_EQ(bag.Load(R"({"fbc": ["x"]})", Platform::kMeta), "user_data.fbc must be a string");
	// A bad value of another platform does not concern this one, nor one hidden by a suffixed key.
	EXPECT_EQ(bag.Load(R"({"email@google": 5})", Platform::kMeta), std::nullopt);
	EXPECT_EQ(bag.Load(R"({"email": 5, "email@meta": ["h"]})", Platform::kMeta), std::nullopt);
}

} // namespace
} // namespace capi::dispatch
