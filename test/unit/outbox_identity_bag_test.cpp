#include "core/outbox/identity_bag_builder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dispatch/identity_bag.hpp"
#include "core/error.hpp"
#include "core/identity/acceptance.hpp"
#include "core/identity/input_limits.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/unicode_text.hpp"
#include "core/identity/user_data.hpp"
#include "core/sha256.hpp"

namespace capi::outbox {
namespace {

using dispatch::IdentityBag;
using dispatch::PlainKey;
using identity::Field;
using identity::Platform;
using nlohmann::json;
using Strings = std::vector<std::string>;

constexpr Platform kPlatforms[] = {Platform::kMeta,     Platform::kGoogle, Platform::kTikTok,
                                   Platform::kLinkedIn, Platform::kSnap,   Platform::kReddit,
                                   Platform::kPinterest};

// Digests checked with `printf %s VALUE | sha256sum`.
constexpr const char *kGmailMeta =
    "7d466b3c904fbeadd0adad30b84c397ba3f36cea7aa5e2d48a544e85cf28ab9b"; // john.smith+news@gmail.com
constexpr const char *kGmailCanonical =
    "3586de92bb3636d0885a12eff961429a32e4ebd764b96f50d85d016f9338d586"; // johnsmith@gmail.com
constexpr const char *kAliasMeta =
    "6c364feef6ca5d9d0369ef77989a2e322ba5d2262c6e384e7001d229cac9ddf6"; // al.ice+x@example.com
constexpr const char *kAliasReddit =
    "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"; // alice@example.com
constexpr const char *kPhoneDigits =
    "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"; // 16505551212
constexpr const char *kPhonePlus =
    "1e231c66011e7a2d867a9cfae267a6aff103cf4913640b6e71a99850fc0ffbc8"; // +16505551212
constexpr const char *kMaryJane =
    "f08f448a5e7a9dc3619bb7c129f6a7d5fc6af002cea17ad71dfdc1c68f4d4e0e"; // maryjane
constexpr const char *kMarySpaceJane =
    "e3a62fcabda79e1b70db99ef77d0e0af36d27e3c48bce714fac085d5058d945a"; // mary jane
constexpr const char *kObrien = "b4cb6cb33fe4b865868de825023a1e2790dc12ac01ecc8d7c5afe8254071c8ba"; // obrien
constexpr const char *kNewYork =
    "350c754ba4d38897693aa077ef43072a859d23f613443133fecbbd90a3512ca5";                         // newyork
constexpr const char *kNy = "1b06e2003f8420d6fa42badd8f77ec0f706b976b7a48b13c567dc5a559681683"; // ny
constexpr const char *kZip10001 = "e443169117a184f91186b401133b20be670c7c0896f9886075e5d9b81e9d076b"; // 10001
constexpr const char *kUs = "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621";       // us
constexpr const char *kM = "62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a";        // m
constexpr const char *kDob = "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"; // 19970216
constexpr const char *kUser42Compact =
    "fb44d98b9d56bbe49028eacc8574f5715178e6d3470d276a1697de3df68e7579"; // user42
constexpr const char *kUser42Lower =
    "d3f107896983557a456d0f1500256e966ec79eb6ae4d3e0e599354e7ae210f1e"; // user 42
constexpr const char *kUser42Kept =
    "d4e6077439e51c52bfc67ad59a5107cc0b544b0c1b0a5f98103a5706a14f7fd1"; // User 42

TEST(OutboxIdentityBag, ExactBagOfATypicalRow) {
	const char *input = R"({
		"email": ["John.Smith+news@Gmail.com", "al.ice+x@example.com", "john.smith+news@gmail.com"],
		"phone": "(650) 555-1212", "fn": "Mary Jane", "ln": "O'Brien", "ct": "New York", "st": "New York",
		"zp": "10001-1234", "country": "United States", "ge": "Male", "db": "2/16/1997",
		"external_id": " User 42 ",
		"client_ip_address": " 203.0.113.7 ", "client_user_agent": "Mozilla/5.0",
		"fbc": "fb.1.1554763741205.AbCdEf", "fbp": "fb.1.1558571054389.1098115397"})";
	std::string expected = std::string("{") +                                             //
	                       "\"email\":[\"" + kGmailMeta + "\",\"" + kAliasMeta + "\"]," + //
	                       "\"email@google\":[\"" + kGmailCanonical + "\",\"" + kAliasMeta + "\"]," +
	                       "\"email@reddit\":[\"" + kGmailCanonical + "\",\"" + kAliasReddit + "\"]," +
	                       "\"phone\":[\"" + kPhoneDigits + "\"]," +                 //
	                       "\"phone@google\":[\"" + kPhonePlus + "\"]," +            //
	                       "\"phone@tiktok\":[\"" + kPhonePlus + "\"]," +            //
	                       "\"phone@reddit\":[\"" + kPhonePlus + "\"]," +            //
	                       "\"first_name\":[\"" + kMaryJane + "\"]," +               //
	                       "\"first_name@google\":[\"" + kMarySpaceJane + "\"]," +   //
	                       "\"first_name@linkedin\":[]," +                           //
	                       "\"last_name\":[\"" + kObrien + "\"]," +                  //
	                       "\"last_name@linkedin\":[]," +                            //
	                       "\"city\":[\"" + kNewYork + "\"]," +                      //
	                       "\"city@google\":[\"new york\"]," +                       //
	                       "\"city@tiktok\":[\"newyork\"]," +                        //
	                       "\"state\":[\"" + kNy + "\"]," +                          //
	                       "\"state@google\":[\"NY\"]," +                            //
	                       "\"state@tiktok\":[\"ny\"]," +                            //
	                       "\"zip\":[\"" + kZip10001 + "\"]," +                      //
	                       "\"zip@google\":[\"10001\"]," +                           //
	                       "\"country\":[\"" + kUs + "\"]," +                        //
	                       "\"country@google\":[\"US\"]," +                          //
	                       "\"country@tiktok\":[\"us\"]," +                          //
	                       "\"country@linkedin\":[\"US\"]," +                        //
	                       "\"gender\":[\"" + kM + "\"]," +                          //
	                       "\"date_of_birth\":[\"" + kDob + "\"]," +                 //
	                       "\"external_id\":[\"" + kUser42Compact + "\"]," +         //
	                       "\"external_id@tiktok\":[\"" + kUser42Lower + "\"]," +    //
	                       "\"external_id@linkedin\":[]," +                          //
	                       "\"external_id@reddit\":[\"" + kUser42Kept + "\"]," +     //
	                       "\"external_id@pinterest\":[\"" + kUser42Lower + "\"]," + //
	                       "\"client_ip_address\":\"203.0.113.7\"," +                //
	                       "\"client_user_agent\":\"Mozilla/5.0\"," +                //
	                       "\"fbc\":\"fb.1.1554763741205.AbCdEf\"," +                //
	                       "\"fbp\":\"fb.1.1558571054389.1098115397\"}";
	EXPECT_EQ(BuildIdentityBag(input, "US"), expected);
}

// Rich inputs for the table-driven tests: one IP address per row (the bag keeps one per key).
struct Row {
	const char *name;
	const char *region;
	const char *json;
};

const std::vector<Row> &Rows() {
	static const auto *rows = new std::vector<Row>{
	    {"us_shopper", "US", R"({
	        "email": ["John.Smith+news@Gmail.com", "Al.ice$+Apple@Example.Com", "nope", null, ""],
	        "phone": ["(650) 555-1212", "+44 20 7946 0958", "12"],
	        "first_name": "Vale\u0301ry", "last_name": "O'Brien-Smith, Jr.", "city": "São Paulo",
	        "state": "California", "zip": "94035-1234", "country": "United States", "gender": "Female",
	        "date_of_birth": "1997-02-16", "external_id": [" User 42 ", "user42"],
	        "client_ip_address": "203.0.113.7", "client_user_agent": " Mozilla/5.0 (X11) ",
	        "fbc": "fb.1.1554763741205.AbCdEf", "fbp": "fb.1.1558571054389.1098115397", "gclid": "g-1",
	        "gbraid": "gb-1", "wbraid": "wb-1", "ttclid": "t-1", "ttp": "tp-1", "li_fat_id": "l-1",
	        "sc_click_id": "s-1", "sc_cookie1": "sc-1", "rdt_click_id": "r-1", "rdt_uuid": "ru-1",
	        "epik": "e-1"})"},
	    {"short_keys_and_numbers", "US", R"({
	        "em": "  MARY@EXAMPLE.COM ", "ph": 16505551212, "fn": "Mary Jane", "ln": "Smith",
	        "ct": "New York", "st": "NY", "zp": 94035, "ge": "m", "db": "02/16/1997",
	        "client_ip_address": "2001:DB8::1"})"},
	    {"already_hashed", "US", R"({
	        "email": "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F",
	        "phone": "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176",
	        "first_name": "6915771BE1C5AA0C886870B6951B03D7EAFC121FEA0E80A5EA83BEB7C449F4EC",
	        "last_name": "Smith",
	        "city": "350C754BA4D38897693AA077EF43072A859D23F613443133FECBBD90A3512CA5",
	        "country": "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621",
	        "zip": " 1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e ",
	        "external_id": "D4E6077439E51C52BFC67AD59A5107CC0B544B0C1B0A5F98103A5706A14F7FD1",
	        "client_ip_address": ["999.1.1.1", "198.51.100.4"]})"},
	    {"europe", "GB", R"({
	        "email": ["łukasz@example.pl", "Zoë.Müller@Example.DE"], "phone": ["020 7946 0958", "+49 30 901820"],
	        "first_name": "Łukasz", "last_name": "Müller-Lüdenscheidt", "city": "Москва", "state": "Bavaria",
	        "zip": ["M1 1AE", "01310-100"], "country": ["DEU", "Deutschland", "gb"], "gender": "女性",
	        "date_of_birth": "16.02.1997", "client_ip_address": "192.0.2.1"})"},
	    {"google_only_and_pinterest_only", "US", R"({
	        "street": "1600 Amphitheatre Pkwy", "gender": "non-binary", "first_name": "Dr. Mary-Jane",
	        "last_name": "Smith Jr", "email": "cloudy.sanfrancisco+shopping@googlemail.com",
	        "zip": "00-950", "external_id": "ABC"})"},
	    {"nothing_usable", "US", R"({"email": ["nope", null], "phone": "", "country": "Atlantis",
	        "client_ip_address": "not an ip", "fbc": "  "})"},
	    {"empty", "US", "{}"},
	};
	return *rows;
}

// One field of a platform's user object (capi::identity::BuildUserData) and how many values it holds.
struct Slot {
	Field field;
	bool single; // a string (the first value) rather than an array
};

// The values BuildUserData put in platform's object per field; a field absent from the map is one the
// object has no place for. Google's address parts are singles, present only all together.
std::map<Field, Strings> UserObjectFields(const json &user, Platform platform,
                                          std::map<Field, bool> &single) {
	std::map<Field, Strings> fields;
	auto put = [&](Field field, bool is_single, const json *value) {
		single[field] = is_single;
		Strings &values = fields[field];
		if (value == nullptr)
			return;
		if (value->is_array())
			for (const auto &v : *value)
				values.push_back(v.get<std::string>());
		else
			values.push_back(value->get<std::string>());
	};
	auto member = [&](const char *key) -> const json * {
		auto it = user.find(key);
		return it == user.end() ? nullptr : &*it;
	};
	switch (platform) {
	case Platform::kMeta:
	case Platform::kSnap:
	case Platform::kPinterest: {
		const std::pair<const char *, Field> keys[] = {{"em", Field::kEmail},
		                                               {"ph", Field::kPhone},
		                                               {"fn", Field::kFirstName},
		                                               {"ln", Field::kLastName},
		                                               {"ge", Field::kGender},
		                                               {"db", Field::kDateOfBirth},
		                                               {"ct", Field::kCity},
		                                               {"st", Field::kState},
		                                               {"zp", Field::kZip},
		                                               {"country", Field::kCountry},
		                                               {"external_id", Field::kExternalId}};
		for (const auto &[key, field] : keys)
			put(field, platform == Platform::kSnap && field == Field::kDateOfBirth, member(key));
		break;
	}
	case Platform::kGoogle: {
		Strings emails, phones;
		const json *address = nullptr;
		for (const auto &id : user.at("userIdentifiers")) {
			if (id.contains("emailAddress"))
				emails.push_back(id["emailAddress"]);
			if (id.contains("phoneNumber"))
				phones.push_back(id["phoneNumber"]);
			if (id.contains("address"))
				address = &id["address"];
		}
		fields[Field::kEmail] = emails;
		fields[Field::kPhone] = phones;
		single[Field::kEmail] = single[Field::kPhone] = false;
		if (address != nullptr) {
			put(Field::kFirstName, true, &(*address)["givenName"]);
			put(Field::kLastName, true, &(*address)["familyName"]);
			put(Field::kCountry, true, &(*address)["regionCode"]);
			put(Field::kZip, true, &(*address)["postalCode"]);
		}
		break;
	}
	case Platform::kTikTok:
		put(Field::kEmail, false, member("email"));
		put(Field::kPhone, false, member("phone"));
		put(Field::kExternalId, false, member("external_id"));
		put(Field::kFirstName, true, member("first_name"));
		put(Field::kLastName, true, member("last_name"));
		put(Field::kZip, true, member("zip_code"));
		put(Field::kCity, true, member("city"));
		put(Field::kState, true, member("state"));
		put(Field::kCountry, true, member("country"));
		break;
	case Platform::kLinkedIn: {
		Strings emails;
		for (const auto &id : user.at("userIds"))
			if (id["idType"] == "SHA256_EMAIL")
				emails.push_back(id["idValue"]);
		fields[Field::kEmail] = emails;
		single[Field::kEmail] = false;
		// userInfo names and externalIds are plain personal data: not in the bag (tested separately).
		if (user.contains("userInfo") && user["userInfo"].contains("countryCode"))
			put(Field::kCountry, true, &user["userInfo"]["countryCode"]);
		break;
	}
	case Platform::kReddit:
		put(Field::kEmail, true, member("email"));
		put(Field::kPhone, true, member("phone_number"));
		put(Field::kExternalId, true, member("external_id"));
		break;
	}
	return fields;
}

// The plain keys BuildUserData put in platform's object, by bag key.
std::map<PlainKey, std::string> UserObjectPlainKeys(const json &user, Platform platform) {
	std::map<std::string, PlainKey> names;
	switch (platform) {
	case Platform::kMeta:
		names = {{"client_ip_address", PlainKey::kClientIpAddress},
		         {"client_user_agent", PlainKey::kClientUserAgent},
		         {"fbc", PlainKey::kFbc},
		         {"fbp", PlainKey::kFbp}};
		break;
	case Platform::kSnap:
		names = {{"client_ip_address", PlainKey::kClientIpAddress},
		         {"client_user_agent", PlainKey::kClientUserAgent},
		         {"sc_click_id", PlainKey::kScClickId},
		         {"sc_cookie1", PlainKey::kScCookie1}};
		break;
	case Platform::kPinterest:
		names = {{"client_ip_address", PlainKey::kClientIpAddress},
		         {"client_user_agent", PlainKey::kClientUserAgent},
		         {"click_id", PlainKey::kEpik}};
		break;
	case Platform::kTikTok:
		names = {{"ip", PlainKey::kClientIpAddress},
		         {"user_agent", PlainKey::kClientUserAgent},
		         {"ttclid", PlainKey::kTtclid},
		         {"ttp", PlainKey::kTtp}};
		break;
	case Platform::kReddit:
		names = {{"ip_address", PlainKey::kClientIpAddress},
		         {"user_agent", PlainKey::kClientUserAgent},
		         {"uuid", PlainKey::kRdtUuid}};
		break;
	case Platform::kLinkedIn: {
		std::map<PlainKey, std::string> plain;
		for (const auto &id : user.at("userIds")) {
			if (id["idType"] == "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID" && !plain.count(PlainKey::kLiFatId))
				plain[PlainKey::kLiFatId] = id["idValue"];
			if (id["idType"] == "PLAINTEXT_IP_ADDRESS" && !plain.count(PlainKey::kClientIpAddress))
				plain[PlainKey::kClientIpAddress] = id["idValue"];
		}
		return plain;
	}
	case Platform::kGoogle:
		return {};
	}
	std::map<PlainKey, std::string> plain;
	for (const auto &[name, key] : names)
		if (user.contains(name))
			plain[key] = user[name];
	return plain;
}

Strings ToStrings(const std::vector<std::string_view> &views) {
	return Strings(views.begin(), views.end());
}

TEST(OutboxIdentityBag, ReadingTheBagBackGivesWhatUserDataSendsOnEveryPlatform) {
	IdentityBag bag;
	int compared = 0;
	for (const Row &row : Rows()) {
		const json identifiers = json::parse(row.json);
		const std::string text = BuildIdentityBag(identifiers.dump(), row.region);
		for (Platform platform : kPlatforms) {
			SCOPED_TRACE(std::string(row.name) + " / " + std::string(identity::PlatformName(platform)));
			const json user = identity::BuildUserData(identifiers, platform, row.region);
			ASSERT_EQ(bag.Load(text, platform), std::nullopt) << text;
			std::map<Field, bool> single;
			for (const auto &[field, expected] : UserObjectFields(user, platform, single)) {
				SCOPED_TRACE(std::string(identity::FieldName(field)));
				Strings actual = ToStrings(bag.Values(field));
				if (single[field]) {
					if (expected.empty()) {
						EXPECT_TRUE(actual.empty());
					} else {
						ASSERT_FALSE(actual.empty());
						EXPECT_EQ(actual.front(), expected.front());
					}
				} else {
					EXPECT_EQ(actual, expected);
				}
				++compared;
			}
			if (platform == Platform::kGoogle &&
			    user.at("userIdentifiers").dump().find("\"address\"") == std::string::npos) {
				// No address identifier: one of its four parts is missing from the bag too.
				bool some_missing = false;
				for (Field part : {Field::kFirstName, Field::kLastName, Field::kCountry, Field::kZip})
					some_missing = some_missing || bag.Values(part).empty();
				EXPECT_TRUE(some_missing);
			}
			const std::map<PlainKey, std::string> plain = UserObjectPlainKeys(user, platform);
			for (std::size_t k = 0; k < dispatch::kPlainKeyCount; ++k) {
				PlainKey key = static_cast<PlainKey>(k);
				auto it = plain.find(key);
				if (it != plain.end()) {
					EXPECT_EQ(bag.Plain(key), it->second) << dispatch::PlainKeyName(key);
					++compared;
				}
			}
			// Plain personal data LinkedIn wants is not in the bag (documented exclusion).
			if (platform == Platform::kLinkedIn) {
				EXPECT_TRUE(bag.Values(Field::kFirstName).empty());
				EXPECT_TRUE(bag.Values(Field::kLastName).empty());
				EXPECT_TRUE(bag.Values(Field::kExternalId).empty());
			}
		}
	}
	EXPECT_GT(compared, 250); // the table really exercises the comparisons
}

// Every field x platform pair against Normalize/Hash called for that platform alone (no rule sharing).
TEST(OutboxIdentityBag, EveryAcceptedFieldMatchesItsPlatformsOwnNormalization) {
	IdentityBag bag;
	for (const Row &row : Rows()) {
		const json identifiers = json::parse(row.json);
		const std::string text = BuildIdentityBag(identifiers.dump(), row.region);
		for (Platform platform : kPlatforms) {
			ASSERT_EQ(bag.Load(text, platform), std::nullopt);
			for (int f = 0; f < 12; ++f) {
				Field field = static_cast<Field>(f);
				if (!identity::PlatformAcceptsField(platform, field))
					continue;
				SCOPED_TRACE(std::string(row.name) + " / " + std::string(identity::PlatformName(platform)) +
				             " / " + std::string(identity::FieldName(field)));
				bool plain_wanted =
				    (platform == Platform::kTikTok &&
				     (field == Field::kCity || field == Field::kState || field == Field::kCountry)) ||
				    (platform == Platform::kGoogle && (field == Field::kCity || field == Field::kState ||
				                                       field == Field::kZip || field == Field::kCountry)) ||
				    (platform == Platform::kLinkedIn && field != Field::kEmail);
				bool personal = field != Field::kCity && field != Field::kState && field != Field::kZip &&
				                field != Field::kCountry;
				Strings expected;
				if (!(plain_wanted && personal)) {
					for (const auto &[key, value] : identifiers.items()) {
						if (identity::FindField(key) != field)
							continue;
						for (const json &v : value.is_array() ? value : json::array({value})) {
							if (v.is_null())
								continue;
							std::string raw = v.is_string() ? v.get<std::string>() : v.dump();
							std::string out;
							bool ok;
							if (!plain_wanted)
								ok = identity::Hash(field, platform, raw, row.region, out);
							else
								ok = !IsSha256Hex(identity::text::Trim(raw)) &&
								     identity::Normalize(field, platform, raw, row.region, out);
							if (ok && std::find(expected.begin(), expected.end(), out) == expected.end())
								expected.push_back(out);
						}
					}
				}
				EXPECT_EQ(ToStrings(bag.Values(field)), expected);
			}
		}
	}
}

TEST(OutboxIdentityBag, OnlyCoarseLocationIsEverStoredInClear) {
	for (const Row &row : Rows()) {
		const json bag = json::parse(BuildIdentityBag(row.json, row.region));
		for (const auto &[key, value] : bag.items()) {
			std::string field_name = key.substr(0, key.find('@'));
			std::optional<Field> field = identity::FindField(field_name);
			if (!field)
				continue; // a plain key
			bool coarse = *field == Field::kCity || *field == Field::kState || *field == Field::kZip ||
			              *field == Field::kCountry;
			for (const json &v : value) {
				const std::string s = v.get<std::string>();
				if (!coarse) {
					EXPECT_TRUE(IsSha256Hex(s)) << row.name << " " << key << ": " << s;
					EXPECT_EQ(s, identity::text::Trim(s));
					for (char c : s)
						EXPECT_FALSE(c >= 'A' && c <= 'F') << row.name << " " << key;
				}
			}
		}
	}
}

TEST(OutboxIdentityBag, AlreadyHashedValuesStayHashesAndNeverFillPlainSlots) {
	const json bag = json::parse(BuildIdentityBag(Rows()[2].json, "US"));
	EXPECT_EQ(bag["email"],
	          json::array({"62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"}));
	EXPECT_FALSE(bag.contains("email@google")); // every platform uses the same digest
	EXPECT_FALSE(bag.contains("phone@google")); // a digest cannot gain a '+'
	EXPECT_EQ(bag["first_name"],
	          json::array({"6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"}));
	EXPECT_FALSE(bag.contains("first_name@google"));
	// Where plain text is wanted, a digest is no value at all.
	EXPECT_EQ(bag["city"], json::array({kNewYork}));
	EXPECT_EQ(bag["city@google"], json::array());
	EXPECT_EQ(bag["city@tiktok"], json::array());
	EXPECT_EQ(bag["country@google"], json::array());
	EXPECT_EQ(bag["country@linkedin"], json::array());
	EXPECT_EQ(bag["zip"], json::array({"1794327a4d443904421f5ca1f3d72d0a62ba2f0770d80755ec2220fc0efb052e"}));
	EXPECT_EQ(bag["zip@google"], json::array());
	EXPECT_EQ(bag["external_id"], json::array({kUser42Kept}));
	EXPECT_EQ(bag["external_id@linkedin"], json::array());
	// A raw value next to digests is hashed as usual.
	EXPECT_EQ(bag["last_name"], json::array({Sha256Hex("smith")}));
	EXPECT_EQ(bag["client_ip_address"], "198.51.100.4"); // the first valid address
}

TEST(OutboxIdentityBag, PlatformSpecificVariantsOnlyWhereTheyDiffer) {
	const json bag = json::parse(BuildIdentityBag(Rows()[4].json, "US"));
	// street: Google only, hashed; no unsuffixed key since Meta has no street.
	EXPECT_FALSE(bag.contains("street"));
	EXPECT_EQ(bag["street@google"], json::array({Sha256Hex("1600 amphitheatre pkwy")}));
	// gender: only Pinterest knows non-binary.
	EXPECT_FALSE(bag.contains("gender"));
	EXPECT_EQ(bag["gender@pinterest"], json::array({Sha256Hex("n")}));
	EXPECT_FALSE(bag.contains("gender@snap"));
	// Google's own name rules: honorific and suffix dropped, first names keep their hyphen.
	EXPECT_EQ(bag["first_name"], json::array({Sha256Hex("drmaryjane")}));
	EXPECT_EQ(bag["first_name@google"], json::array({Sha256Hex("mary-jane")}));
	EXPECT_EQ(bag["last_name@google"], json::array({Sha256Hex("smith")}));
	// googlemail.com: the local part is rewritten, the domain kept.
	EXPECT_EQ(bag["email@google"], json::array({Sha256Hex("cloudysanfrancisco@googlemail.com")}));
	EXPECT_EQ(bag["email@reddit"], json::array({Sha256Hex("cloudysanfrancisco@googlemail.com")}));
	// Pinterest zip "digits only".
	EXPECT_EQ(bag["zip"], json::array({Sha256Hex("00950")}));
	EXPECT_FALSE(bag.contains("zip@pinterest"));
	EXPECT_EQ(bag["zip@google"], json::array({"00-950"}));
	// external_id: Meta/Snap compact lowercase, TikTok/Pinterest lowercase, Reddit as given.
	EXPECT_EQ(bag["external_id"], json::array({Sha256Hex("abc")}));
	EXPECT_FALSE(bag.contains("external_id@tiktok"));
	EXPECT_EQ(bag["external_id@reddit"], json::array({Sha256Hex("ABC")}));
}

TEST(OutboxIdentityBag, PhonesInNationalAndInternationalFormsWithTheRegion) {
	const json gb = json::parse(BuildIdentityBag(R"({"phone": ["020 7946 0958", "+1 650 555 1212"]})", "GB"));
	EXPECT_EQ(gb["phone"], json::array({Sha256Hex("442079460958"), kPhoneDigits}));
	EXPECT_EQ(gb["phone@google"], json::array({Sha256Hex("+442079460958"), kPhonePlus}));
	EXPECT_EQ(gb["phone@tiktok"], gb["phone@google"]);
	EXPECT_EQ(gb["phone@reddit"], gb["phone@google"]);
	EXPECT_FALSE(gb.contains("phone@snap"));
	EXPECT_FALSE(gb.contains("phone@pinterest"));
	EXPECT_FALSE(gb.contains("phone@linkedin"));
	// The same national number read in the US is impossible there: no result at all.
	EXPECT_EQ(BuildIdentityBag(R"({"phone": "020 7946 0958"})", "US"), "{}");
}

TEST(OutboxIdentityBag, PlainKeysKeepTheFirstUsableValueTrimmed) {
	const json bag = json::parse(BuildIdentityBag(R"({
		"client_ip_address": ["", "300.1.1.1", " 2001:DB8::1 ", "203.0.113.7"],
		"client_user_agent": [" UA/1 ", "UA/2"], "fbc": "", "fbp": [null, " fb.1.2.3 "],
		"gclid": 12345, "rdt_click_id": "r-1"})",
	                                              "US"));
	EXPECT_EQ(bag, json({{"client_ip_address", "2001:DB8::1"},
	                     {"client_user_agent", "UA/1"},
	                     {"fbp", "fb.1.2.3"},
	                     {"gclid", "12345"},
	                     {"rdt_click_id", "r-1"}}));
}

// Documented limit: a plain key keeps one value, so LinkedIn's lists shrink to the first one.
TEST(OutboxIdentityBag, PlainKeysKeepOneValueEvenWhereLinkedInTakesSeveral) {
	const json raw =
	    json::parse(R"({"client_ip_address": ["2001:db8::1", "203.0.113.7"], "li_fat_id": ["l-1", "l-2"]})");
	const json linkedin = identity::BuildUserData(raw, Platform::kLinkedIn, "US");
	EXPECT_EQ(linkedin["userIds"].size(), 3u); // l-1, l-2 and the IPv4 address
	IdentityBag bag;
	ASSERT_EQ(bag.Load(BuildIdentityBag(raw.dump(), "US"), Platform::kLinkedIn), std::nullopt);
	EXPECT_EQ(bag.Plain(PlainKey::kLiFatId), "l-1");
	EXPECT_EQ(bag.Plain(PlainKey::kClientIpAddress), "2001:db8::1"); // not an address LinkedIn takes
}

TEST(OutboxIdentityBag, DigestOfTheEmptyStringIsNeverStored) {
	const std::string blank = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const json raw = {
	    {"email", {" " + blank + " "}}, {"phone", blank}, {"external_id", blank}, {"country", blank}};
	EXPECT_EQ(BuildIdentityBag(raw.dump(), "US"), "{}");
}

TEST(OutboxIdentityBag, NothingUsableIsAnEmptyObject) {
	EXPECT_EQ(BuildIdentityBag("{}", "US"), "{}");
	EXPECT_EQ(BuildIdentityBag(" { } ", "US"), "{}");
	EXPECT_EQ(BuildIdentityBag(Rows()[5].json, "US"), "{}");
	EXPECT_EQ(BuildIdentityBag(R"({"email": [], "phone": null, "fn": "!!!", "ttclid": " "})", "US"), "{}");
}

TEST(OutboxIdentityBag, BuildingIsIdempotent) {
	for (const Row &row : Rows()) {
		const std::string once = BuildIdentityBag(row.json, row.region);
		EXPECT_EQ(BuildIdentityBag(once, row.region), once) << row.name;
		// PostgreSQL hands the trigger jsonb text: other key order, spaces after ':' and ','.
		EXPECT_EQ(BuildIdentityBag(json::parse(once).dump(1), row.region), once) << row.name;
	}
}

TEST(OutboxIdentityBag, UserDataOfAStoredBagEqualsUserDataOfTheRawIdentifiers) {
	for (const Row &row : Rows()) {
		const json raw = json::parse(row.json);
		const json bag = json::parse(BuildIdentityBag(row.json, row.region));
		for (Platform platform : kPlatforms) {
			json from_raw = identity::BuildUserData(raw, platform, row.region);
			json from_bag = identity::BuildUserData(bag, platform, row.region);
			if (platform == Platform::kLinkedIn) { // the documented exclusions
				from_raw.erase("userInfo");
				from_raw.erase("externalIds");
			}
			EXPECT_EQ(from_bag, from_raw) << row.name << " / " << identity::PlatformName(platform);
		}
	}
}

TEST(OutboxIdentityBag, KeyOrderIsFixedWhateverTheInputOrder) {
	const std::string a =
	    BuildIdentityBag(R"({"fbp": "p", "zip": "94035", "email": "a@example.com", "ct": "Rome"})", "US");
	const std::string b =
	    BuildIdentityBag(R"({"email": "a@example.com", "ct": "Rome", "fbp": "p", "zip": "94035"})", "US");
	EXPECT_EQ(a, b);
	EXPECT_LT(a.find("\"email\""), a.find("\"city\""));
	EXPECT_LT(a.find("\"city@tiktok\""), a.find("\"zip\""));
	EXPECT_LT(a.find("\"zip@google\""), a.find("\"fbp\""));
}

// A value given under "field@platform" replaces the shared ones for that platform only.
TEST(OutboxIdentityBag, PlatformKeysInTheInputOverrideForThatPlatform) {
	const json bag = json::parse(BuildIdentityBag(
	    R"({"email": "a@example.com", "email@google": "b@example.com", "city@tiktok": [], "ct": "Rome"})",
	    "US"));
	EXPECT_EQ(bag["email"], json::array({Sha256Hex("a@example.com")}));
	EXPECT_EQ(bag["email@google"], json::array({Sha256Hex("b@example.com")}));
	EXPECT_EQ(bag["city@tiktok"], json::array());
	EXPECT_EQ(bag["city@google"], json::array({"rome"}));
}

struct BadInput {
	const char *json;
	const char *sqlstate;
	const char *message;      // a fragment of the message
	const char *hint;         // a fragment of the hint, or ""
	const char *never_echoed; // a fragment that must appear in neither, or ""
};

TEST(OutboxIdentityBag, BadInputIsRejectedWithoutEchoingValues) {
	const BadInput cases[] = {
	    {"[]", "22023", "identifiers must be a JSON object", "Pass an object", ""},
	    {"null", "22023", "identifiers must be a JSON object", "", ""},
	    {"\"a@b.com\"", "22023", "identifiers must be a JSON object", "", "a@b.com"},
	    {"{", "22P02", "not valid JSON", "", ""},
	    {R"({"emial": "john@example.com"})", "22023", "unknown identifier key \"emial\"", "client_ip_address",
	     "john@example.com"},
	    {R"({"john@example.com": "x"})", "22023", "unknown identifier key (not shown", "email, phone",
	     "john@example.com"},
	    {R"({"email@myspace": "john@example.com"})", "22023", "unknown platform after \"email@\"", "tiktok",
	     "john@example.com"},
	    {R"({"phone@linkedin": "+16505551212"})", "22023", "platform linkedin does not accept field phone",
	     "", "6505551212"},
	    {R"({"email": true})", "22023", "identifier \"email\" must be a string, a number, null or an array",
	     "", ""},
	    {R"({"email": ["john@example.com", ["x"]]})", "22023", "identifier \"email\" must be", "",
	     "john@example.com"},
	    {R"({"phone": {"number": "6505551212"}})", "22023", "identifier \"phone\" must be", "", "6505551212"},
	    {R"({"zip": 123456789012345678901234567890})", "22023", "number too large", "JSON strings",
	     "1234567"},
	};
	for (const BadInput &c : cases) {
		SCOPED_TRACE(c.json);
		try {
			BuildIdentityBag(c.json, "US");
			ADD_FAILURE() << "no error";
		} catch (const Error &error) {
			EXPECT_STREQ(error.sqlstate(), c.sqlstate);
			EXPECT_NE(std::string(error.what()).find(c.message), std::string::npos) << error.what();
			EXPECT_NE(error.hint().find(c.hint), std::string::npos) << error.hint();
			if (*c.never_echoed != '\0') {
				EXPECT_EQ(std::string(error.what()).find(c.never_echoed), std::string::npos) << error.what();
				EXPECT_EQ(error.hint().find(c.never_echoed), std::string::npos) << error.hint();
			}
		}
	}
}

TEST(OutboxIdentityBag, ThreadsBuildIndependently) {
	std::vector<std::string> expected;
	for (const Row &row : Rows())
		expected.push_back(BuildIdentityBag(row.json, row.region));
	std::vector<int> mismatches(4, 0);
	std::vector<std::thread> threads;
	for (int t = 0; t < 4; ++t)
		threads.emplace_back([&, t] {
			for (int round = 0; round < 50; ++round)
				for (std::size_t i = 0; i < Rows().size(); ++i)
					if (BuildIdentityBag(Rows()[i].json, Rows()[i].region) != expected[i])
						++mismatches[t];
		});
	for (std::thread &thread : threads)
		thread.join();
	EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

// The user_data keys recorded in capi.outbox.unusable_identifiers: given, not blank, and usable by no
// platform.
Strings Unusable(const json &user_data, std::string *bag_out = nullptr) {
	std::string bag;
	UnusableKeys unusable{"stale"};
	BuildIdentityBag(user_data.dump(), "US", bag, nullptr, &unusable);
	if (bag_out != nullptr)
		*bag_out = bag;
	return Strings(unusable.begin(), unusable.end());
}

TEST(OutboxIdentityBag, RecordsTheKeysNoPlatformCanUse) {
	std::string bag;
	EXPECT_EQ(Unusable(json{{"email", "not an email"},
	                        {"phone", "+1 650 555 1212"},
	                        {"client_ip_address", "999.1.1.1"},
	                        {"fbc", "fb.1.1.x"},
	                        {"zip", "10001"}},
	                   &bag),
	          (Strings{"email", "client_ip_address"}));
	// Nothing of them rests in the bag: recording them is the only trace.
	EXPECT_EQ(bag.find("email"), std::string::npos) << bag;
	EXPECT_EQ(bag.find("client_ip_address"), std::string::npos) << bag;
	// Order: Field order, then PlainKey order, whatever the input order.
	EXPECT_EQ(Unusable(json{{"fbp", std::string(identity::kMaxPlainValueBytes + 1, 'x')},
	                        {"em", "x"},
	                        {"gender", "robot"}}),
	          (Strings{"email", "gender", "fbp"}));
}

TEST(OutboxIdentityBag, BlankOrPartlyUsableKeysAreNotUnusable) {
	EXPECT_EQ(Unusable(json::object()), Strings{});
	EXPECT_EQ(Unusable(json{{"email", "  "}, {"phone", nullptr}, {"fbc", ""}, {"first_name", json::array()}}),
	          Strings{});
	// One usable value of several is enough.
	EXPECT_EQ(Unusable(json{{"email", {"nope", "a@example.com"}}}), Strings{});
	// Usable for one platform only (street: Google) is usable.
	EXPECT_EQ(Unusable(json{{"street", "1600 Amphitheatre Pkwy"}}), Strings{});
	// A digest is usable wherever a hash is wanted, even if a plain-text platform cannot use it.
	EXPECT_EQ(Unusable(json{{"country", std::string(64, 'a')}}), Strings{});
	// An IPv6 address is usable (LinkedIn alone wants IPv4).
	EXPECT_EQ(Unusable(json{{"client_ip_address", "2001:db8::1"}}), Strings{});
}

TEST(OutboxIdentityBag, TheDigestOfTheEmptyStringIsUnusable) {
	const std::string empty_digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	std::string bag;
	EXPECT_EQ(Unusable(json{{"email", empty_digest}, {"phone", {empty_digest, std::string(64, 'b')}}}, &bag),
	          Strings{"email"});
	// It is no identifier (identity rule: the digest of a blank is NULL), so the bag leaves it out:
	// the report counts it as missing there, and as unusable from the list above.
	EXPECT_EQ(bag.find(empty_digest), std::string::npos);
	EXPECT_EQ(Unusable(json{{"email@google", "nope"}, {"email", "a@example.com"}}), Strings{});
	EXPECT_EQ(Unusable(json{{"email@google", "nope"}}), Strings{"email"});
}

} // namespace
} // namespace capi::outbox

namespace capi::outbox {
namespace {

// The members the INSERT trigger turns into jsonb are the bag's text, member for member: identity
// fields as arrays (empty where a platform is hidden from Meta's digests), plain keys as one string.
TEST(OutboxIdentityBag, MembersAreTheBagsTextMemberForMember) {
	const std::string input = R"({"email": ["A@Example.com", "b@example.com"], "first_name": "Mary",
	                             "city": "New York", "client_ip_address": " 203.0.113.7 ", "fbp": "fb.1.2.3"})";
	const identity::Region region("US", false);
	const std::string text = BuildIdentityBag(input, region);
	const BagMembers &bag = BuildIdentityBagMembers(input, region);

	const json parsed = json::parse(text);
	ASSERT_EQ(bag.members.size(), parsed.size());
	std::size_t value_total = 0;
	for (const BagMember &member : bag.members) {
		const std::string key(member.key);
		ASSERT_TRUE(parsed.contains(key)) << key;
		const json &expected = parsed.at(key);
		EXPECT_EQ(member.is_array, expected.is_array()) << key;
		Strings values;
		for (std::size_t i = 0; i < member.value_count; ++i)
			values.emplace_back(bag.values.at(member.first_value + i));
		if (member.is_array)
			EXPECT_EQ(values, expected.get<Strings>()) << key;
		else
			EXPECT_EQ(values, Strings{expected.get<std::string>()}) << key;
		value_total += member.value_count;
	}
	EXPECT_EQ(value_total, bag.values.size());
	// The shapes the trigger must reproduce: a two-value array, an empty array, a plain string.
	ASSERT_TRUE(parsed.at("email").is_array());
	EXPECT_EQ(parsed.at("email").size(), 2u);
	EXPECT_EQ(parsed.at("first_name@linkedin"), json::array());
	EXPECT_EQ(parsed.at("client_ip_address"), "203.0.113.7");
}

TEST(OutboxIdentityBag, NothingUsableHasNoMembers) {
	const BagMembers &bag =
	    BuildIdentityBagMembers(R"({"email": "not an email"})", identity::Region("US", false));
	EXPECT_TRUE(bag.members.empty());
	EXPECT_TRUE(bag.values.empty());
}

} // namespace
} // namespace capi::outbox
