// Internals of phone normalization shared by phone.cpp, phone_reference.cpp and the tests.
//
// The fast path computes what libphonenumber's Parse + IsPossibleNumberWithReason + Format(E164)
// compute, without calling Parse:
//   phone_scanner.cpp  mirrors Parse's text handling (extraction, trimming, viability, extensions,
//                      normalization) for the usual ways of writing numbers, else says "unknown";
//   phone_fast.cpp     ParseDigits: ParseHelper's country code / national prefix logic step for
//                      step, on libphonenumber's own metadata;
//   phone_regex.cpp    the metadata expressions, run by ICU as libphonenumber runs them, mostly
//                      answered from prefix trees built from ICU's own answers.
// Its answers are the reference's by construction; phone_differential_test.cpp checks that on a
// 100,000-number corpus. Whatever the scanner does not model goes to NormalizePhoneReference.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/identity/phone.hpp"

namespace capi::identity::phone_internal {

// The region as libphonenumber expects it: two ASCII letters upper-cased, otherwise "ZZ" (unknown).
std::string RegionCode(std::string_view region);

enum class FastResult {
	kAccepted,  // out holds the E.164 number
	kRejected,  // the reference would return false as well
	kUndecided, // shape not modelled: ask NormalizePhoneReference
};

// Scans raw; when it is a modelled shape, reads its digits with ParseDigits. (phone.cpp)
FastResult NormalizePhoneFast(std::string_view raw, std::string_view region, PhoneStyle style,
                              std::string &out);

// libphonenumber's Parse + IsPossibleNumberWithReason == IS_POSSIBLE for a number that was written
// as `digits` (ASCII, separators already removed), after a '+' when `plus`; region: ISO 3166-1
// alpha-2 in any case (anything else is unknown). On kAccepted, *country_code and *national_number
// hold the E.164 parts. (phone_fast.cpp)
FastResult ParseDigits(std::string_view digits, bool plus, std::string_view region_code, int *country_code,
                       std::string *national_number);

// False when a sample of libphonenumber's example numbers showed the fast path disagreeing with the
// installed libphonenumber (checked once, on first use): NormalizePhone then only uses the reference.
bool FastPathEnabled();

// How many NormalizePhone calls each path answered (process-wide, relaxed atomics): lets tests and
// the benchmark report the fast path's coverage.
struct PhonePathCounts {
	uint64_t fast = 0;
	uint64_t reference = 0;
};
PhonePathCounts GetPhonePathCounts();
void ResetPhonePathCounts();
void CountPhonePath(bool fast);

} // namespace capi::identity::phone_internal

#include "core/cpp_only.hpp"
