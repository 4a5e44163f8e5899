// The field x platform dispatcher: Normalize/Hash, published digests, already-hashed input, and the
// field/platform combinations that are errors (docs/normalization.md).
#include "core/identity/normalize.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/identity/acceptance.hpp"
#include "core/identity/unicode_text.hpp"
#include "core/sha256.hpp"

namespace capi::identity {
namespace {

constexpr Platform kPlatforms[] = {Platform::kMeta,     Platform::kGoogle, Platform::kTikTok,
                                   Platform::kLinkedIn, Platform::kSnap,   Platform::kReddit,
                                   Platform::kPinterest};
constexpr Field kFields[] = {Field::kEmail,  Field::kPhone,       Field::kFirstName,  Field::kLastName,
                             Field::kCity,   Field::kState,       Field::kZip,        Field::kCountry,
                             Field::kGender, Field::kDateOfBirth, Field::kExternalId, Field::kStreet};

// Published SHA-256 digests with the raw input that must produce them: Meta's Customer Information
// Parameters
// (https://developers.facebook.com/documentation/ads-commerce/conversions-api/parameters/customer-information-parameters)
// and Using the API
// (https://developers.facebook.com/documentation/ads-commerce/conversions-api/using-the-api) pages, Snap's
// Conversions API Parameters (https://developers.snap.com/api/marketing-api/Conversions-API/Parameters).
struct Published {
	Field field;
	Platform platform;
	const char *raw;
	const char *digest;
};

const Published kPublished[] = {
    // Meta, Customer Information Parameters.
    {Field::kEmail, Platform::kMeta, "John_Smith@gmail.com",
     "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f"},
    {Field::kPhone, Platform::kMeta, "(650)555-1212",
     "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176"},
    {Field::kFirstName, Platform::kMeta, "Mary",
     "6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec"},
    {Field::kLastName, Platform::kMeta, "\xec\xa0\x95",
     "8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14"},
    {Field::kFirstName, Platform::kMeta, "Val\xc3\xa9ry",
     "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"},
    {Field::kFirstName, Platform::kMeta, "Vale\xcc\x81ry",
     "08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c"},
    {Field::kDateOfBirth, Platform::kMeta, "2/16/1997",
     "01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c"},
    {Field::kCountry, Platform::kMeta, "United States",
     "79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621"},
    {Field::kGender, Platform::kMeta, "Male",
     "62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a"},
    {Field::kGender, Platform::kMeta, "female",
     "252f10c83610ebca1a059c0bae8255eba2f95be4d1d7bcfa89d7248a82d9f111"},
    // Meta, Using the API (phone) and CAPI Gateway (email).
    {Field::kPhone, Platform::kMeta, "12345678901",
     "254aa248acb47dd654ca3ea53f48c2c26d641d23d7e2e93a1ec56258df7674c4"},
    {Field::kEmail, Platform::kMeta, " Test@Example.com",
     "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b"},
    // Snap, Conversions API Parameters.
    {Field::kEmail, Platform::kSnap, "Person@Example.com",
     "542d240129883c019e106e3b1b2d3f3cb3537c43c425364de8e951d5a3083345"},
    {Field::kEmail, Platform::kSnap, "name@example.com",
     "7b17fb0bd173f625b58636fb796407c22b3d16fc78302d79f0fd30c2fc2fc068"},
    {Field::kPhone, Platform::kSnap, "+44 844 412 4653",
     "dc008fda46e2e64002cf2f82a4906236282d431c4f75e5b60bfe79fc48546383"},
    {Field::kFirstName, Platform::kSnap, "John",
     "96d9632f363564cc3032521409cf22a852f2032eec099ed5967c0d000cec607a"},
    {Field::kFirstName, Platform::kSnap, "Rapha\xc3\xabl",
     "e74bb89e718fe1e19c422a48382870399f8bf7ca8dfa008739e75b0be76627b7"},
    // Google Data Manager formatting examples (digests computed from the documented normal forms).
    {Field::kEmail, Platform::kGoogle, "cloudy.sanfrancisco+shopping@gmail.com",
     "223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4"},
    {Field::kEmail, Platform::kGoogle, "user.name+NYC@Example.com",
     "f109a2a632fbcea5fc82049f50beed3d8621bf9034399f437fb622222acccdac"},
    {Field::kPhone, Platform::kGoogle, "(800)555-0100",
     "fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30"},
    {Field::kPhone, Platform::kPinterest, "(800)555-0100",
     "92cfdc5fbcd4a20fbe5d3857af6c1aba31762105bba7f21a17155e920653046c"},
    // Reddit, manual advanced matching.
    {Field::kEmail, Platform::kReddit, "Al.ice$+Apple@Example.Com",
     "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976"},
};

class PublishedDigest : public ::testing::TestWithParam<Published> {};

TEST_P(PublishedDigest, HashMatches) {
	const Published &p = GetParam();
	std::string out;
	ASSERT_TRUE(Hash(p.field, p.platform, p.raw, "US", out)) << p.raw;
	EXPECT_EQ(out, p.digest) << p.raw;
}

INSTANTIATE_TEST_SUITE_P(Identity, PublishedDigest, ::testing::ValuesIn(kPublished));

// One raw value per field and what each platform makes of it. kError: the platform does not accept
// the field; nullptr: no result.
constexpr const char *kError = "<error>";

struct MatrixRow {
	Field field;
	const char *raw;
	const char *region;
	// meta, google, tiktok, linkedin, snap, reddit, pinterest
	const char *expected[7];
};

const MatrixRow kMatrix[] = {
    {Field::kEmail,
     " Cloudy.SanFrancisco+Shopping@Gmail.com ",
     "US",
     {"cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com",
      "cloudy.sanfrancisco+shopping@gmail.com", "cloudy.sanfrancisco+shopping@gmail.com",
      "cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com",
      "cloudy.sanfrancisco+shopping@gmail.com"}},
    {Field::kPhone,
     "(650) 555-1212",
     "US",
     {"16505551212", "+16505551212", "+16505551212", kError, "16505551212", "+16505551212", "16505551212"}},
    {Field::kFirstName,
     " Dr. Mary-Jane ",
     "US",
     {"drmaryjane", "mary-jane", "drmaryjane", "Dr. Mary-Jane", "drmaryjane", kError, "drmaryjane"}},
    {Field::kLastName,
     "O'Brien Jr.",
     "US",
     {"obrienjr", "obrien", "obrienjr", "O'Brien Jr.", "obrienjr", kError, "obrienjr"}},
    {Field::kCity,
     "S\xc3\xa3o  Paulo",
     "BR",
     {"s\xc3\xa3opaulo", "s\xc3\xa3o paulo", "s\xc3\xa3opaulo", kError, "s\xc3\xa3opaulo", kError,
      "s\xc3\xa3opaulo"}},
    {Field::kState, "California", "US", {"ca", "CA", "ca", kError, "ca", kError, "ca"}},
    {Field::kZip, "94035-1234", "US", {"94035", "94035", "94035", kError, "94035", kError, "94035"}},
    {Field::kZip, "SW1A 1AA", "GB", {"sw1a1aa", "SW1A 1AA", "sw1a1aa", kError, "sw1a1aa", kError, "sw1a1aa"}},
    {Field::kZip, "00-950", "PL", {"00950", "00-950", "00950", kError, "00950", kError, "00950"}},
    {Field::kCountry, "Germany", "US", {"de", "DE", "de", "DE", "de", kError, "de"}},
    {Field::kGender, "Female", "US", {"f", kError, kError, kError, "f", kError, "f"}},
    {Field::kGender, "non-binary", "US", {nullptr, kError, kError, kError, nullptr, kError, "n"}},
    {Field::kDateOfBirth,
     "03/04/1997",
     "US",
     {"19970304", kError, kError, kError, "19970304", kError, "19970304"}},
    {Field::kDateOfBirth,
     "03/04/1997",
     "FR",
     {"19970403", kError, kError, kError, "19970403", kError, "19970403"}},
    {Field::kExternalId,
     " User 42 ",
     "US",
     {"user42", kError, "user 42", "User 42", "user42", "User 42", "user 42"}},
    {Field::kStreet,
     " 1600  Amphitheatre Pkwy ",
     "US",
     {kError, "1600 amphitheatre pkwy", kError, kError, kError, kError, kError}},
};

void PrintTo(const MatrixRow &row, std::ostream *os) {
	*os << FieldName(row.field) << " \"" << row.raw << '"';
}

class FieldPlatformMatrix : public ::testing::TestWithParam<MatrixRow> {};

TEST_P(FieldPlatformMatrix, NormalizeAndHash) {
	const MatrixRow &row = GetParam();
	for (std::size_t i = 0; i < std::size(kPlatforms); i++) {
		const Platform platform = kPlatforms[i];
		const char *expected = row.expected[i];
		SCOPED_TRACE(std::string(PlatformName(platform)));
		std::string normalized = "stale";
		std::string hashed = "stale";
		if (expected == kError) {
			EXPECT_FALSE(PlatformAcceptsField(platform, row.field));
			EXPECT_THROW(Normalize(row.field, platform, row.raw, row.region, normalized), Error);
			EXPECT_THROW(Hash(row.field, platform, row.raw, row.region, hashed), Error);
			continue;
		}
		EXPECT_TRUE(PlatformAcceptsField(platform, row.field));
		const bool normalized_ok = Normalize(row.field, platform, row.raw, row.region, normalized);
		const bool hashed_ok = Hash(row.field, platform, row.raw, row.region, hashed);
		if (expected == nullptr) {
			EXPECT_FALSE(normalized_ok);
			EXPECT_FALSE(hashed_ok);
			EXPECT_EQ(normalized, "");
			EXPECT_EQ(hashed, "");
		} else {
			EXPECT_TRUE(normalized_ok);
			EXPECT_EQ(normalized, expected);
			EXPECT_TRUE(hashed_ok);
			EXPECT_EQ(hashed, Sha256Hex(expected));
		}
	}
}

INSTANTIATE_TEST_SUITE_P(Identity, FieldPlatformMatrix, ::testing::ValuesIn(kMatrix));

TEST(IdentityHash, AlreadyHashedIsLowercasedNotRehashed) {
	const std::string upper = "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F";
	const std::string lower = "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f";
	std::string out;
	for (Field field : {Field::kEmail, Field::kPhone, Field::kFirstName, Field::kDateOfBirth}) {
		ASSERT_TRUE(Hash(field, Platform::kMeta, upper, "US", out));
		EXPECT_EQ(out, lower);
	}
	ASSERT_TRUE(Hash(Field::kEmail, Platform::kGoogle, " \t" + lower + "\xc2\xa0", "US", out));
	EXPECT_EQ(out, lower);
	// 63 or 65 hex digits are not a digest: normalized (and, not being an email, no result).
	EXPECT_FALSE(Hash(Field::kEmail, Platform::kMeta, lower.substr(1), "US", out));
	EXPECT_FALSE(Hash(Field::kEmail, Platform::kMeta, lower + "0", "US", out));
}

// Upstream systems that hash a blank value send SHA-256("") = e3b0c442...b855: it identifies nobody,
// in any field, whatever its case, white space or invisible characters around it.
TEST(IdentityHash, DigestOfTheEmptyStringIsNoResultInEveryField) {
	const std::string lower = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	std::string upper = lower;
	for (char &c : upper)
		c = text::ToAsciiUpper(c);
	ASSERT_EQ(Sha256Hex(""), lower);
	for (Field field : kFields) {
		for (Platform platform : kPlatforms) {
			if (!PlatformAcceptsField(platform, field))
				continue;
			for (const std::string &digest :
			     {lower, upper, "  " + lower + "\t", "\xef\xbb\xbf" + upper + "\xc2\xa0"}) {
				SCOPED_TRACE(std::string(FieldName(field)) + " " + std::string(PlatformName(platform)) + " " +
				             digest);
				std::string out = "stale";
				EXPECT_FALSE(Hash(field, platform, digest, "US", out));
				EXPECT_EQ(out, "");
				out = "stale";
				EXPECT_FALSE(Normalize(field, platform, digest, "US", out));
				EXPECT_EQ(out, "");
			}
		}
	}
	EXPECT_TRUE(IsEmptyValueDigest(upper));
	EXPECT_FALSE(IsEmptyValueDigest(lower.substr(1)));
	// Any other digest is still passed through.
	std::string out;
	ASSERT_TRUE(Hash(Field::kExternalId, Platform::kMeta, Sha256Hex(" "), "US", out));
	EXPECT_EQ(out, Sha256Hex(" "));
}

TEST(IdentityHash, NoResultIsNeverTheHashOfAnEmptyString) {
	std::string out = "stale";
	for (Field field : kFields) {
		for (Platform platform : kPlatforms) {
			if (!PlatformAcceptsField(platform, field))
				continue;
			for (const char *empty : {"", "   ", "\xc2\xa0\t", "!!!"}) {
				if (field == Field::kExternalId && std::string_view(empty) == "!!!")
					continue; // an opaque ID may be made of anything but white space
				SCOPED_TRACE(std::string(FieldName(field)) + " " + std::string(PlatformName(platform)) +
				             " \"" + empty + "\"");
				EXPECT_FALSE(Hash(field, platform, empty, "US", out));
				EXPECT_EQ(out, "");
				EXPECT_FALSE(Normalize(field, platform, empty, "US", out));
				EXPECT_EQ(out, "");
			}
		}
	}
}

TEST(IdentityHash, GarbageIsNoResult) {
	std::string out;
	EXPECT_FALSE(Hash(Field::kEmail, Platform::kMeta, "not an email", "US", out));
	EXPECT_FALSE(Hash(Field::kPhone, Platform::kMeta, "12", "US", out));
	EXPECT_FALSE(Hash(Field::kCountry, Platform::kMeta, "Narnia", "US", out));
	EXPECT_FALSE(Hash(Field::kGender, Platform::kMeta, "unknown", "US", out));
	EXPECT_FALSE(Hash(Field::kDateOfBirth, Platform::kMeta, "yesterday", "US", out));
	EXPECT_EQ(out, "");
}

// Found by fuzz/normalize_fuzz: Hash trimmed the value (text::Trim: white space and control
// characters) before normalizing, Normalize did not, so a phone with a leading control character
// was NULL for capi.normalize and hashed by capi.hash.
TEST(IdentityHash, AgreesWithNormalizeOnSurroundingControlCharacters) {
	for (Platform platform : kPlatforms) {
		for (const char *value : {"\x01"
		                          "060 1234567",
		                          "060 1234567\x7f", "\x1f+1 650 555 1212\x01",
		                          "\x01"
		                          "John@Example.com",
		                          "\x02Mary\x03"}) {
			for (Field field : {Field::kPhone, Field::kEmail, Field::kFirstName}) {
				if (!PlatformAcceptsField(platform, field))
					continue;
				std::string normalized;
				std::string hashed;
				const bool normalized_ok = Normalize(field, platform, value, "US", normalized);
				const bool hashed_ok = Hash(field, platform, value, "US", hashed);
				EXPECT_EQ(normalized_ok, hashed_ok) << FieldName(field) << "@" << PlatformName(platform);
			}
		}
	}
	std::string out;
	ASSERT_TRUE(Normalize(Field::kPhone, Platform::kGoogle,
	                      "\x01"
	                      "650 253 0000",
	                      "US", out));
	EXPECT_EQ(out, "+16502530000");
}

TEST(IdentityHash, ReusesTheOutputBuffer) {
	std::string out;
	out.reserve(128);
	const char *buffer = out.data();
	ASSERT_TRUE(Hash(Field::kEmail, Platform::kMeta, "John_Smith@gmail.com", "US", out));
	ASSERT_TRUE(Hash(Field::kFirstName, Platform::kMeta, "Mary", "US", out));
	EXPECT_EQ(out.data(), buffer);
}

TEST(IdentityHash, ValueMayBeAViewOfTheOutput) {
	std::string s = " Val\xc3\xa9ry O'Brien ";
	ASSERT_TRUE(Normalize(Field::kFirstName, Platform::kMeta, s, "US", s));
	EXPECT_EQ(s, "val\xc3\xa9ryobrien");
	std::string e = "John_Smith@Gmail.com";
	ASSERT_TRUE(Hash(Field::kEmail, Platform::kMeta, e, "US", e));
	EXPECT_EQ(e, "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f");
}

TEST(IdentityAcceptance, UnacceptedCombinationIs22023WithTheAcceptedFields) {
	std::string out;
	try {
		Normalize(Field::kPhone, Platform::kLinkedIn, "+16505551212", "US", out);
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_STREQ(error.what(), "platform linkedin does not accept field phone");
		EXPECT_EQ(error.hint(),
		          "Platform linkedin accepts: email, first_name, last_name, country, external_id.");
	}
	try {
		// Even an empty or already-hashed value: the combination itself is wrong.
		Hash(Field::kStreet, Platform::kMeta,
		     "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f", "US", out);
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_STREQ(error.what(), "platform meta does not accept field street");
		EXPECT_EQ(error.hint(),
		          "Platform meta accepts: email, phone, first_name, last_name, city, state, zip, "
		          "country, gender, date_of_birth, external_id.");
	}
	EXPECT_THROW(Normalize(Field::kGender, Platform::kGoogle, "", "US", out), Error);
}

TEST(IdentityAcceptance, UnknownNamesAre22023) {
	try {
		ParseField("emial");
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_NE(error.hint().find("email"), std::string::npos);
	}
	try {
		ParsePlatform("facebook");
		FAIL() << "no error";
	} catch (const Error &error) {
		EXPECT_STREQ(error.sqlstate(), "22023");
		EXPECT_NE(error.hint().find("meta"), std::string::npos);
	}
	EXPECT_EQ(ParseField(" EM "), Field::kEmail);
	EXPECT_EQ(ParsePlatform("TikTok"), Platform::kTikTok);
}

TEST(IdentityAcceptance, Matrix) {
	// Rows: fields in enum order; columns: meta google tiktok linkedin snap reddit pinterest.
	const char *kAccepted[] = {
	    "1111111", // email
	    "1110111", // phone
	    "1111101", // first_name
	    "1111101", // last_name
	    "1110101", // city
	    "1110101", // state
	    "1110101", // zip
	    "1111101", // country
	    "1000101", // gender
	    "1000101", // date_of_birth
	    "1011111", // external_id
	    "0100000", // street
	};
	for (std::size_t f = 0; f < std::size(kFields); f++)
		for (std::size_t p = 0; p < std::size(kPlatforms); p++)
			EXPECT_EQ(PlatformAcceptsField(kPlatforms[p], kFields[f]), kAccepted[f][p] == '1')
			    << FieldName(kFields[f]) << " " << PlatformName(kPlatforms[p]);
}

} // namespace
} // namespace capi::identity
