// First/last names in several scripts, per rule (docs/normalization.md, "first_name / last_name").
#include "core/identity/name.hpp"

#include <gtest/gtest.h>

namespace capi::identity {
namespace {

struct NameCase {
	NameRule rule;
	NamePart part;
	const char *input;
	const char *expected; // nullptr: no result
};

void PrintTo(const NameCase &c, std::ostream *os) {
	*os << static_cast<int>(c.rule) << " \"" << c.input << '"';
}

constexpr NameRule kCompact = NameRule::kCompact;
constexpr NameRule kWords = NameRule::kWords;
constexpr NameRule kPlain = NameRule::kPlain;
constexpr NamePart kFirst = NamePart::kFirst;
constexpr NamePart kLast = NamePart::kLast;

const NameCase kCases[] = {
    // Compatibility forms fold (NFKC, issue 12): full-width Latin as Japanese forms write it, ligatures,
    // half-width katakana; the published vectors above and below are unchanged by it.
    {kCompact, kFirst, "\xef\xbc\xaa\xef\xbc\xaf\xef\xbc\xa8\xef\xbc\xae", "john"}, // ＪＯＨＮ
    {kCompact, kFirst, "\xef\xbd\x8a\xef\xbd\x8f\xef\xbd\x88\xef\xbd\x8e", "john"}, // ｊｏｈｎ
    {kCompact, kLast, "\xef\xbc\xaf\xef\xbc\x87\xef\xbc\xa2\xef\xbd\x92\xef\xbd\x89\xef\xbd\x85\xef\xbd\x8e",
     "obrien"},                                     // Ｏ＇Ｂｒｉｅｎ
    {kCompact, kFirst, "\xef\xac\x81ona", "fiona"}, // ﬁona
    {kCompact, kLast, "\xef\xbd\xbd\xef\xbe\x9e\xef\xbd\xb7", "\xe3\x82\xba\xe3\x82\xad"}, // ｽﾞｷ -> ズキ
    {kWords, kFirst, "\xef\xbc\xaa\xef\xbd\x8f\xef\xbd\x88\xef\xbd\x8e\xe3\x80\x80\xef\xbc\xb0",
     "john p"},                                                                   // Ｊｏｈｎ　Ｐ
    {kPlain, kFirst, "\xef\xbc\xaa\xef\xbd\x8f\xef\xbd\x88\xef\xbd\x8e", "John"}, // LinkedIn, case kept
    // Meta CIP examples.    // Meta CIP examples.
    {kCompact, kFirst, "Mary", "mary"},
    {kCompact, kFirst, "\xec\xa0\x95", "\xec\xa0\x95"},     // 정 (Hangul) unchanged
    {kCompact, kFirst, "Val\xc3\xa9ry", "val\xc3\xa9ry"},   // Valéry, NFC in
    {kCompact, kFirst, "Vale\xcc\x81ry", "val\xc3\xa9ry"},  // Valéry, NFD in: NFC out
    {kCompact, kFirst, "Rapha\xc3\xabl", "rapha\xc3\xabl"}, // Snap's example Raphaël
    // Punctuation and white space go (Meta: "no punctuation"; capi-param-builder also drops spaces).
    {kCompact, kLast, "O'Brien", "obrien"},
    {kCompact, kLast,
     "O\xe2\x80\x99"
     "Brien",
     "obrien"}, // O’Brien
    {kCompact, kFirst, "Mary-Jane", "maryjane"},
    {kCompact, kFirst, " Mary  Jane ", "maryjane"},
    {kCompact, kFirst, "\tMARY\xc2\xa0", "mary"}, // tab, NBSP
    {kCompact, kLast, "St. John-Smith", "stjohnsmith"},
    {kCompact, kFirst, "Gal\xc2\xb7la", "galla"}, // Catalan middle dot is punctuation
    // Scripts.
    {kCompact, kFirst, "\xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd",
     "\xd0\xb8\xd0\xb2\xd0\xb0\xd0\xbd"}, // Иван -> иван
    {kCompact, kLast, "\xce\x9f\xce\x94\xce\xa5\xce\xa3\xce\xa3\xce\x95\xce\xa5\xce\xa3",
     "\xce\xbf\xce\xb4\xcf\x85\xcf\x83\xcf\x83\xce\xb5\xcf\x85\xcf\x82"}, // ΟΔΥΣΣΕΥΣ -> οδυσσευς
    {kCompact, kLast, "WEI\xc3\x9f", "wei\xc3\x9f"},                      // WEIß -> weiß
    {kCompact, kLast, "WEI\xe1\xba\x9e", "wei\xc3\x9f"},                  // WEIẞ -> weiß
    {kCompact, kFirst, "\xc4\xb0lker", "i\xcc\x87lker"},                  // İlker -> i̇lker (root locale)
    {kCompact, kFirst, "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e",
     "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"}, // 王小明
    {kCompact, kLast, "\xe5\xb1\xb1\xe7\x94\xb0\xe3\x83\xbb\xe5\xa4\xaa\xe9\x83\x8e",
     "\xe5\xb1\xb1\xe7\x94\xb0\xe5\xa4\xaa\xe9\x83\x8e"}, // 山田・太郎
    {kCompact, kFirst, "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf", "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf"}, // محمد
    {kCompact, kFirst, "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xb9\xe0\xa5\x81\xe0\xa4\xb2",
     "\xe0\xa4\xb0\xe0\xa4\xbe\xe0\xa4\xb9\xe0\xa5\x81\xe0\xa4\xb2"}, // राहुल, vowel signs kept
    {kCompact, kLast, "\xea\xb9\x80 \xeb\xaf\xbc\xec\xa4\x80",
     "\xea\xb9\x80\xeb\xaf\xbc\xec\xa4\x80"}, // 김 민준
    // No letter: no result.
    {kCompact, kFirst, "", nullptr},
    {kCompact, kFirst, " \xc2\xa0 ", nullptr},
    {kCompact, kFirst, "!!!", nullptr},
    {kCompact, kFirst, "123", nullptr},
    // Google: lowercase, single spaces, no punctuation, no honorific (first) / suffix (last).
    {kWords, kFirst, "  Mary   Jane ", "mary jane"},
    {kWords, kFirst, "Dr. Mary Jane", "mary jane"},
    {kWords, kFirst, "Mary-Jane", "mary-jane"}, // first names keep punctuation (Ads API rule)
    {kWords, kFirst, "dr mary", "mary"},
    {kWords, kFirst, "Mrs. Jones", "jones"},
    {kWords, kFirst, "Miss", "miss"}, // nothing else left: kept
    {kWords, kLast, "Smith, Jr.", "smith"},
    {kWords, kLast, "Van Dyke III", "van dyke"},
    {kWords, kLast,
     "O\xe2\x80\x99"
     "Brien",
     "obrien"},
    {kWords, kLast, "Jr.", "jr"},
    {kWords, kFirst, "Val\xc3\xa9ry", "val\xc3\xa9ry"},
    // LinkedIn userInfo is plain text: case kept, white space collapsed, NFC.
    {kPlain, kFirst, "  Mary   Jane ", "Mary Jane"},
    {kPlain, kLast, "O'Brien", "O'Brien"},
    {kPlain, kLast, "Vale\xcc\x81ry", "Val\xc3\xa9ry"},
    {kPlain, kLast, "-", nullptr},
};

class NameNormalization : public ::testing::TestWithParam<NameCase> {};

TEST_P(NameNormalization, MatchesHandCheckedOutput) {
	const NameCase &c = GetParam();
	std::string out = "stale";
	const bool ok = NormalizeName(c.input, c.rule, c.part, out);
	if (c.expected == nullptr) {
		EXPECT_FALSE(ok);
		EXPECT_EQ(out, "");
	} else {
		EXPECT_TRUE(ok);
		EXPECT_EQ(out, c.expected);
	}
}

INSTANTIATE_TEST_SUITE_P(Identity, NameNormalization, ::testing::ValuesIn(kCases));

} // namespace
} // namespace capi::identity
