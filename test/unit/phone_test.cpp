// NormalizePhone on hand-checked numbers from 24 countries, in national and international writing,
// both output styles; garbage; the platforms' published digests; the prefix trees of the fast path;
// concurrent use. Every case is also checked against NormalizePhoneReference (libphonenumber alone).
#include "core/identity/phone.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/regex.h>

#include "core/identity/phone_fast.hpp"
#include "core/identity/phone_regex.hpp"
#include "core/sha256.hpp"
#include "phone_corpus.hpp"

namespace capi::identity {
namespace {

constexpr const char *kNone = "<none>";

std::string Normalized(std::string_view raw, std::string_view region, PhoneStyle style) {
	std::string out = "garbage";
	if (!NormalizePhone(raw, region, style, out)) {
		EXPECT_TRUE(out.empty()) << raw;
		return kNone;
	}
	return out;
}

std::string Reference(std::string_view raw, std::string_view region, PhoneStyle style) {
	std::string out;
	return NormalizePhoneReference(raw, region, style, out) ? out : kNone;
}

struct PhoneCase {
	const char *raw;
	const char *region;
	const char *e164; // with '+', or kNone
};

// Expected values worked out by hand from each country's numbering plan: country calling code, then
// the national number without its trunk prefix (0, 1 in NANPA, 8 in Russia), except Italy, where
// the leading 0 belongs to the number.
const PhoneCase kCountryCases[] = {
    // United States / Canada (NANPA, +1, trunk prefix 1, international prefix 011)
    {"(650) 555-1212", "US", "+16505551212"},
    {"650.555.1212", "us", "+16505551212"},
    {"1-650-555-1212", "US", "+16505551212"},
    {"+1 (650) 555-1212", "ZZ", "+16505551212"},
    {"16505551212", "US", "+16505551212"},
    {"tel:+1-650-555-1212", "", "+16505551212"},
    {"011 44 20 7946 0958", "US", "+442079460958"},
    {"(416) 555-0100", "CA", "+14165550100"},
    {"416-555-0100", "ca", "+14165550100"},
    // United Kingdom (+44, trunk 0, international 00)
    {"020 7946 0958", "GB", "+442079460958"},
    {"+44 (0)20 7946 0958", "GB", "+442079460958"},
    {"0044 20 7946 0958", "GB", "+442079460958"},
    {"07911 123456", "gb", "+447911123456"}, // (07700 900xxx is Ofcom's range for drama: not valid)
    // Germany (+49)
    {"030 123456", "DE", "+4930123456"},
    {"+49 30 1234567", "DE", "+49301234567"},
    {"0171 1234567", "DE", "+491711234567"},
    {"0049 171 1234567", "DE", "+491711234567"},
    {"030/1234567", "DE", "+49301234567"},
    // France (+33)
    {"01 23 45 67 89", "FR", "+33123456789"},
    {"06.12.34.56.78", "FR", "+33612345678"},
    {"+33 6 12 34 56 78", "DE", "+33612345678"},
    // Italy (+39): the leading 0 of landlines is part of the number
    {"06 1234 5678", "IT", "+390612345678"},
    {"+39 06 1234 5678", "US", "+390612345678"},
    {"333 123 4567", "IT", "+393331234567"},
    // Spain (+34, no trunk prefix)
    {"612 34 56 78", "ES", "+34612345678"},
    {"+34 912 345 678", "ES", "+34912345678"},
    // Netherlands (+31)
    {"020-123 4567", "NL", "+31201234567"},
    {"06-12345678", "NL", "+31612345678"},
    // Brazil (+55, trunk 0)
    {"(11) 91234-5678", "BR", "+5511912345678"},
    {"+55 11 91234-5678", "BR", "+5511912345678"},
    // Mexico (+52; the former mobile "1" after the country code is dropped)
    {"55 1234 5678", "MX", "+525512345678"},
    {"+52 55 1234 5678", "MX", "+525512345678"},
    // Argentina (+54): "0 11 15-xxxx-xxxx" is the mobile 9 11 xxxx-xxxx
    {"011 15-1234-5678", "AR", "+5491112345678"},
    {"+54 9 11 1234-5678", "AR", "+5491112345678"},
    // India (+91)
    {"+91 98765 43210", "IN", "+919876543210"},
    {"098765 43210", "IN", "+919876543210"},
    {"9876543210", "IN", "+919876543210"},
    // China (+86)
    {"010 1234 5678", "CN", "+861012345678"},
    {"138 0013 8000", "CN", "+8613800138000"},
    {"+86 138 0013 8000", "US", "+8613800138000"},
    // Japan (+81)
    {"03-1234-5678", "JP", "+81312345678"},
    {"090-1234-5678", "JP", "+819012345678"},
    // South Korea (+82)
    {"02-123-4567", "KR", "+8221234567"},
    {"010-1234-5678", "KR", "+821012345678"},
    // Australia (+61, international prefix 0011)
    {"(02) 9876 5432", "AU", "+61298765432"},
    {"0412 345 678", "AU", "+61412345678"},
    {"0011 44 20 7946 0958", "AU", "+442079460958"},
    // South Africa (+27)
    {"011 123 4567", "ZA", "+27111234567"},
    {"082 123 4567", "ZA", "+27821234567"},
    // Nigeria (+234)
    {"0803 123 4567", "NG", "+2348031234567"},
    {"+234 803 123 4567", "NG", "+2348031234567"},
    // Russia (+7, trunk prefix 8)
    {"8 (495) 123-45-67", "RU", "+74951234567"},
    {"+7 495 123-45-67", "RU", "+74951234567"},
    {"8 916 123-45-67", "RU", "+79161234567"},
    // Sweden (+46)
    {"08-123 456 78", "SE", "+46812345678"},
    {"070-123 45 67", "SE", "+46701234567"},
    // Switzerland (+41)
    {"044 668 18 00", "CH", "+41446681800"},
    {"+41 79 123 45 67", "CH", "+41791234567"},
    // Poland (+48, no trunk prefix)
    {"12 345 67 89", "PL", "+48123456789"},
    {"+48 512 345 678", "PL", "+48512345678"},
    // Singapore (+65), Ireland (+353)
    {"6123 4567", "SG", "+6561234567"},
    {"01 234 5678", "IE", "+35312345678"},
};

class PhoneCountries : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneCountries, BothStylesMatchHandCheckedValue) {
	const PhoneCase &c = GetParam();
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164WithPlus), c.e164) << c.raw << " / " << c.region;
	std::string digits_only = std::string(c.e164).substr(1);
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164DigitsOnly), digits_only) << c.raw;
	EXPECT_EQ(Reference(c.raw, c.region, PhoneStyle::kE164WithPlus), c.e164) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(Table, PhoneCountries, ::testing::ValuesIn(kCountryCases));

// How numbers are written in exports: Unicode spaces, full-width digits, extensions, vanity words.
const PhoneCase kWritingCases[] = {
    {"\xC2\xA0(650) 555-1212\xC2\xA0", "US", "+16505551212"},          // NBSP around
    {"\xE2\x80\x83+44 20 7946 0958\xE3\x80\x80", "", "+442079460958"}, // em space, ideographic space
    {"\xEF\xBB\xBF"
     "020 7946 0958\r\n",
     "GB", "+442079460958"}, // BOM, CRLF
    {"650\xC2\xA0"
     "555\xC2\xA0"
     "1212",
     "US", "+16505551212"},                                                  // NBSP as separator
    {"\xEF\xBC\x96\xEF\xBC\x95\xEF\xBC\x90 555 1212", "US", "+16505551212"}, // full-width 650
    {"\xEF\xBC\x8B"
     "44 20 7946 0958",
     "US", "+442079460958"}, // full-width plus
    {"(650) 555-1212 x123", "US", "+16505551212"},
    {"650-555-1212 ext. 5", "US", "+16505551212"},
    {"650-555-1212 extension 100", "US", "+16505551212"},
    {"tel:+1-650-555-1212;ext=7", "US", "+16505551212"},
    {"650 555 1212,,55", "US", "+16505551212"},
    {"650 555 1212 #12", "US", "+16505551212"},
    {"650-555-1212 - 503#", "US", "+16505551212"},
    {"Phone: 020 7946 0958 (m)", "GB", "+442079460958"}, // one letter: dropped
    {"020 7946 0958 (home)", "GB", kNone}, // three letters or more become keypad digits: too long
    {"1-800-FLOWERS", "US", "+18003569377"},
    {"+1 800 GOT JUNK", "GB", "+18004685865"},
    {"650-555-1212.", "US", "+16505551212"},
    {"+1 650 555 1212;", "US", "+16505551212"},
    // Country code without '+' (Meta's stored format), read even with another or no region.
    {"16505551212", "GB", "+16505551212"},
    {"442079460958", "US", "+442079460958"},
    {"442079460958", "", "+442079460958"},
    {"16505551212", "XX", "+16505551212"},
    // With an unknown region every number is read as if it began with its country code: a national
    // US number would become +65 05551212, which is no valid Singapore number.
    {"(650) 555-1212", "ZZ", kNone},
};

class PhoneWriting : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneWriting, MatchesHandCheckedValue) {
	const PhoneCase &c = GetParam();
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164WithPlus), c.e164) << c.raw << " / " << c.region;
	EXPECT_EQ(Reference(c.raw, c.region, PhoneStyle::kE164WithPlus), c.e164) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(Table, PhoneWriting, ::testing::ValuesIn(kWritingCases));

// International prefixes written where the region does not use them, a '+' before the prefix, and a
// stray 0 before the region's own country code: read as the number after the prefix (issue 12).
const PhoneCase kPrefixCases[] = {
    {"0049 30 1234567", "US", "+49301234567"},
    {"00 44 20 7946 0958", "US", "+442079460958"},
    {"0044 20 7946 0958", "CA", "+442079460958"},
    {"0044-20-7946-0958", "US", "+442079460958"},
    {"00.44.20.7946.0958", "US", "+442079460958"},
    {"0044 (0)20 7946 0958", "US", "+442079460958"},
    {"+0044 20 7946 0958", "US", "+442079460958"},
    {"+00 44 20 7946 0958", "US", "+442079460958"},
    {"+001 (616) 459-1234", "US", "+16164591234"},
    {"001 616 459 1234", "US", "+16164591234"},
    {"0016164591234", "US", "+16164591234"},
    {"00 33 6 12 34 56 78", "US", "+33612345678"},
    {"0033612345678", "US", "+33612345678"},
    {"00 49 171 1234567", "US", "+491711234567"},
    {"0049 (0)30 1234567", "US", "+49301234567"},
    {"Tel: 0049 30 1234567", "US", "+49301234567"},
    {"0039 06 1234 5678", "US", "+390612345678"},
    {"0081 90 1234 5678", "US", "+819012345678"},
    {"0055 11 91234-5678", "US", "+5511912345678"},
    {"\xEF\xBC\x90\xEF\xBC\x90\xEF\xBC\x94\xEF\xBC\x99 30 1234567", "US", "+49301234567"}, // full-width 0049
    {"011 49 30 1234567", "GB", "+49301234567"},
    {"+011 44 20 7946 0958", "US", "+442079460958"},
    {"+011 44 20 7946 0958", "DE", "+442079460958"},
    {"01 (650) 555-1212", "US", "+16505551212"},
    {"01-650-555-1212", "US", "+16505551212"},
    {"016505551212", "US", "+16505551212"},
    {"+01 650 555 1212", "US", "+16505551212"},
    {"01 416 555 0100", "CA", "+14165550100"},
    {"044 20 7946 0958", "GB", "+442079460958"},
    {"033 6 12 34 56 78", "FR", "+33612345678"},
    // The region's own prefix still works as before.
    {"0049 30 1234567", "DE", "+49301234567"},
    {"011 49 30 1234567", "US", "+49301234567"},
};

class PhonePrefixes : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhonePrefixes, AreReadAsInternationalNumbers) {
	const PhoneCase &c = GetParam();
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164WithPlus), c.e164) << c.raw << " / " << c.region;
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164DigitsOnly), std::string(c.e164).substr(1))
	    << c.raw;
	EXPECT_EQ(Reference(c.raw, c.region, PhoneStyle::kE164WithPlus), c.e164) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(Table, PhonePrefixes, ::testing::ValuesIn(kPrefixCases));

// Numbers libphonenumber finds possible (the right length) but not valid, or longer than E.164's 15
// digits: no result, never an impossible E.164 number (issue 12). Nor is a national number of another
// country turned into some third country's number by dropping its leading 0.
const PhoneCase kInvalidCases[] = {
    {"030 1234567", "US", kNone},         // a German national number: no NANP area code starts with 0
    {"0301234567", "US", kNone},          // (it used to become +10301234567)
    {"(123) 456-7890", "US", kNone},      // nor with 1
    {"+1 123 456 7890", "DE", kNone},     //
    {"(650) 155-1212", "US", kNone},      // nor an exchange
    {"+49 30 123456789012", "DE", kNone}, // valid to libphonenumber, but 16 digits
    {"+4930123456789012", "US", kNone},   //
    {"+44 20 7946 09581", "GB", kNone},   // one digit too many
    {"+33 1 23 45 67", "FR", kNone},      // too short
    {"(02) 9876 5432", "US", kNone},      // Australian, national: not "+298 765432" (Faroe) by dropping a 0
    {"020 7946 0958", "US", kNone},       // British, national
    {"07911 123456", "US", kNone},        // British mobile, national
    {"06 12 34 56 78", "US", kNone},      // French mobile, national
    {"0044 20 7946", "US", kNone},        // too short after the prefix
    {"00 999 1234567", "US", kNone},      // no such country code
    {"0", "US", kNone},
    {"00", "US", kNone},
    {"+00", "US", kNone},
};

class PhoneInvalid : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneInvalid, HasNoResult) {
	const PhoneCase &c = GetParam();
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164WithPlus), kNone) << c.raw << " / " << c.region;
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164DigitsOnly), kNone) << c.raw;
	EXPECT_EQ(Reference(c.raw, c.region, PhoneStyle::kE164WithPlus), kNone) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(Table, PhoneInvalid, ::testing::ValuesIn(kInvalidCases));

// Whatever the fast path returns is a number libphonenumber itself finds valid, and at most 15 digits.
TEST(PhoneValidity, EveryResultIsValidToLibphonenumber) {
	const auto &util = *i18n::phonenumbers::PhoneNumberUtil::GetInstance();
	testing::PhoneCorpusGenerator generator(1212);
	size_t accepted = 0;
	for (const testing::PhoneCase &c : generator.Generate(20000)) {
		std::string out;
		if (!NormalizePhone(c.raw, c.region, PhoneStyle::kE164WithPlus, out))
			continue;
		accepted++;
		i18n::phonenumbers::PhoneNumber number;
		ASSERT_EQ(util.Parse(out, "ZZ", &number), i18n::phonenumbers::PhoneNumberUtil::NO_PARSING_ERROR)
		    << out;
		EXPECT_TRUE(util.IsValidNumber(number)) << c.raw << " / " << c.region << " -> " << out;
		EXPECT_LE(out.size(), 16u) << c.raw << " -> " << out;
	}
	EXPECT_GT(accepted, 5000u);
}

// Inputs without a possible number: false and an empty output, in both styles.
const PhoneCase kGarbageCases[] = {
    {"", "US", kNone},
    {"abc", "US", kNone},
    {"123", "US", kNone},
    {"12", "US", kNone},
    {"+", "US", kNone},
    {"++", "", kNone},
    {"n/a", "GB", kNone},
    {"unknown", "DE", kNone},
    {"123456789012345678901234567890", "US", kNone},
    {"+1", "US", kNone},
    {"+999 123 456 789", "US", kNone},
    {"12a3456789", "US", kNone},       // a letter before the third digit
    {"+44+20 7946 0958", "GB", kNone}, // a second '+'
    {"650-555-1212\x01", "US", kNone}, // a control character libphonenumber refuses
    {"555-1212", "US", kNone},         // 7 digits: possible only locally (IS_POSSIBLE_LOCAL_ONLY)
    {"020 7946 0958", "ZZ", kNone},    // no region, and "+0..." is no country code
    {"650 555 1212\xFF", "US", kNone}, // not UTF-8
};

class PhoneGarbage : public ::testing::TestWithParam<PhoneCase> {};

TEST_P(PhoneGarbage, IsRejected) {
	const PhoneCase &c = GetParam();
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164WithPlus), kNone) << c.raw;
	EXPECT_EQ(Normalized(c.raw, c.region, PhoneStyle::kE164DigitsOnly), kNone) << c.raw;
	EXPECT_EQ(Reference(c.raw, c.region, PhoneStyle::kE164WithPlus), kNone) << c.raw;
}

INSTANTIATE_TEST_SUITE_P(Table, PhoneGarbage, ::testing::ValuesIn(kGarbageCases));

// Meta CIP: "(650)555-1212" -> 16505551212; Google Data Manager: "(800)555-0100" -> +18005550100
// (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/customer-information-parameters,
// https://developers.google.com/data-manager/api/devguides/concepts/formatting).
TEST(PhonePublishedVectors, MetaDigitsOnly) {
	std::string normalized = Normalized("(650)555-1212", "US", PhoneStyle::kE164DigitsOnly);
	EXPECT_EQ(normalized, "16505551212");
	EXPECT_EQ(Sha256Hex(normalized), "e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176");
}

TEST(PhonePublishedVectors, GoogleWithPlus) {
	std::string normalized = Normalized("(800)555-0100", "US", PhoneStyle::kE164WithPlus);
	EXPECT_EQ(normalized, "+18005550100");
	EXPECT_EQ(Sha256Hex(normalized), "fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30");
	EXPECT_EQ(Sha256Hex(Normalized("(800)555-0100", "US", PhoneStyle::kE164DigitsOnly)),
	          "92cfdc5fbcd4a20fbe5d3857af6c1aba31762105bba7f21a17155e920653046c");
}

TEST(PhoneRegionCode, UpperCasesTwoLettersOnly) {
	EXPECT_EQ(phone_internal::RegionCode("us"), "US");
	EXPECT_EQ(phone_internal::RegionCode("Gb"), "GB");
	EXPECT_EQ(phone_internal::RegionCode(""), "ZZ");
	EXPECT_EQ(phone_internal::RegionCode("usa"), "ZZ");
	EXPECT_EQ(phone_internal::RegionCode("1a"), "ZZ");
}

TEST(PhoneFastPath, AnswersTheCommonShapesItself) {
	using phone_internal::FastResult;
	// The start-up comparison with libphonenumber's example numbers found no difference.
	EXPECT_TRUE(phone_internal::FastPathEnabled());
	std::string out;
	EXPECT_EQ(phone_internal::NormalizePhoneFast("(650) 555-1212", "US", PhoneStyle::kE164WithPlus, out),
	          FastResult::kAccepted);
	EXPECT_EQ(out, "+16505551212");
	EXPECT_EQ(phone_internal::NormalizePhoneFast("abc", "US", PhoneStyle::kE164WithPlus, out),
	          FastResult::kRejected);
	// Unicode letters are left to libphonenumber.
	EXPECT_EQ(phone_internal::NormalizePhoneFast("650 555 1212 \xD0\xB4\xD0\xBE\xD0\xB1 5", "RU",
	                                             PhoneStyle::kE164WithPlus, out),
	          FastResult::kUndecided);
}

// The prefix trees must give ICU's own answer for every digit string (here all strings of up to five
// digits) on expressions shaped like libphonenumber's metadata.
TEST(PhoneDigitRegex, PrefixTreesAgreeWithIcu) {
	const char *const kPatterns[] = {
	    "00",
	    "0(?:0|11)",
	    "8~10",
	    "",
	    "0|90",
	    "(?:0|90)(?:(1[245]|2[1-35]|31|4[13]|[56]5|99)(\\d{10,11}))?",
	    "0?(?:(11|2(?:2(?:02?|[13]|2[13-79])|3(?:[03-5]|7[02])))?15)?",
	    "[2-9]\\d{9}|3\\d{6}",
	    "1\\d{4,9}|[2-9]\\d{7,8}",
	    "8\\d{13}|[347-9]\\d{9}",
	    "(?:1|5\\d)\\d{3}",
	    "[(",
	};
	for (const char *source : kPatterns) {
		phone_internal::DigitRegex regex(source);
		UParseError parse_error;
		UErrorCode status = U_ZERO_ERROR;
		std::unique_ptr<icu::RegexPattern> pattern(
		    icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(source), 0, parse_error, status));
		if (U_FAILURE(status))
			pattern.reset();
		std::unique_ptr<icu::RegexMatcher> matcher(pattern ? pattern->matcher(status) : nullptr);
		std::string digits;
		for (int length = 0; length <= 5; length++) {
			int combinations = 1;
			for (int i = 0; i < length; i++)
				combinations *= 10;
			for (int n = 0; n < combinations; n++) {
				digits.assign(static_cast<size_t>(length), '0');
				for (int i = length - 1, rest = n; i >= 0; i--, rest /= 10)
					digits[i] = static_cast<char>('0' + rest % 10);
				bool looking_at = false, full_match = false;
				int32_t end = -1;
				if (matcher) {
					icu::UnicodeString input = icu::UnicodeString::fromUTF8(digits);
					matcher->reset(input);
					looking_at = matcher->lookingAt(status);
					if (looking_at)
						end = matcher->end(status);
					matcher->reset(input);
					full_match = matcher->matches(status);
				}
				size_t tree_end = 0;
				ASSERT_EQ(regex.LookingAt(digits, &tree_end), looking_at) << source << " on " << digits;
				if (looking_at) {
					ASSERT_EQ(static_cast<int32_t>(tree_end), end) << source << " on " << digits;
				}
				ASSERT_EQ(regex.FullMatch(digits), full_match) << source << " on " << digits;
			}
		}
	}
}

// Several threads share the tables, the lazily built prefix trees and libphonenumber.
TEST(PhoneThreads, ConcurrentCallsGiveTheSingleThreadedResults) {
	testing::PhoneCorpusGenerator generator(99);
	std::vector<testing::PhoneCase> corpus = generator.Generate(4000);
	std::vector<std::string> expected(corpus.size());
	for (size_t i = 0; i < corpus.size(); i++)
		NormalizePhoneReference(corpus[i].raw, corpus[i].region, PhoneStyle::kE164WithPlus, expected[i]);
	std::vector<size_t> mismatches(4, 0);
	std::vector<std::thread> threads;
	for (size_t t = 0; t < mismatches.size(); t++) {
		threads.emplace_back([&, t] {
			std::string out;
			for (size_t i = 0; i < corpus.size(); i++) {
				size_t row = (i * 7 + t * 1000) % corpus.size();
				NormalizePhone(corpus[row].raw, corpus[row].region, PhoneStyle::kE164WithPlus, out);
				mismatches[t] += out != expected[row];
			}
		});
	}
	for (std::thread &thread : threads)
		thread.join();
	for (size_t count : mismatches)
		EXPECT_EQ(count, 0u);
}

} // namespace
} // namespace capi::identity
