// Email normalization per platform (docs/normalization.md, "email").
#include "core/identity/email.hpp"

#include <gtest/gtest.h>

namespace capi::identity {
namespace {

struct EmailCase {
	EmailRule rule;
	const char *input;
	const char *expected; // nullptr: no result
};

void PrintTo(const EmailCase &c, std::ostream *os) {
	*os << static_cast<int>(c.rule) << " \"" << c.input << '"';
}

const EmailCase kCases[] = {
    // Meta CIP: trim, lowercase; gmail dots stay.
    {EmailRule::kStandard, "John_Smith@gmail.com", "john_smith@gmail.com"},
    {EmailRule::kStandard, "  John_Smith@gmail.com \t", "john_smith@gmail.com"},
    {EmailRule::kStandard, "\xc2\xa0john.smith+shop@Gmail.com\xc2\xa0", "john.smith+shop@gmail.com"},
    {EmailRule::kStandard, "Person@Example.com", "person@example.com"}, // Snap's example
    {EmailRule::kStandard, "o'neil.x@sub.example.co.uk", "o'neil.x@sub.example.co.uk"},
    // Internationalized addresses: full Unicode lowercase, NFC.
    {EmailRule::kStandard,
     "\xc3\x9cSER@B\xc3\x9c"
     "CHER.DE",
     "\xc3\xbcser@b\xc3\xbc"
     "cher.de"},
    {EmailRule::kStandard, "U\xcc\x88ser@example.com", "\xc3\xbcser@example.com"}, // NFD in, NFC out
    {EmailRule::kStandard,
     "\xd0\x98\xd0\x92\xd0\x90\xd0\x9d@\xd0\x9f\xd0\xa0\xd0\x98\xd0\x9c\xd0\x95\xd0\xa0.\xd0\xa0\xd0\xa4",
     "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd@\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80."
     "\xd1\x80\xd1\x84"}, // ИВАН@ПРИМЕР.РФ
                          // Not plausible: no result.
    {EmailRule::kStandard, "", nullptr},
    {EmailRule::kStandard, "   ", nullptr},
    {EmailRule::kStandard, "nope", nullptr},
    {EmailRule::kStandard, "a@b", nullptr},
    {EmailRule::kStandard, "@b.co", nullptr},
    {EmailRule::kStandard, "a@b.c", nullptr},
    {EmailRule::kStandard, "a@1.23", nullptr},
    {EmailRule::kStandard, "a@@b.com", nullptr},
    {EmailRule::kStandard, "a@b@c.com", nullptr},
    {EmailRule::kStandard, "a b@c.com", nullptr},
    {EmailRule::kStandard,
     "a\xc2\xa0"
     "b@c.com",
     nullptr}, // NBSP inside
    {EmailRule::kStandard, "a@c .com", nullptr},
    {EmailRule::kStandard, ".a@b.com", nullptr},
    {EmailRule::kStandard, "a.@b.com", nullptr},
    {EmailRule::kStandard, "a..b@c.com", nullptr},
    {EmailRule::kStandard, "a@b..com", nullptr},
    {EmailRule::kStandard, "a@.b.com", nullptr},
    {EmailRule::kStandard, "a@b.com..", nullptr},
    {EmailRule::kStandard, "a@b_c.com", nullptr},
    {EmailRule::kStandard, "\"a\"@b.com", nullptr},
    {EmailRule::kStandard, "a(b)@c.com", nullptr},
    {EmailRule::kStandard, "mailto:", nullptr},
    {EmailRule::kStandard, "62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f", nullptr},
    // Forms that still write one address (issue 12): RFC 5322 name-addr with or without a display
    // name, mailto: URIs (RFC 6068), a trailing comment, the domain as a fully qualified name with its
    // final dot, quotes, a list separator left over from a CSV export.
    {EmailRule::kStandard, "\"John Smith\" <John@Example.com>", "john@example.com"},
    {EmailRule::kStandard, "John Smith <john@example.com>", "john@example.com"},
    {EmailRule::kStandard, "<john@example.com>", "john@example.com"},
    {EmailRule::kStandard, " < john@example.com > ", "john@example.com"},
    {EmailRule::kStandard, "\"Smith, John\" <john@example.com>", "john@example.com"},
    {EmailRule::kStandard, "\"john@example.com\" <john@example.com>", "john@example.com"},
    {EmailRule::kStandard, "\"A <b>\" <john@example.com>", "john@example.com"},
    {EmailRule::kStandard, "Jos\xc3\xa9 <Jos\xc3\xa9@Example.com>", "jos\xc3\xa9@example.com"},
    {EmailRule::kStandard, "mailto:a@b.com", "a@b.com"},
    {EmailRule::kStandard, "MAILTO:John@Example.com", "john@example.com"},
    {EmailRule::kStandard, "mailto:john@example.com?subject=Hello", "john@example.com"},
    {EmailRule::kStandard, "<mailto:john@example.com>", "john@example.com"},
    {EmailRule::kStandard, "john@example.com (John Smith)", "john@example.com"},
    {EmailRule::kStandard, "a@b.com.", "a@b.com"},
    {EmailRule::kStandard, "John@Example.COM.", "john@example.com"},
    {EmailRule::kStandard, "'john@example.com'", "john@example.com"},
    {EmailRule::kStandard, "\"john@example.com\"", "john@example.com"},
    {EmailRule::kStandard, "john@example.com;", "john@example.com"},
    {EmailRule::kStandard, "john@example.com,", "john@example.com"},
    {EmailRule::kGoogle, "\"John Smith\" <John.Smith+news@Gmail.com>", "johnsmith@gmail.com"},
    {EmailRule::kReddit, "Alice <Al.ice+x@Example.com>", "alice@example.com"},
    // ... but not two addresses, nor brackets that do not pair, nor anything after the address.
    {EmailRule::kStandard, "a <a@b.com>, c <c@d.com>", nullptr},
    {EmailRule::kStandard, "a@b.com, c@d.com", nullptr},
    {EmailRule::kStandard, "a@b.com; c@d.com", nullptr},
    {EmailRule::kStandard, "<a@b.com", nullptr},
    {EmailRule::kStandard, "a@b.com>", nullptr},
    {EmailRule::kStandard, "<a@b.com> x", nullptr},
    {EmailRule::kStandard, "<<a@b.com>>", nullptr},
    {EmailRule::kStandard, "John Smith <>", nullptr},
    {EmailRule::kStandard, "John Smith <not an address>", nullptr},
    {EmailRule::kStandard, "mailto:a@b.com,c@d.com", nullptr},
    // Full-width forms, as Japanese input methods write them, and other compatibility characters
    // (NFKC): "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ", "ＪＯＨＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "ﬁnance@example.com"
    // (ligature).
    {EmailRule::kStandard,
     "\xef\xbd\x8a\xef\xbd\x8f\xef\xbd\x88\xef\xbd\x8e\xef\xbc\xa0\xef\xbd\x85\xef\xbd\x98\xef\xbd\x81"
     "\xef\xbd\x8d\xef\xbd\x90\xef\xbd\x8c\xef\xbd\x85\xef\xbc\x8e\xef\xbd\x83\xef\xbd\x8f\xef\xbd\x8d",
     "john@example.com"},
    {EmailRule::kStandard,
     "\xef\xbc\xaa\xef\xbc\xaf\xef\xbc\xa8\xef\xbc\xae\xef\xbc\xa0\xef\xbc\xa5\xef\xbc\xb8\xef\xbc\xa1"
     "\xef\xbc\xad\xef\xbc\xb0\xef\xbc\xac\xef\xbc\xa5\xef\xbc\x8e\xef\xbc\xa3\xef\xbc\xaf\xef\xbc\xad",
     "john@example.com"},
    {EmailRule::kStandard,
     "john\xef\xbc\xa0"
     "example.com",
     "john@example.com"}, // full-width @ only
    {EmailRule::kStandard, "\xef\xac\x81nance@example.com", "finance@example.com"},
    {EmailRule::kStandard, "\xef\xbc\x9cjohn@example.com\xef\xbc\x9e", "john@example.com"}, // ＜...＞
    // Google (Data Manager formatting page): gmail.com/googlemail.com lose dots and "+suffix"; inner
    // white space is removed for every domain.
    {EmailRule::kGoogle, "cloudy.sanfrancisco+shopping@gmail.com", "cloudysanfrancisco@gmail.com"},
    {EmailRule::kGoogle, "user.name+NYC@Example.com", "user.name+nyc@example.com"},
    {EmailRule::kGoogle, "J.O.H.N+alias@GoogleMail.com", "john@googlemail.com"},
    {EmailRule::kGoogle, " John.Smith @ gmail.com ", "johnsmith@gmail.com"},
    {EmailRule::kGoogle, "john smith@example.com", "johnsmith@example.com"},
    {EmailRule::kGoogle, "first.last@gmail.co.uk", "first.last@gmail.co.uk"}, // not Google's gmail domain
    {EmailRule::kGoogle, "+shopping@gmail.com", nullptr},                     // nothing left
    {EmailRule::kGoogle, "nope", nullptr},
    // Reddit (manual advanced matching): for every domain, no "+alias", only letters and digits.
    {EmailRule::kReddit, "Al.ice$+Apple@Example.Com", "alice@example.com"},
    {EmailRule::kReddit, "first.last-name_x@example.com", "firstlastnamex@example.com"},
    {EmailRule::kReddit, "J\xc3\xb6rg.M+x@example.de", "j\xc3\xb6rgm@example.de"},
    {EmailRule::kReddit, "+x@example.com", nullptr},
    {EmailRule::kReddit, "._@example.com", nullptr},
};

class EmailNormalization : public ::testing::TestWithParam<EmailCase> {};

TEST_P(EmailNormalization, MatchesHandCheckedOutput) {
	const EmailCase &c = GetParam();
	std::string out = "stale";
	const bool ok = NormalizeEmail(c.input, c.rule, out);
	if (c.expected == nullptr) {
		EXPECT_FALSE(ok);
		EXPECT_EQ(out, "");
	} else {
		EXPECT_TRUE(ok);
		EXPECT_EQ(out, c.expected);
	}
}

INSTANTIATE_TEST_SUITE_P(Identity, EmailNormalization, ::testing::ValuesIn(kCases));

TEST(IdentityEmail, ReusesTheOutputBuffer) {
	std::string out;
	out.reserve(64);
	const char *buffer = out.data();
	ASSERT_TRUE(NormalizeEmail("John_Smith@gmail.com", EmailRule::kStandard, out));
	EXPECT_EQ(out.data(), buffer);
}

} // namespace
} // namespace capi::identity
