// Internals of phone normalization shared by phone.cpp, phone_reference.cpp and the tests.
//
// The fast path computes what libphonenumber's Parse + IsPossibleNumberWithReason + IsValidNumber +
// Format(E164) compute, without calling them:
//   phone_scanner.cpp   mirrors Parse's text handling (extraction, trimming, viability, extensions,
//                       normalization) for the usual ways of writing numbers, else says "unknown";
//   phone_fast.cpp      ParseDigits: ParseHelper's country code / national prefix logic step for
//                       step, on libphonenumber's own metadata; CheckValidNumber: IsValidNumber;
//   phone_regex.cpp     the metadata expressions, run by ICU as libphonenumber runs them, mostly
//                       answered from prefix trees built from ICU's own answers, and full matches
//   phone_digit_dfa.cpp by a DFA of the expression.
// Its answers are the reference's by construction; phone_differential_test.cpp checks that on a
// 100,000-number corpus. Whatever the scanner does not model goes to the reference (ReadPhoneReference).
// Both paths share the retries of phone_retry.cpp.
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
	kUndecided, // shape not modelled: ask ReadPhoneReference
};

// Scans raw; when it is a modelled shape, reads its digits with ParseDigits and checks the number's
// validity (CheckValidNumber, kMaxE164Digits): ReadPhoneReference's answer. (phone.cpp)
FastResult NormalizePhoneFast(std::string_view raw, std::string_view region, PhoneStyle style,
                              std::string &out);

// libphonenumber's Parse + IsPossibleNumberWithReason == IS_POSSIBLE for a number that was written
// as `digits` (ASCII, separators already removed), after a '+' when `plus`; region: ISO 3166-1
// alpha-2 in any case (anything else is unknown). On kAccepted, *country_code and *national_number
// hold the E.164 parts. (phone_fast.cpp)
FastResult ParseDigits(std::string_view digits, bool plus, std::string_view region_code, int *country_code,
                       std::string *national_number);

// E.164 (ITU-T Rec. E.164 section 6.1): an international number has at most 15 digits, country
// code included. libphonenumber accepts longer national numbers (up to 17 digits, and valid German
// numbers of 16+ digits with the country code); no such number can be dialled internationally.
inline constexpr size_t kMaxE164Digits = 15;

enum class ValidityResult { kValid, kInvalid, kUnknown /* tables unusable: ask libphonenumber */ };

// libphonenumber's IsValidNumber for the number with this calling code and national significant
// number (ASCII digits, leading zeros included), computed on the fast path's tables: the region by
// GetRegionCodeForNumber's rules, then GetNumberTypeHelper != UNKNOWN, with every number pattern
// answered by its DFA (phone_digit_dfa.hpp). (phone_fast.cpp)
ValidityResult CheckValidNumber(int country_code, std::string_view national_number);

// One reading of raw by libphonenumber alone: Parse with the region (and, when that gives no possible
// number and raw has no '+', the digits read as "+digits"), then IsValidNumber and at most
// kMaxE164Digits digits. What NormalizePhoneFast must reproduce. (phone_reference.cpp)
bool ReadPhoneReference(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out);

// The readings tried when raw gives no valid number as written: the international prefix "00" (ITU-T
// E.164's recommended prefix) or "011" (North America's) followed by the country code, or a stray "0"
// before the region's own country code ("01 650 ..." with region US), each written as "+" followed by
// what comes after the prefix. A '+' before the prefix ("+0044", "+001") is part of the mistake and
// dropped too. Returns how many readings it wrote to texts (0 to 2). (phone_retry.cpp)
size_t InternationalPrefixRetries(std::string_view raw, std::string_view region, std::string texts[2]);

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
