// The shared identifier parser (identifiers.hpp) and the hashed-or-plain table (wire_form.hpp) used by
// capi.user_data() and the outbox's identity bag.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/identity/acceptance.hpp"
#include "core/identity/identifiers.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/user_data.hpp"
#include "core/identity/wire_form.hpp"
#include "core/sha256.hpp"

namespace capi::identity {
namespace {

using nlohmann::json;
using Strings = std::vector<std::string>;

constexpr const char *kMixed = R"({
	"em": ["a@example.com", null, 7], "EMAIL": "b@example.com", "zp": 94035, "ph": 16505551212,
	"external_id": [1.5, -2, 1e20, 18446744073709551615], "email@google": [], "city@tiktok": "Rome",
	"fbc": "fb.1", "client_ip_address": ["1.2.3.4", "::1"]})";

TEST(RawIdentifiers, BothReadersGiveTheSameValues) {
	RawIdentifiers from_text;
	RawIdentifiers from_value;
	from_text.Parse(kMixed);
	from_value.Read(json::parse(kMixed));
	for (int f = 0; f < 12; ++f) {
		Field field = static_cast<Field>(f);
		if (field != Field::kEmail) { // em and EMAIL: see below
			EXPECT_EQ(from_text.Of(field), from_value.Of(field)) << FieldName(field);
		}
		for (int p = 0; p < 7; ++p) {
			Platform platform = static_cast<Platform>(p);
			EXPECT_EQ(from_text.Override(field, platform) != nullptr,
			          from_value.Override(field, platform) != nullptr);
		}
	}
	for (std::size_t k = 0; k < kPlainKeyCount; ++k)
		EXPECT_EQ(from_text.Of(static_cast<PlainKey>(k)), from_value.Of(static_cast<PlainKey>(k)));
	EXPECT_EQ(from_text.Of(Field::kZip), Strings({"94035"}));
	EXPECT_EQ(from_text.Of(Field::kPhone), Strings({"16505551212"}));
	EXPECT_EQ(from_text.Of(Field::kExternalId), Strings({"1.5", "-2", "1e+20", "18446744073709551615"}));
	// nlohmann objects are sorted by key, so compare the aliases' union only.
	Strings emails = from_text.Of(Field::kEmail);
	std::sort(emails.begin(), emails.end());
	EXPECT_EQ(emails, Strings({"7", "a@example.com", "b@example.com"}));
}

TEST(RawIdentifiers, PlatformKeysFollowTheBagsLookupRule) {
	RawIdentifiers raw;
	raw.Parse(kMixed);
	ASSERT_NE(raw.Override(Field::kEmail, Platform::kGoogle), nullptr);
	EXPECT_TRUE(raw.Override(Field::kEmail, Platform::kGoogle)->empty()); // present, even when empty
	EXPECT_TRUE(raw.For(Field::kEmail, Platform::kGoogle).empty());
	EXPECT_EQ(raw.For(Field::kEmail, Platform::kMeta).size(), 3u);
	EXPECT_EQ(raw.For(Field::kCity, Platform::kTikTok), Strings({"Rome"}));
	EXPECT_TRUE(raw.For(Field::kCity, Platform::kMeta).empty());
	EXPECT_TRUE(raw.HasOverride(Field::kCity));
	EXPECT_FALSE(raw.HasOverride(Field::kZip));
	// Parse replaces everything.
	raw.Parse(R"({"zip": "1"})");
	EXPECT_EQ(raw.Override(Field::kEmail, Platform::kGoogle), nullptr);
	EXPECT_TRUE(raw.Of(Field::kEmail).empty());
	EXPECT_TRUE(raw.Of(PlainKey::kFbc).empty());
}

TEST(RawIdentifiers, UsablePlainValues) {
	RawIdentifiers raw;
	raw.Parse(R"({"client_ip_address": [" 203.0.113.7 ", "", "2001:db8::1", "203.0.113.7", "1.2.3"],
	              "li_fat_id": ["a", " a ", "b"]})");
	EXPECT_EQ(UsablePlainValues(raw, PlainKey::kClientIpAddress), Strings({"203.0.113.7", "2001:db8::1"}));
	EXPECT_EQ(UsablePlainValues(raw, PlainKey::kClientIpAddress, /*ipv4_only=*/true),
	          Strings({"203.0.113.7"}));
	EXPECT_EQ(UsablePlainValues(raw, PlainKey::kLiFatId), Strings({"a", "b"}));
	std::string_view first;
	ASSERT_TRUE(FirstUsablePlainValue(raw, PlainKey::kClientIpAddress, first));
	EXPECT_EQ(first, "203.0.113.7");
	EXPECT_FALSE(FirstUsablePlainValue(raw, PlainKey::kFbp, first));
	EXPECT_TRUE(IsIpAddress("::ffff:192.0.2.1", false));
	EXPECT_FALSE(IsIpAddress("::ffff:192.0.2.1", true));
	EXPECT_FALSE(IsIpAddress(std::string(100, '1'), false));
	EXPECT_EQ(PlainKeyName(PlainKey::kEpik), "epik");
	EXPECT_EQ(FindPlainKey("rdt_uuid"), PlainKey::kRdtUuid);
	EXPECT_EQ(FindPlainKey("RDT_UUID"), std::nullopt);
}

TEST(WireForm, HashedOrPlainPerPlatform) {
	// Plain: TikTok city/state/country; Google city/state/zip/country; LinkedIn names, country, external_id.
	const std::pair<Platform, Field> plain[] = {
	    {Platform::kTikTok, Field::kCity},         {Platform::kTikTok, Field::kState},
	    {Platform::kTikTok, Field::kCountry},      {Platform::kGoogle, Field::kCity},
	    {Platform::kGoogle, Field::kState},        {Platform::kGoogle, Field::kZip},
	    {Platform::kGoogle, Field::kCountry},      {Platform::kLinkedIn, Field::kFirstName},
	    {Platform::kLinkedIn, Field::kLastName},   {Platform::kLinkedIn, Field::kCountry},
	    {Platform::kLinkedIn, Field::kExternalId},
	};
	int accepted_plain = 0;
	for (int p = 0; p < 7; ++p) {
		for (int f = 0; f < 12; ++f) {
			Platform platform = static_cast<Platform>(p);
			Field field = static_cast<Field>(f);
			if (!PlatformAcceptsField(platform, field))
				continue;
			bool expect_plain = false;
			for (const auto &[pp, pf] : plain)
				expect_plain = expect_plain || (pp == platform && pf == field);
			EXPECT_EQ(WantsHashed(platform, field), !expect_plain)
			    << PlatformName(platform) << " " << FieldName(field);
			accepted_plain += expect_plain;
		}
	}
	EXPECT_EQ(accepted_plain, 11);
}

TEST(WireForm, PayloadValue) {
	std::string out;
	ASSERT_TRUE(PayloadValue(Field::kEmail, Platform::kGoogle, "J.Doe+x@GMail.com", "US", out));
	EXPECT_EQ(out, Sha256Hex("jdoe@gmail.com"));
	ASSERT_TRUE(PayloadValue(Field::kCity, Platform::kTikTok, "New York", "US", out));
	EXPECT_EQ(out, "newyork");
	ASSERT_TRUE(PayloadValue(Field::kCountry, Platform::kLinkedIn, "Germany", "US", out));
	EXPECT_EQ(out, "DE");
	const std::string digest = " 350C754BA4D38897693AA077EF43072A859D23F613443133FECBBD90A3512CA5 ";
	ASSERT_TRUE(PayloadValue(Field::kCity, Platform::kMeta, digest, "US", out));
	EXPECT_EQ(out, "350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5");
	// A digest where plain text is wanted: no value ...
	EXPECT_FALSE(PayloadValue(Field::kCity, Platform::kTikTok, digest, "US", out));
	EXPECT_TRUE(out.empty());
	EXPECT_FALSE(PayloadValue(Field::kZip, Platform::kGoogle, digest, "US", out));
	EXPECT_FALSE(PayloadValue(Field::kFirstName, Platform::kLinkedIn, digest, "US", out));
	// ... except an external ID, which may itself be 64 hex digits.
	ASSERT_TRUE(PayloadValue(Field::kExternalId, Platform::kLinkedIn, digest, "US", out));
	EXPECT_EQ(out, "350C754BA4D38897693AA077EF43072A859D23F613443133FECBBD90A3512CA5");
	EXPECT_THROW(PayloadValue(Field::kPhone, Platform::kLinkedIn, digest, "US", out), Error);
	EXPECT_THROW(PayloadValue(Field::kCity, Platform::kReddit, "Rome", "US", out), Error);
}

TEST(WireForm, RuleIdsGroupPlatformsThatNormalizeAlike) {
	EXPECT_EQ(NormalizationRuleId(Field::kEmail, Platform::kMeta),
	          NormalizationRuleId(Field::kEmail, Platform::kTikTok));
	EXPECT_NE(NormalizationRuleId(Field::kEmail, Platform::kMeta),
	          NormalizationRuleId(Field::kEmail, Platform::kGoogle));
	EXPECT_NE(NormalizationRuleId(Field::kEmail, Platform::kGoogle),
	          NormalizationRuleId(Field::kEmail, Platform::kReddit));
	EXPECT_EQ(NormalizationRuleId(Field::kCity, Platform::kMeta),
	          NormalizationRuleId(Field::kCity, Platform::kTikTok));
	EXPECT_NE(NormalizationRuleId(Field::kZip, Platform::kMeta),
	          NormalizationRuleId(Field::kZip, Platform::kPinterest));
	EXPECT_NE(NormalizationRuleId(Field::kGender, Platform::kMeta),
	          NormalizationRuleId(Field::kGender, Platform::kPinterest));
	// Same id => same output, on every accepted pair, for a few values per field.
	const std::pair<Field, const char *> values[] = {
	    {Field::kEmail, "J.Doe+x@GMail.com"},
	    {Field::kPhone, "(650) 555-1212"},
	    {Field::kFirstName, "Dr. Mary-Jane"},
	    {Field::kLastName, "Smith, Jr."},
	    {Field::kCity, "São Paulo"},
	    {Field::kState, "California"},
	    {Field::kZip, "00-950"},
	    {Field::kCountry, "Deutschland"},
	    {Field::kGender, "nb"},
	    {Field::kDateOfBirth, "2/16/1997"},
	    {Field::kExternalId, " User 42 "},
	    {Field::kStreet, "1 Main St"},
	};
	for (const auto &[field, value] : values) {
		for (int a = 0; a < 7; ++a) {
			for (int b = 0; b < 7; ++b) {
				Platform pa = static_cast<Platform>(a);
				Platform pb = static_cast<Platform>(b);
				if (!PlatformAcceptsField(pa, field) || !PlatformAcceptsField(pb, field) ||
				    NormalizationRuleId(field, pa) != NormalizationRuleId(field, pb))
					continue;
				std::string na, nb;
				Normalize(field, pa, value, "US", na);
				Normalize(field, pb, value, "US", nb);
				EXPECT_EQ(na, nb) << FieldName(field) << " " << PlatformName(pa) << " " << PlatformName(pb);
			}
		}
	}
}

// The hint is part of pg_regress's expected output (expected/user_data.out).
TEST(UserDataFromSharedParser, UnknownKeyHintIsUnchanged) {
	try {
		BuildUserData(json::parse(R"({"emial": "a@b.com"})"), Platform::kMeta, "US");
		ADD_FAILURE();
	} catch (const Error &error) {
		EXPECT_STREQ(error.what(), "unknown identifier key \"emial\"");
		EXPECT_EQ(error.hint(),
		          "Valid keys are: email, phone, first_name, last_name, city, state, zip, country, gender, "
		          "date_of_birth, external_id, street (or em, ph, fn, ln, ct, st, zp, ge, db), "
		          "client_ip_address, client_user_agent, fbc, fbp, gclid, gbraid, wbraid, ttclid, ttp, "
		          "li_fat_id, sc_click_id, sc_cookie1, rdt_click_id, rdt_uuid, epik.");
	}
}

TEST(UserDataFromSharedParser, PlatformKeysAndDigestsInPlainSlots) {
	json tiktok = BuildUserData(json::parse(R"({"city": "Rome", "city@tiktok": "Milan",
	                                            "country": "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"})"),
	                            Platform::kTikTok, "US");
	EXPECT_EQ(tiktok["city"], "milan");
	EXPECT_FALSE(tiktok.contains("country")); // a digest is no country code
	json meta =
	    BuildUserData(json::parse(R"({"city": "Rome", "city@tiktok": "Milan"})"), Platform::kMeta, "US");
	EXPECT_EQ(meta["ct"], json::array({Sha256Hex("rome")}));
	try {
		BuildUserData(json::parse(R"({"a.b@example.com": 1})"), Platform::kMeta, "US");
		ADD_FAILURE();
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_EQ(std::string(error.what()).find("example"), std::string::npos);
	}
}

} // namespace
} // namespace capi::identity
