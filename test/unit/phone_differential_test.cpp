// NormalizePhone (fast path + fallback) against NormalizePhoneReference (libphonenumber alone) on a
// deterministic corpus of 100,000 numbers from every region libphonenumber supports, in both output
// styles: the results must be byte-identical, and the fast path must answer the large majority.
#include "core/identity/phone.hpp"

#include <gtest/gtest.h>

#include "core/identity/phone_fast.hpp"
#include "phone_corpus.hpp"

namespace capi::identity {
namespace {

constexpr size_t kCorpusSize = 100000;
constexpr uint64_t kSeed = 20240601;

std::string Describe(const testing::PhoneCase &c) {
	return "raw=\"" + c.raw + "\" region=\"" + c.region + "\"";
}

// Found by fuzz/phone_fuzz: a '+' inside the number followed by a letter ("5678+D") kept the fast path
// answering, though libphonenumber's valid_phone_number_pattern cannot match a '+' there (only a
// trailing one, which TrimUnwantedEndChars removes, and letters are not removed).
TEST(PhoneDifferential, PlusBeforeALetterInsideTheNumber) {
	for (const char *raw :
	     {"(11) 91123434-5678+D@", "11) 91123434-5678+D", "91123434-5678+D", "650 555 1212+abc",
	      "+1 650 555 1212 +Home", "650-555+CALL", "11) 91123434-5678+"}) {
		for (const char *region : {"CN", "US", "DE"}) {
			for (PhoneStyle style : {PhoneStyle::kE164WithPlus, PhoneStyle::kE164DigitsOnly}) {
				std::string fast;
				std::string reference;
				const bool fast_ok = NormalizePhone(raw, region, style, fast);
				const bool reference_ok = NormalizePhoneReference(raw, region, style, reference);
				EXPECT_EQ(fast_ok, reference_ok) << raw << " " << region;
				EXPECT_EQ(fast, reference) << raw << " " << region;
			}
		}
	}
}

TEST(PhoneDifferential, FastPathMatchesLibphonenumberOnCorpus) {
	testing::PhoneCorpusGenerator generator(kSeed);
	ASSERT_GE(generator.SeedRegions().size(), 200u); // every supported region contributes seeds
	std::vector<testing::PhoneCase> corpus = generator.Generate(kCorpusSize);

	phone_internal::ResetPhonePathCounts();
	size_t mismatches = 0;
	size_t accepted = 0;
	std::set<std::string> accepted_regions;
	for (const testing::PhoneCase &c : corpus) {
		for (PhoneStyle style : {PhoneStyle::kE164WithPlus, PhoneStyle::kE164DigitsOnly}) {
			std::string fast = "unset";
			std::string reference = "unset";
			bool fast_ok = NormalizePhone(c.raw, c.region, style, fast);
			bool reference_ok = NormalizePhoneReference(c.raw, c.region, style, reference);
			if (fast_ok != reference_ok || fast != reference) {
				if (++mismatches <= 20)
					ADD_FAILURE() << Describe(c) << " style=" << static_cast<int>(style)
					              << " fast=" << fast_ok << ":" << fast << " reference=" << reference_ok
					              << ":" << reference;
			}
			if (!fast_ok && !fast.empty())
				ADD_FAILURE() << Describe(c) << ": output not cleared on failure";
			if (style == PhoneStyle::kE164WithPlus && fast_ok) {
				accepted++;
				accepted_regions.insert(c.region);
				EXPECT_EQ(fast[0], '+') << Describe(c);
			}
		}
	}
	EXPECT_EQ(mismatches, 0u);

	phone_internal::PhonePathCounts counts = phone_internal::GetPhonePathCounts();
	double calls = static_cast<double>(counts.fast + counts.reference);
	double fast_share = counts.fast / calls;
	std::printf(
	    "corpus %zu numbers x 2 styles: %llu fast, %llu reference (%.1f%% fast); %zu accepted (plus style)\n",
	    corpus.size(), static_cast<unsigned long long>(counts.fast),
	    static_cast<unsigned long long>(counts.reference), 100.0 * fast_share, accepted);
	EXPECT_EQ(counts.fast + counts.reference, 2 * corpus.size());
	EXPECT_GE(fast_share, 0.80);
	// The corpus is mostly readable numbers, not garbage.
	EXPECT_GE(accepted, corpus.size() / 2);
}

} // namespace
} // namespace capi::identity
