// Input limits and invisible characters: values too long for their field have no result at once,
// user_data has bounded size and values per key (22023 naming the key, never a value), and Unicode
// format characters (bidi marks, zero-width characters, BOM) never change a result.
#include "core/identity/input_limits.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/identity/acceptance.hpp"
#include "core/identity/normalize.hpp"
#include "core/identity/unicode_text.hpp"
#include "core/identity/user_data.hpp"
#include "core/identity/wire_form.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "core/sha256.hpp"

namespace capi::identity {
namespace {

using nlohmann::json;

constexpr Platform kPlatforms[] = {Platform::kMeta,     Platform::kGoogle, Platform::kTikTok,
                                   Platform::kLinkedIn, Platform::kSnap,   Platform::kReddit,
                                   Platform::kPinterest};

struct FieldExample {
	Field field;
	const char *value; // a value every platform accepting the field can normalize
};

constexpr FieldExample kExamples[] = {
    {Field::kEmail, "john@example.com"},
    {Field::kPhone, "+16505551212"},
    {Field::kFirstName, "Mary"},
    {Field::kLastName, "Smith"},
    {Field::kCity, "Paris"},
    {Field::kState, "CA"},
    {Field::kZip, "94035"},
    {Field::kCountry, "US"},
    {Field::kGender, "f"},
    {Field::kDateOfBirth, "1997-02-16"},
    {Field::kExternalId, "user42"},
    {Field::kStreet, "1 Main St"},
};

std::string PaddedTo(std::string value, std::size_t size) {
	value.resize(size, ' ');
	return value;
}

TEST(InputLimits, EveryFieldHasNoResultOneByteBeyondItsLimit) {
	std::string out;
	for (const FieldExample &example : kExamples) {
		const std::size_t limit = MaxInputBytes(example.field);
		const std::string at_limit = PaddedTo(example.value, limit);
		const std::string beyond = PaddedTo(example.value, limit + 1);
		for (Platform platform : kPlatforms) {
			if (!PlatformAcceptsField(platform, example.field))
				continue;
			SCOPED_TRACE(std::string(FieldName(example.field)) + " " + std::string(PlatformName(platform)));
			EXPECT_TRUE(Normalize(example.field, platform, at_limit, "US", out));
			EXPECT_TRUE(Hash(example.field, platform, at_limit, "US", out));
			EXPECT_FALSE(Normalize(example.field, platform, beyond, "US", out));
			EXPECT_TRUE(out.empty());
			EXPECT_FALSE(Hash(example.field, platform, beyond, "US", out));
			EXPECT_FALSE(PayloadValue(example.field, platform, beyond, "US", out));
		}
	}
}

TEST(InputLimits, AnAlreadyHashedValueWithWhiteSpaceFitsEveryField) {
	const std::string digest = Sha256Hex("x");
	std::string out;
	for (const FieldExample &example : kExamples) {
		EXPECT_GE(MaxInputBytes(example.field), 128u);
		const std::string padded = " \t" + digest + std::string(60, ' ');
		for (Platform platform : kPlatforms)
			if (PlatformAcceptsField(platform, example.field) && WantsHashed(platform, example.field)) {
				ASSERT_TRUE(Hash(example.field, platform, padded, "US", out));
				EXPECT_EQ(out, digest);
			}
	}
}

// Formerly minutes of CPU that no cancel or statement_timeout could stop (issue 8).
TEST(InputLimits, HundredMegabyteValuesHaveNoResultAtOnce) {
	const std::size_t size = 100u * 1024 * 1024;
	const std::string digits(size, '9');
	std::string email(size, 'a');
	email.replace(size - 12, 12, "@example.com");
	std::string name;
	while (name.size() + 2 <= size)
		name += "\xc3\xa9"; // é: the Unicode path
	const struct {
		Field field;
		const std::string &value;
	} cases[] = {{Field::kPhone, digits}, {Field::kEmail, email}, {Field::kFirstName, name},
	             {Field::kCity, name},    {Field::kZip, digits},  {Field::kExternalId, digits}};
	std::string out;
	for (const auto &c : cases) {
		SCOPED_TRACE(FieldName(c.field));
		const auto start = std::chrono::steady_clock::now();
		EXPECT_FALSE(Normalize(c.field, Platform::kMeta, c.value, "US", out));
		EXPECT_FALSE(Hash(c.field, Platform::kMeta, c.value, "US", out));
		EXPECT_FALSE(PayloadValue(c.field, Platform::kTikTok, c.value, "US", out));
		const auto elapsed = std::chrono::steady_clock::now() - start;
		EXPECT_LT(elapsed, std::chrono::milliseconds(50)); // a length comparison, not a pass over the value
	}
}

TEST(InputLimits, AnEmailAddressHasAtMost254Octets) {
	const std::string domain = "@" + std::string(63, 'd') + "." + std::string(63, 'e') + ".com"; // 133
	const std::string longest = std::string(254 - domain.size(), 'l') + domain;
	ASSERT_EQ(longest.size(), 254u);
	std::string out;
	EXPECT_TRUE(Normalize(Field::kEmail, Platform::kMeta, "  " + longest + "  ", "US", out));
	EXPECT_EQ(out, longest);
	EXPECT_FALSE(Normalize(Field::kEmail, Platform::kMeta, "l" + longest, "US", out));
	EXPECT_FALSE(Hash(Field::kEmail, Platform::kGoogle, "l" + longest, "US", out));
}

// U+200F RLM, U+200E LRM, U+202A..U+202E embeddings and overrides, U+2066..U+2069 isolates,
// U+200B..U+200D zero-width space/non-joiner/joiner, U+2060 word joiner, U+FEFF BOM, U+00AD soft hyphen.
constexpr const char *kFormatCharacters[] = {
    "\u200f", "\u200e", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
    "\u2067", "\u2068", "\u2069", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",
};

TEST(FormatCharacters, AreStrippedByEveryNormalizer) {
	std::string expected;
	std::string out;
	for (const FieldExample &example : kExamples) {
		const std::string value = example.value;
		for (Platform platform : kPlatforms) {
			if (!PlatformAcceptsField(platform, example.field))
				continue;
			ASSERT_TRUE(Hash(example.field, platform, value, "US", expected));
			for (const char *format : kFormatCharacters) {
				// leading (as a right-to-left context leaves it), inside, and trailing
				const std::string marked =
				    std::string(format) + value.substr(0, 1) + format + value.substr(1) + format;
				SCOPED_TRACE(std::string(FieldName(example.field)) + " " +
				             std::string(PlatformName(platform)) + " " + marked);
				ASSERT_TRUE(Hash(example.field, platform, marked, "US", out));
				EXPECT_EQ(out, expected);
			}
		}
	}
}

TEST(FormatCharacters, ExamplesFromTheIssue) {
	std::string out;
	ASSERT_TRUE(Normalize(Field::kEmail, Platform::kMeta, "\u200fJohn@Example.com", "US", out));
	EXPECT_EQ(out, "john@example.com");
	ASSERT_TRUE(Normalize(Field::kFirstName, Platform::kMeta, "\u200bVal\u200d\u00e9ry\ufeff", "US", out));
	EXPECT_EQ(out, "val\u00e9ry");
	ASSERT_TRUE(Normalize(Field::kPhone, Platform::kMeta, "\u202a+1 650 555 1212\u202c", "US", out));
	EXPECT_EQ(out, "16505551212");
	// An e followed by a joiner and a combining acute accent composes once the joiner is gone.
	ASSERT_TRUE(Normalize(Field::kLastName, Platform::kMeta, "Jose\u200d\u0301", "US", out));
	EXPECT_EQ(out, "jos\u00e9");
	// Nothing but format characters is nothing.
	EXPECT_FALSE(Normalize(Field::kExternalId, Platform::kLinkedIn, "\u200b\u200d\ufeff", "US", out));
}

TEST(FormatCharacters, AHashBehindAFormatCharacterIsStillAHash) {
	const std::string digest = Sha256Hex("x");
	std::string out;
	ASSERT_TRUE(Hash(Field::kEmail, Platform::kMeta, "\ufeff" + digest + "\u200f", "US", out));
	EXPECT_EQ(out, digest);
	// ... and still no city where plain text is wanted.
	EXPECT_FALSE(PayloadValue(Field::kCity, Platform::kTikTok, "\u200f" + digest, "US", out));
	EXPECT_TRUE(IsAlreadyHashed("\u2066" + digest + "\u2069"));
}

TEST(FormatCharacters, StripLeavesOtherTextAlone) {
	std::string storage;
	const std::string ascii = "plain ascii";
	EXPECT_EQ(text::StripFormatCharacters(ascii, storage).data(), ascii.data()); // no copy
	const std::string accents = "Val\u00e9ry \u0645\u062d\u0645\u062f";
	EXPECT_EQ(text::StripFormatCharacters(accents, storage).data(), accents.data());
	EXPECT_EQ(text::StripFormatCharacters("a\u00adb\xff"
	                                      "c\u200f",
	                                      storage),
	          "ab\xff"
	          "c"); // ill-formed kept
}

std::string Values(const char *key, std::size_t count) {
	json values = json::array();
	for (std::size_t i = 0; i < count; ++i)
		values.push_back("user" + std::to_string(i) + "@example.com");
	return json{{key, values}}.dump();
}

void ExpectError(const std::string &input, const char *sqlstate, const char *fragment) {
	for (int path = 0; path < 2; ++path) {
		SCOPED_TRACE(path == 0 ? "capi.user_data" : "identity bag");
		try {
			if (path == 0)
				BuildUserData(std::string_view(input), Platform::kMeta, "US");
			else
				outbox::BuildIdentityBag(input, "US");
			ADD_FAILURE() << "no error";
		} catch (const Error &error) {
			EXPECT_STREQ(error.sqlstate(), sqlstate);
			EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
			EXPECT_EQ(std::string(error.what()).find("example.com"), std::string::npos) << error.what();
			EXPECT_EQ(error.hint().find("example.com"), std::string::npos) << error.hint();
		}
	}
}

TEST(UserDataLimits, AtMost32ValuesPerKey) {
	EXPECT_EQ(BuildUserData(std::string_view(Values("email", kMaxValuesPerKey)), Platform::kMeta, "US")["em"]
	              .size(),
	          kMaxValuesPerKey);
	EXPECT_NO_THROW(outbox::BuildIdentityBag(Values("email", kMaxValuesPerKey), "US"));
	ExpectError(Values("email", kMaxValuesPerKey + 1), "22023",
	            "identifier \"email\" has more than 32 values");
	ExpectError(Values("email@google", 40000), "22023",
	            "identifier \"email@google\" has more than 32 values");
	ExpectError(Values("fbc", 33), "22023", "identifier \"fbc\" has more than 32 values");
	// Short and long names fill one list; nulls do not count.
	json both = json::parse(Values("em", 20));
	both["email"] = json::parse(Values("email", 13))["email"];
	ExpectError(both.dump(), "22023", "has more than 32 values");
	json nulls = json::parse(Values("email", 32));
	nulls["email"].push_back(nullptr);
	EXPECT_NO_THROW(outbox::BuildIdentityBag(nulls.dump(), "US"));
}

TEST(UserDataLimits, AtMostOneMebibyteOfJson) {
	const std::string within =
	    json{{"client_user_agent", std::string(kMaxIdentifiersBytes - 40, 'x')}}.dump();
	ASSERT_LE(within.size(), kMaxIdentifiersBytes);
	EXPECT_NO_THROW(outbox::BuildIdentityBag(within, "US"));
	std::string beyond = json{{"email", "a@example.com"}}.dump();
	beyond.insert(1, kMaxIdentifiersBytes, ' '); // white space counts: it is text to parse
	ExpectError(beyond, "22023", "identifiers are too large");
}

TEST(UserDataLimits, NumbersBeyondDoublesAre22023) {
	ExpectError(R"({"phone": 1e400})", "22023", "number too large");
	ExpectError("{\"phone\": 1" + std::string(400, '0') + "}", "22023",
	            "number too large"); // jsonb's rendering
}

TEST(UserDataLimits, PlainValuesBeyond8KiBAreUnusable) {
	const std::string at_limit(kMaxPlainValueBytes, 'u');
	json meta =
	    BuildUserData(std::string_view(json{{"client_user_agent", at_limit}}.dump()), Platform::kMeta, "US");
	EXPECT_EQ(meta["client_user_agent"], at_limit);
	json too_long = {{"client_user_agent", {at_limit + "u", "Mozilla/5.0"}}};
	meta = BuildUserData(std::string_view(too_long.dump()), Platform::kMeta, "US");
	EXPECT_EQ(meta["client_user_agent"], "Mozilla/5.0");
	EXPECT_EQ(outbox::BuildIdentityBag(too_long.dump(), "US"), R"({"client_user_agent":"Mozilla/5.0"})");
}

TEST(UserDataLimits, DeduplicationKeepsTheFirstOfEachInInputOrder) {
	json emails = json::array();
	for (int round = 0; round < 4; ++round)
		for (int i = 7; i >= 0; --i)
			emails.push_back(" USER" + std::to_string(i) + "@example.com");
	json meta = BuildUserData(std::string_view(json{{"email", emails}}.dump()), Platform::kMeta, "US");
	ASSERT_EQ(meta["em"].size(), 8u);
	for (int i = 0; i < 8; ++i)
		EXPECT_EQ(meta["em"][i], Sha256Hex("user" + std::to_string(7 - i) + "@example.com"));
	json bag = json::parse(outbox::BuildIdentityBag(json{{"email", emails}}.dump(), "US"));
	EXPECT_EQ(bag["email"], meta["em"]);
}

TEST(IdentityBagLimits, ReadsValuesAsCapiHashDoes) {
	const std::string digest = Sha256Hex("x");
	std::string hash;
	ASSERT_TRUE(Hash(Field::kEmail, Platform::kMeta, "john@example.com", "US", hash));
	EXPECT_EQ(outbox::BuildIdentityBag(R"({"email": "\u200fjohn@example.com\u200e"})", "US"),
	          outbox::BuildIdentityBag(R"({"email": "john@example.com"})", "US"));
	EXPECT_EQ(outbox::BuildIdentityBag(json{{"email", "\ufeff" + digest}}.dump(), "US"),
	          "{\"email\":[\"" + digest + "\"]}");
	const std::string too_long = PaddedTo("john@example.com", MaxInputBytes(Field::kEmail) + 1);
	EXPECT_EQ(outbox::BuildIdentityBag(json{{"email", too_long}}.dump(), "US"), "{}");
	EXPECT_EQ(outbox::BuildIdentityBag(json{{"email", {too_long, "john@example.com"}}}.dump(), "US"),
	          "{\"email\":[\"" + hash + "\"]}");
}

} // namespace
} // namespace capi::identity
