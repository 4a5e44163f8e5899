// DigitDfa against ICU's matches() (what libphonenumber's RegExp::FullMatch runs): on hand-written
// expressions covering the syntax subset, and on every number pattern of libphonenumber's metadata,
// each with its example number, prefixes and extensions of it, one-digit changes and random digits.
#include "core/identity/phone_digit_dfa.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <phonenumbers/phonemetadata.pb.h>
#include <unicode/regex.h>

namespace i18n::phonenumbers {
int metadata_size();
const void *metadata_get();
} // namespace i18n::phonenumbers

namespace capi::identity::phone_internal {
namespace {

class IcuFullMatch {
public:
	explicit IcuFullMatch(const std::string &pattern) {
		UParseError parse_error;
		UErrorCode status = U_ZERO_ERROR;
		pattern_.reset(
		    icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), 0, parse_error, status));
		if (U_SUCCESS(status))
			matcher_.reset(pattern_->matcher(status));
	}
	bool Matches(const std::string &digits) {
		icu::UnicodeString input(digits.data(), static_cast<int32_t>(digits.size()), US_INV);
		UErrorCode status = U_ZERO_ERROR;
		matcher_->reset(input);
		return matcher_->matches(status) && U_SUCCESS(status);
	}

private:
	std::unique_ptr<icu::RegexPattern> pattern_;
	std::unique_ptr<icu::RegexMatcher> matcher_;
};

std::vector<std::string> Probes(const std::string &example, std::mt19937 &random) {
	std::vector<std::string> probes = {""};
	for (std::size_t length = 1; length <= example.size() + 2; length++) {
		std::string probe = example.substr(0, std::min(length, example.size()));
		while (probe.size() < length)
			probe.push_back('5');
		probes.push_back(probe);
	}
	std::uniform_int_distribution<int> digit(0, 9);
	for (std::size_t i = 0; i < example.size(); i++) {
		std::string changed = example;
		changed[i] = static_cast<char>('0' + (changed[i] - '0' + 1 + digit(random) % 9) % 10);
		probes.push_back(changed);
	}
	std::uniform_int_distribution<std::size_t> length(1, 17);
	for (int i = 0; i < 40; i++) {
		std::string random_digits(length(random), '0');
		for (char &c : random_digits)
			c = static_cast<char>('0' + digit(random));
		probes.push_back(random_digits);
	}
	return probes;
}

TEST(PhoneDigitDfa, HandWrittenExpressions) {
	struct Case {
		const char *pattern;
		const char *digits;
		bool matches;
	};
	const Case cases[] = {
	    {"[2-9]\\d{9}|3\\d{6}", "6505551212", true},
	    {"[2-9]\\d{9}|3\\d{6}", "0505551212", false},
	    {"[2-9]\\d{9}|3\\d{6}", "3123456", true},
	    {"[2-9]\\d{9}|3\\d{6}", "312345", false},
	    {"(?:1|2)?3{2,3}", "33", true},
	    {"(?:1|2)?3{2,3}", "2333", true},
	    {"(?:1|2)?3{2,3}", "23333", false},
	    {"(?:1|2)?3{2,3}", "", false},
	    {"8(?:00|33|44)[2-9]\\d{6}", "8002345678", true},
	    {"8(?:00|33|44)[2-9]\\d{6}", "8011234567", false},
	    {"[13-5]\\d?", "4", true},
	    {"[13-5]\\d?", "2", false},
	    {"(\\d)(?:\\d{2})??", "123", true}, // capturing group, lazy quantifier: same language
	    {"\\d{0,3}", "", true},
	    {"[\\d]{2}", "07", true},
	};
	for (const Case &c : cases) {
		std::unique_ptr<DigitDfa> dfa = DigitDfa::Compile(c.pattern);
		ASSERT_NE(dfa, nullptr) << c.pattern;
		EXPECT_EQ(dfa->FullMatch(c.digits), c.matches) << c.pattern << " on " << c.digits;
		IcuFullMatch icu(c.pattern);
		EXPECT_EQ(icu.Matches(c.digits), c.matches) << "ICU disagrees with the table: " << c.pattern;
	}
}

TEST(PhoneDigitDfa, SyntaxOutsideTheSubsetIsRefused) {
	for (const char *pattern : {"\\d+", "1*", "[^1]", "a", "\\d{2,}", "(?=1)1", "1|", "(1", "1)", "[1", "\\w",
	                            "1{3,2}", "1++", "^1$", "."}) {
		if (std::string_view(pattern) == "1|")
			continue; // an empty alternative is valid syntax (below)
		EXPECT_EQ(DigitDfa::Compile(pattern), nullptr) << pattern;
	}
	std::unique_ptr<DigitDfa> empty_alternative = DigitDfa::Compile("1|");
	ASSERT_NE(empty_alternative, nullptr);
	EXPECT_TRUE(empty_alternative->FullMatch(""));
	EXPECT_TRUE(empty_alternative->FullMatch("1"));
}

TEST(PhoneDigitDfa, NonDigitInputNeverMatches) {
	std::unique_ptr<DigitDfa> dfa = DigitDfa::Compile("\\d{3}");
	ASSERT_NE(dfa, nullptr);
	EXPECT_TRUE(dfa->FullMatch("123"));
	EXPECT_FALSE(dfa->FullMatch("12a"));
	EXPECT_FALSE(dfa->FullMatch("12/"));
}

TEST(PhoneDigitDfa, AgreesWithIcuOnEveryMetadataNumberPattern) {
	i18n::phonenumbers::PhoneMetadataCollection collection;
	ASSERT_TRUE(
	    collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size()));
	std::mt19937 random(20260601);
	std::size_t patterns = 0;
	std::size_t probes = 0;
	std::size_t largest = 0;
	for (const auto &metadata : collection.metadata()) {
		for (const auto *desc :
		     {&metadata.general_desc(), &metadata.fixed_line(), &metadata.mobile(), &metadata.toll_free(),
		      &metadata.premium_rate(), &metadata.shared_cost(), &metadata.personal_number(),
		      &metadata.voip(), &metadata.pager(), &metadata.uan(), &metadata.voicemail()}) {
			const std::string &pattern = desc->national_number_pattern();
			if (pattern.empty())
				continue;
			std::unique_ptr<DigitDfa> dfa = DigitDfa::Compile(pattern);
			ASSERT_NE(dfa, nullptr) << metadata.id() << ": " << pattern;
			largest = std::max(largest, dfa->StateCount());
			IcuFullMatch icu(pattern);
			std::string example = desc->example_number();
			if (example.empty())
				example = metadata.general_desc().example_number();
			if (example.empty())
				example = "1234567890";
			if (!desc->example_number().empty()) {
				EXPECT_TRUE(dfa->FullMatch(desc->example_number())) << metadata.id() << " " << pattern;
			}
			for (const std::string &probe : Probes(example, random)) {
				probes++;
				ASSERT_EQ(dfa->FullMatch(probe), icu.Matches(probe))
				    << metadata.id() << ": " << pattern << " on \"" << probe << "\"";
			}
			patterns++;
		}
	}
	std::printf("%zu metadata patterns, %zu probes, largest automaton %zu states\n", patterns, probes,
	            largest);
	EXPECT_GT(patterns, 1000u);
}

} // namespace
} // namespace capi::identity::phone_internal
