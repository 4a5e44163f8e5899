// capi.match_quality()'s result (core/quality/match_report.hpp): raw and hashed input, identifiers
// that fail normalization, what to add, and agreement with the stored bag the outbox keeps.
#include "core/quality/match_report.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/identity/normalize.hpp"
#include "core/outbox/identity_bag_builder.hpp"

namespace capi::quality {
namespace {

using identity::Field;
using identity::Platform;
using nlohmann::json;

constexpr Platform kPlatforms[] = {Platform::kMeta,     Platform::kGoogle, Platform::kTikTok,
                                   Platform::kLinkedIn, Platform::kSnap,   Platform::kReddit,
                                   Platform::kPinterest};

constexpr const char *kEmptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Every identifier a platform could use, raw.
const json kEverything = {
    {"email", "Mary.Jane@Example.com"},
    {"phone", "+1 (650) 555-1212"},
    {"first_name", "Mary"},
    {"last_name", "O'Brien"},
    {"city", "New York"},
    {"state", "NY"},
    {"zip", "10001"},
    {"country", "US"},
    {"gender", "female"},
    {"date_of_birth", "1997-02-16"},
    {"external_id", "user-42"},
    {"client_ip_address", "203.0.113.7"},
    {"client_user_agent", "Mozilla/5.0"},
    {"fbc", "fb.1.1554763741205.AbCd"},
    {"fbp", "fb.1.1558571054389.1098"},
    {"gclid", "Cj0KCQjw"},
    {"ttclid", "E.C.P.abc"},
    {"ttp", "ttp-1"},
    {"li_fat_id", "li-1"},
    {"sc_click_id", "sc-1"},
    {"sc_cookie1", "cookie-1"},
    {"rdt_click_id", "rdt-1"},
    {"rdt_uuid", "uuid-1"},
    {"epik", "epik-1"},
};

json Report(const json &user_data, Platform platform) {
	return MatchQualityReport(user_data.dump(), platform, "US");
}

int Milli(const json &points) {
	return static_cast<int>(std::lround(points.get<double>() * 1000));
}

// Score and gains derived from the result itself: what is present plus what could be added is ten.
void ExpectScoreAndGainsAddUpToTen(const json &report) {
	int contributions = 0;
	for (const auto &[name, entry] : report["identifiers"].items())
		contributions += Milli(entry["contribution"]);
	int gains = 0;
	for (const auto &suggestion : report["to_add"])
		gains += Milli(suggestion["gain"]);
	EXPECT_EQ(contributions + gains, 10000) << report.dump();
	EXPECT_NEAR(report["score"].get<double>(), contributions / 1000.0, 0.05) << report.dump();
}

TEST(QualityMatchReport, EverythingAPlatformUsesScoresTen) {
	for (Platform platform : kPlatforms) {
		json report = Report(kEverything, platform);
		EXPECT_EQ(report["score"], 10.0) << identity::PlatformName(platform) << report.dump();
		EXPECT_TRUE(report["to_add"].empty());
		EXPECT_EQ(report["platform"], identity::PlatformName(platform));
		ExpectScoreAndGainsAddUpToTen(report);
	}
}

TEST(QualityMatchReport, NothingScoresZeroAndSuggestsEverySentKey) {
	for (Platform platform : kPlatforms) {
		json report = Report(json::object(), platform);
		EXPECT_EQ(report["score"], 0.0);
		ExpectScoreAndGainsAddUpToTen(report);
		for (const auto &[name, entry] : report["identifiers"].items())
			EXPECT_TRUE(entry["status"] == "missing" || entry["status"] == "not_sent") << name;
	}
}

TEST(QualityMatchReport, EachIdentifierContributesItsWeightAlone) {
	// For every key a platform sends (Google's address aside), the user_data key it names in "key",
	// given alone, gives exactly its weight.
	for (Platform platform : kPlatforms) {
		json empty = Report(json::object(), platform);
		for (const auto &[name, entry] : empty["identifiers"].items()) {
			if (entry["status"] == "not_sent" || entry.contains("note"))
				continue;
			const std::string key = entry["key"];
			json one = Report(json{{key, kEverything.at(key)}}, platform);
			EXPECT_EQ(one["identifiers"][name]["status"], "present")
			    << identity::PlatformName(platform) << " " << key;
			EXPECT_EQ(Milli(one["identifiers"][name]["contribution"]), Milli(entry["weight"]));
			EXPECT_NEAR(one["score"].get<double>(), entry["weight"].get<double>(), 0.05);
			ExpectScoreAndGainsAddUpToTen(one);
		}
	}
}

TEST(QualityMatchReport, AnIdentifierThatFailsNormalizationCountsAsMissing) {
	json good =
	    Report(json{{"email", "a@example.com"}, {"client_ip_address", "203.0.113.7"}}, Platform::kMeta);
	json bad_email =
	    Report(json{{"email", "not an email"}, {"client_ip_address", "203.0.113.7"}}, Platform::kMeta);
	json ip_only = Report(json{{"client_ip_address", "203.0.113.7"}}, Platform::kMeta);
	EXPECT_EQ(bad_email["score"], ip_only["score"]);
	EXPECT_LT(bad_email["score"].get<double>(), good["score"].get<double>());
	EXPECT_EQ(bad_email["identifiers"]["em"]["status"], "unusable");
	EXPECT_EQ(bad_email["identifiers"]["em"]["contribution"], 0.0);
	EXPECT_EQ(bad_email["unusable"], json::array({"email"}));
	// The fix is suggested first: email weighs most.
	EXPECT_EQ(bad_email["to_add"][0]["action"], "fix");
	EXPECT_EQ(bad_email["to_add"][0]["keys"], json::array({"email"}));
	EXPECT_EQ(ip_only["to_add"][0]["action"], "add");
	// An invalid IP address too.
	json bad_ip = Report(json{{"client_ip_address", "999.1.1.1"}}, Platform::kMeta);
	EXPECT_EQ(bad_ip["score"], 0.0);
	EXPECT_EQ(bad_ip["identifiers"]["ip"]["status"], "unusable");
}

TEST(QualityMatchReport, HashedInputCountsAndTheEmptyStringsDigestDoesNot) {
	std::string digest;
	ASSERT_TRUE(identity::Hash(Field::kEmail, Platform::kMeta, "a@example.com", "US", digest));
	json raw = Report(json{{"email", "a@example.com"}}, Platform::kMeta);
	json hashed = Report(json{{"em", digest}}, Platform::kMeta);
	EXPECT_EQ(hashed, raw);
	json empty = Report(json{{"em", kEmptyDigest}}, Platform::kMeta);
	EXPECT_EQ(empty["score"], 0.0);
	EXPECT_EQ(empty["identifiers"]["em"]["status"], "unusable");
	EXPECT_EQ(empty["unusable"], json::array({"email"}));
	// Uppercase digests are digests too.
	std::string upper = digest;
	for (char &c : upper)
		c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
	EXPECT_EQ(Report(json{{"em", upper}}, Platform::kMeta)["score"], raw["score"]);
}

TEST(QualityMatchReport, TheStoredBagScoresAsTheRawIdentifiersThatMadeIt) {
	// What the outbox keeps (the bag and unusable_identifiers) gives the same result as the raw input:
	// the report view and the function agree.
	const json inputs[] = {
	    kEverything,
	    json{{"email", "nope"}, {"phone", "0"}, {"first_name", "Mary"}, {"client_ip_address", "2001:db8::1"}},
	    json{{"email", "John.Smith+news@gmail.com"},
	         {"country", "US"},
	         {"zip", "10001"},
	         {"last_name", "Smith"}},
	    json{{"em", kEmptyDigest}, {"gbraid", "x"}, {"fbp", "   "}},
	};
	for (const json &input : inputs) {
		std::string bag;
		outbox::UnusableKeys unusable;
		outbox::BuildIdentityBag(input.dump(), "US", bag, nullptr, &unusable);
		for (Platform platform : kPlatforms) {
			json from_bag = MatchQualityReportOfBag(
			    json::parse(bag), std::vector<std::string>(unusable.begin(), unusable.end()), platform);
			EXPECT_EQ(from_bag, Report(input, platform))
			    << input.dump() << " " << identity::PlatformName(platform);
			// And the bag given as user_data again (a stored row copied back) loses nothing usable.
			EXPECT_EQ(MatchQualityReport(bag, platform, "US")["score"], from_bag["score"]);
		}
	}
}

TEST(QualityMatchReport, GoogleSuggestsTheRestOfAnAddress) {
	json report = Report(json{{"email", "a@example.com"}, {"first_name", "Mary"}, {"last_name", "Jane"}},
	                     Platform::kGoogle);
	EXPECT_EQ(report["identifiers"]["fn"]["status"], "present");
	EXPECT_EQ(report["identifiers"]["fn"]["contribution"], 0.0);
	bool found = false;
	for (const auto &s : report["to_add"])
		if (s["keys"] == json::array({"zip", "country"})) {
			found = true;
			EXPECT_EQ(Milli(s["gain"]), 4 * Milli(report["identifiers"]["fn"]["weight"]));
		}
	EXPECT_TRUE(found) << report.dump();
	ExpectScoreAndGainsAddUpToTen(report);
	json whole = Report(json{{"email", "a@example.com"},
	                         {"first_name", "Mary"},
	                         {"last_name", "Jane"},
	                         {"zip", "10001"},
	                         {"country", "US"}},
	                    Platform::kGoogle);
	EXPECT_EQ(whole["identifiers"]["fn"]["contribution"], whole["identifiers"]["fn"]["weight"]);
	ExpectScoreAndGainsAddUpToTen(whole);
}

TEST(QualityMatchReport, LinkedInNamesAreNotSentAndIpv6IsUnusable) {
	json report =
	    Report(json{{"first_name", "Mary"}, {"last_name", "Jane"}, {"client_ip_address", "2001:db8::1"}},
	           Platform::kLinkedIn);
	EXPECT_EQ(report["identifiers"]["fn"]["status"], "not_sent");
	EXPECT_EQ(report["identifiers"]["ip"]["status"], "unusable");
	EXPECT_EQ(report["score"], 0.0);
	EXPECT_TRUE(report["unusable"].empty()); // the address is usable elsewhere: nothing failed at INSERT
	for (const auto &s : report["to_add"])
		EXPECT_NE(s["keys"][0], "first_name");
}

TEST(QualityMatchReport, SuggestionsComeLargestGainFirst) {
	for (Platform platform : kPlatforms) {
		json report = Report(json{{"client_user_agent", "Mozilla/5.0"}}, platform);
		double previous = 11;
		for (const auto &s : report["to_add"]) {
			EXPECT_LE(s["gain"].get<double>(), previous);
			previous = s["gain"].get<double>();
		}
	}
}

TEST(QualityMatchReport, BadInputIsAnErrorNamingNoValue) {
	try {
		Report(json{{"emial", "a@example.com"}}, Platform::kMeta);
		FAIL();
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_EQ(std::string(error.what()).find("a@example.com"), std::string::npos);
	}
	EXPECT_THROW(MatchQualityReport("[1]", Platform::kMeta, "US"), Error);
	EXPECT_THROW(MatchQualityReport("{", Platform::kMeta, "US"), Error);
}

} // namespace
} // namespace capi::quality
