#include "core/identity/user_data.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/sha256.hpp"

namespace capi::identity {
namespace {

using nlohmann::json;

// Digests published in Meta's Customer Information Parameters page
// (https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameters/customer-information-parameters).
constexpr const char *kJohnSmithEmail = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
constexpr const char *kPhoneDigits =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kMary = "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec";
constexpr const char *kUs = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";

json Identifiers() {
	return json::parse(R"({
		"email": ["John_Smith@gmail.com", " john_smith@gmail.com"],
		"phone": "(650) 555-1212",
		"first_name": "Mary",
		"last_name": "Smith",
		"country": "United States",
		"zip": 94035,
		"client_ip_address": "203.0.113.7",
		"client_user_agent": "Mozilla/5.0",
		"fbc": "fb.1.1554763741205.AbCdEf",
		"gclid": "g-1",
		"ttclid": "t-1",
		"li_fat_id": "l-1",
		"epik": "e-1"
	})");
}

TEST(UserData, MetaHashesIntoArraysAndKeepsNetworkDataPlain) {
	json meta = BuildUserData(Identifiers(), Platform::kMeta, "US");
	EXPECT_EQ(meta["em"], json::array({kJohnSmithEmail})); // the duplicate is gone
	EXPECT_EQ(meta["ph"], json::array({kPhoneDigits}));
	EXPECT_EQ(meta["fn"], json::array({kMary}));
	EXPECT_EQ(meta["country"], json::array({kUs}));
	EXPECT_EQ(meta["zp"], json::array({Sha256Hex("94035")}));
	EXPECT_EQ(meta["client_ip_address"], "203.0.113.7");
	EXPECT_EQ(meta["client_user_agent"], "Mozilla/5.0");
	EXPECT_EQ(meta["fbc"], "fb.1.1554763741205.AbCdEf");
	EXPECT_FALSE(meta.contains("gclid"));
	EXPECT_FALSE(meta.contains("ttclid"));
}

TEST(UserData, GoogleUsesDataManagerIdentifiersWithPlusPhone) {
	json google = BuildUserData(Identifiers(), Platform::kGoogle, "US");
	const json &ids = google.at("userIdentifiers");
	ASSERT_EQ(ids.size(), 3u);
	EXPECT_EQ(ids[0], json({{"emailAddress", kJohnSmithEmail}}));
	EXPECT_EQ(ids[1], json({{"phoneNumber", Sha256Hex("+16505551212")}}));
	EXPECT_EQ(ids[2]["address"]["givenName"], kMary);
	EXPECT_EQ(ids[2]["address"]["regionCode"], "US");    // plain
	EXPECT_EQ(ids[2]["address"]["postalCode"], "94035"); // plain
}

TEST(UserData, TikTokPlainAddressAndClickIds) {
	json tiktok = BuildUserData(Identifiers(), Platform::kTikTok, "US");
	EXPECT_EQ(tiktok["email"], json::array({kJohnSmithEmail}));
	EXPECT_EQ(tiktok["phone"], json::array({Sha256Hex("+16505551212")}));
	EXPECT_EQ(tiktok["first_name"], kMary);
	EXPECT_EQ(tiktok["country"], "us");
	EXPECT_EQ(tiktok["ttclid"], "t-1");
	EXPECT_EQ(tiktok["ip"], "203.0.113.7");
}

TEST(UserData, LinkedInUserIdsAndPlainUserInfo) {
	json linkedin = BuildUserData(Identifiers(), Platform::kLinkedIn, "US");
	const json &ids = linkedin.at("userIds");
	ASSERT_EQ(ids.size(), 3u);
	EXPECT_EQ(ids[0], json({{"idType", "SHA256_EMAIL"}, {"idValue", kJohnSmithEmail}}));
	EXPECT_EQ(ids[1], json({{"idType", "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"}, {"idValue", "l-1"}}));
	EXPECT_EQ(ids[2], json({{"idType", "PLAINTEXT_IP_ADDRESS"}, {"idValue", "203.0.113.7"}}));
	EXPECT_EQ(linkedin["userInfo"]["countryCode"], "US");
	EXPECT_FALSE(linkedin["userInfo"]["firstName"].get<std::string>().empty());
}

TEST(UserData, LinkedInNeedsUserIdsEvenWhenEmptyAndBothNames) {
	json linkedin = BuildUserData(json::parse(R"({"first_name": "Mary"})"), Platform::kLinkedIn, "US");
	EXPECT_EQ(linkedin, json({{"userIds", json::array()}}));
}

TEST(UserData, PinterestAndSnapAndReddit) {
	json pinterest = BuildUserData(Identifiers(), Platform::kPinterest, "US");
	EXPECT_EQ(pinterest["ph"], json::array({kPhoneDigits}));
	EXPECT_EQ(pinterest["click_id"], "e-1");
	json snap = BuildUserData(Identifiers(), Platform::kSnap, "US");
	EXPECT_EQ(snap["em"], json::array({kJohnSmithEmail}));
	json reddit = BuildUserData(Identifiers(), Platform::kReddit, "US");
	EXPECT_EQ(reddit["phone_number"], Sha256Hex("+16505551212"));
	EXPECT_EQ(reddit["ip_address"], "203.0.113.7");
	EXPECT_FALSE(reddit.contains("first_name"));
}

TEST(UserData, DropsWhatCannotBeNormalized) {
	json meta = BuildUserData(json::parse(R"({"email": ["nope", null, ""], "client_ip_address": "999.1.1.1",
	                                          "phone": "12"})"),
	                          Platform::kMeta, "US");
	EXPECT_EQ(meta, json::object());
}

TEST(UserData, AlreadyHashedPassesThroughLowercased) {
	json meta =
	    BuildUserData(json{{"em", "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"}},
	                  Platform::kMeta, "US");
	EXPECT_EQ(meta["em"], json::array({kJohnSmithEmail}));
}

TEST(UserData, DigestOfTheEmptyStringIsDropped) {
	const std::string blank = "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855";
	json identifiers = {{"em", {blank, "John_Smith@gmail.com"}}, {"ph", blank}, {"external_id", blank}};
	for (Platform platform : {Platform::kMeta, Platform::kGoogle, Platform::kLinkedIn}) {
		json user = BuildUserData(identifiers, platform, "US");
		EXPECT_EQ(user.dump().find("e3b0c442"), std::string::npos) << user.dump();
		EXPECT_EQ(user.dump().find("E3B0C442"), std::string::npos) << user.dump();
	}
	EXPECT_EQ(BuildUserData(identifiers, Platform::kMeta, "US"), json({{"em", {kJohnSmithEmail}}}));
}

TEST(UserData, RejectsBadInputWithInvalidParameterValue) {
	auto expect_22023 = [](const json &input) {
		try {
			BuildUserData(input, Platform::kMeta, "US");
			ADD_FAILURE() << "no error for " << input.dump();
		} catch (const Error &error) {
			EXPECT_STREQ(error.sqlstate(), "22023");
		}
	};
	expect_22023(json::array({1, 2}));
	expect_22023(json{{"emial", "a@b.com"}});
	expect_22023(json{{"email", {{"nested", 1}}}});
	expect_22023(json{{"email", true}});
}

} // namespace
} // namespace capi::identity
