// The match keys each platform is scored on (core/quality/match_keys.hpp): weights, presence by the
// bag's lookup rule, recorded unusable keys, the score and the packed form the report view reads.
#include "core/quality/match_keys.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/identity/acceptance.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/quality/match_report.hpp"

namespace capi::quality {
namespace {

using identity::Field;
using identity::Platform;
using nlohmann::json;

constexpr Platform kPlatforms[] = {Platform::kMeta,     Platform::kGoogle, Platform::kTikTok,
                                   Platform::kLinkedIn, Platform::kSnap,   Platform::kReddit,
                                   Platform::kPinterest};

constexpr const char *kEmptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// sha256("a@example.com")
constexpr const char *kEmailDigest = "08168cd80dfd534ab0f10af10f1303fe00af2d43ab5c1432360d137f8197e17a";

Presence Of(const json &bag, Platform platform) {
	return Evaluate(JsonBag(bag), platform);
}

TEST(QualityMatchKeys, SentKeysOfEveryPlatformWeighTenPointsTogether) {
	for (Platform platform : kPlatforms) {
		int total = 0;
		for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
			const KeyRule &rule = RuleFor(platform, static_cast<MatchKey>(k));
			if (rule.use == Use::kSent) {
				EXPECT_GT(rule.weight_milli, 0) << identity::PlatformName(platform) << " " << k;
				total += rule.weight_milli;
			} else {
				EXPECT_EQ(rule.weight_milli, 0);
			}
		}
		EXPECT_EQ(total, 10000) << identity::PlatformName(platform);
		EXPECT_EQ(ScoreMilli(SentKeys(platform), platform), 10000) << identity::PlatformName(platform);
		EXPECT_EQ(ScoreMilli(0, platform), 0);
	}
}

TEST(QualityMatchKeys, OnlyFieldsThePlatformAcceptsAreScored) {
	for (Platform platform : kPlatforms)
		for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
			const KeyRule &rule = RuleFor(platform, static_cast<MatchKey>(k));
			if (rule.use != Use::kNone && rule.field) {
				EXPECT_TRUE(identity::PlatformAcceptsField(platform, *rule.field))
				    << identity::PlatformName(platform) << " " << MatchKeyName(static_cast<MatchKey>(k));
			}
		}
}

TEST(QualityMatchKeys, PlatformOverrideWinsOverTheSharedKey) {
	// The lookup rule: "email@google" (even empty) replaces "email" for Google only.
	json bag{{"email", {kEmailDigest}}, {"email@google", json::array()}};
	EXPECT_EQ(Of(bag, Platform::kMeta).usable & Bit(MatchKey::kEmail), Bit(MatchKey::kEmail));
	EXPECT_EQ(Of(bag, Platform::kGoogle).usable & Bit(MatchKey::kEmail), 0u);
	EXPECT_EQ(Of(bag, Platform::kGoogle).unusable & Bit(MatchKey::kEmail), Bit(MatchKey::kEmail));
	json only_google{{"email@google", {kEmailDigest}}};
	EXPECT_EQ(Of(only_google, Platform::kGoogle).usable, Bit(MatchKey::kEmail));
	EXPECT_EQ(Of(only_google, Platform::kMeta).usable, 0u);
}

TEST(QualityMatchKeys, TheDigestOfTheEmptyStringIsNoIdentifier) {
	json bag{{"email", {kEmptyDigest}}, {"phone", {kEmptyDigest, std::string(64, 'a')}}};
	Presence meta = Of(bag, Platform::kMeta);
	EXPECT_EQ(meta.usable, Bit(MatchKey::kPhone)); // one real digest is enough
	EXPECT_EQ(meta.unusable, Bit(MatchKey::kEmail));
	EXPECT_FALSE(IsUsableStoredValue(kEmptyDigest));
	EXPECT_FALSE(IsUsableStoredValue("  "));
	EXPECT_TRUE(IsUsableStoredValue(kEmailDigest));
}

TEST(QualityMatchKeys, LinkedInCountsIpv4AddressesOnly) {
	Presence v6 = Of(json{{"client_ip_address", "2001:db8::1"}}, Platform::kLinkedIn);
	EXPECT_EQ(v6.usable, 0u);
	EXPECT_EQ(v6.unusable, Bit(MatchKey::kIpAddress));
	EXPECT_EQ(Of(json{{"client_ip_address", "2001:db8::1"}}, Platform::kMeta).usable,
	          Bit(MatchKey::kIpAddress));
	EXPECT_EQ(Of(json{{"client_ip_address", "203.0.113.7"}}, Platform::kLinkedIn).usable,
	          Bit(MatchKey::kIpAddress));
}

TEST(QualityMatchKeys, AnyOfGooglesClickIdsIsItsClickId) {
	for (const char *key : {"gclid", "gbraid", "wbraid"})
		EXPECT_EQ(Of(json{{key, "Cj0KCQ"}}, Platform::kGoogle).usable, Bit(MatchKey::kClickId)) << key;
	// Another platform's click id is not this one's.
	EXPECT_EQ(Of(json{{"fbc", "fb.1.1.x"}}, Platform::kGoogle).usable, 0u);
	EXPECT_EQ(Of(json{{"fbc", "fb.1.1.x"}}, Platform::kMeta).usable, Bit(MatchKey::kClickId));
	EXPECT_EQ(Of(json{{"ttp", "abc"}}, Platform::kTikTok).usable, Bit(MatchKey::kBrowserId));
}

TEST(QualityMatchKeys, GooglesAddressCountsOnlyWhole) {
	const std::uint32_t name_and_zip =
	    Bit(MatchKey::kFirstName) | Bit(MatchKey::kLastName) | Bit(MatchKey::kZip);
	int group = 0;
	for (MatchKey key : {MatchKey::kFirstName, MatchKey::kLastName, MatchKey::kZip, MatchKey::kCountry})
		group += RuleFor(Platform::kGoogle, key).weight_milli;
	EXPECT_EQ(ScoreMilli(name_and_zip, Platform::kGoogle), 0);
	EXPECT_EQ(ScoreMilli(name_and_zip | Bit(MatchKey::kCountry), Platform::kGoogle), group);
	// Other platforms weigh names on their own.
	EXPECT_EQ(ScoreMilli(Bit(MatchKey::kFirstName), Platform::kMeta),
	          RuleFor(Platform::kMeta, MatchKey::kFirstName).weight_milli);
}

TEST(QualityMatchKeys, ScoreIsTheSumOfTheWeightsOfPresentKeys) {
	for (Platform platform : kPlatforms)
		for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
			const MatchKey key = static_cast<MatchKey>(k);
			const KeyRule &rule = RuleFor(platform, key);
			if (rule.address_group)
				continue;
			const std::uint32_t without = SentKeys(platform) & ~Bit(key);
			EXPECT_EQ(ScoreMilli(SentKeys(platform), platform) - ScoreMilli(without, platform),
			          rule.weight_milli)
			    << identity::PlatformName(platform) << " " << MatchKeyName(key);
		}
}

TEST(QualityMatchKeys, WithheldKeysAreNeverProbedNorScored) {
	// LinkedIn's names are stored as "first_name@linkedin": [] (privacy exception): not unusable, not sent.
	json bag{{"first_name", {kEmailDigest}}, {"first_name@linkedin", json::array()}};
	Presence linkedin = Of(bag, Platform::kLinkedIn);
	EXPECT_EQ(linkedin.usable, 0u);
	EXPECT_EQ(linkedin.unusable, 0u);
	EXPECT_EQ(RuleFor(Platform::kLinkedIn, MatchKey::kFirstName).use, Use::kWithheld);
}

TEST(QualityMatchKeys, RecordedUnusableKeysMapToThePlatformsMatchKeys) {
	Presence meta;
	AddRecordedUnusable("phone", Platform::kMeta, meta);
	AddRecordedUnusable("fbc", Platform::kMeta, meta);
	AddRecordedUnusable("ttclid", Platform::kMeta, meta); // not Meta's
	AddRecordedUnusable("client_ip_address", Platform::kMeta, meta);
	EXPECT_EQ(meta.unusable, Bit(MatchKey::kPhone) | Bit(MatchKey::kClickId) | Bit(MatchKey::kIpAddress));
	Presence google;
	AddRecordedUnusable("gender", Platform::kGoogle, google); // Google has no gender
	AddRecordedUnusable("wbraid", Platform::kGoogle, google);
	EXPECT_EQ(google.unusable, Bit(MatchKey::kClickId));
	// Usable stays usable: another value of the key was used.
	Presence usable;
	usable.usable = Bit(MatchKey::kEmail);
	AddRecordedUnusable("email", Platform::kMeta, usable);
	EXPECT_EQ(usable.unusable, 0u);
}

TEST(QualityMatchKeys, PackedPresenceCarriesBitsAndCounts) {
	for (Platform platform : kPlatforms) {
		Presence presence;
		presence.usable = Bit(MatchKey::kEmail) | Bit(MatchKey::kIpAddress) | Bit(MatchKey::kGender);
		presence.unusable = Bit(MatchKey::kPhone) | Bit(MatchKey::kEmail) | Bit(MatchKey::kClickId);
		const std::int64_t packed = PackPresence(presence, platform);
		const std::uint32_t sent = SentKeys(platform);
		const std::uint32_t usable = presence.usable & sent;
		const std::uint32_t unusable = presence.unusable & sent & ~usable;
		Presence back = UnpackPresence(packed);
		EXPECT_EQ(back.usable, usable);
		EXPECT_EQ(back.unusable, unusable);
		EXPECT_EQ((packed >> 32) & 0xff, __builtin_popcount(usable));
		EXPECT_EQ((packed >> 40) & 0xff, __builtin_popcount(unusable));
	}
}

} // namespace
} // namespace capi::quality
