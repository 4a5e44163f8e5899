// NormalizePhone: the scanner (phone_scanner.cpp) for the shapes phone numbers are usually stored
// in, ParseDigits and CheckValidNumber (phone_fast.cpp) for their digits, and ReadPhoneReference for
// every other input; then the international-prefix retries (phone_retry.cpp).
#include "core/identity/phone.hpp"

#include <atomic>
#include <set>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "core/identity/phone_fast.hpp"
#include "core/identity/phone_scanner.hpp"

namespace capi::identity {

namespace phone_internal {
namespace {

std::atomic<uint64_t> fast_count{0};
std::atomic<uint64_t> reference_count{0};

// The fast path mirrors libphonenumber 8.12's parsing code. Should the installed library parse
// differently (another version), some of its own example numbers, written three ways, show it on
// first use (a few milliseconds), and NormalizePhone then always asks the reference.
bool FastPathAgreesWithLibphonenumber() {
	using i18n::phonenumbers::PhoneNumber;
	using i18n::phonenumbers::PhoneNumberUtil;
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	std::set<std::string> regions;
	util.GetSupportedRegions(&regions);
	size_t index = 0;
	size_t compared = 0;
	for (const std::string &region : regions) {
		if (index++ % 16 != 0)
			continue;
		for (auto type : {PhoneNumberUtil::FIXED_LINE, PhoneNumberUtil::MOBILE}) {
			PhoneNumber number;
			if (!util.GetExampleNumberForType(region, type, &number))
				continue;
			std::string texts[3];
			util.Format(number, PhoneNumberUtil::NATIONAL, &texts[0]);
			util.Format(number, PhoneNumberUtil::INTERNATIONAL, &texts[1]);
			util.Format(number, PhoneNumberUtil::E164, &texts[2]);
			texts[2].erase(0, 1); // country code without '+'
			for (const std::string &text : texts) {
				std::string fast;
				std::string reference;
				FastResult result = NormalizePhoneFast(text, region, PhoneStyle::kE164WithPlus, fast);
				bool reference_ok = ReadPhoneReference(text, region, PhoneStyle::kE164WithPlus, reference);
				if (result == FastResult::kUndecided)
					continue;
				if ((result == FastResult::kAccepted) != reference_ok || fast != reference)
					return false;
				compared++;
			}
		}
	}
	return compared > 0;
}

} // namespace

bool FastPathEnabled() {
	static const bool enabled = FastPathAgreesWithLibphonenumber();
	return enabled;
}

std::string RegionCode(std::string_view region) {
	auto is_letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
	if (region.size() != 2 || !is_letter(region[0]) || !is_letter(region[1]))
		return "ZZ";
	std::string code(region);
	for (char &c : code)
		c = static_cast<char>(c & ~0x20);
	return code;
}

FastResult NormalizePhoneFast(std::string_view raw, std::string_view region, PhoneStyle style,
                              std::string &out) {
	out.clear();
	ScannedNumber scanned;
	Scanned shape = ScanPhoneInput(raw, scanned);
	if (shape != Scanned::kNumber)
		return shape == Scanned::kRejected ? FastResult::kRejected : FastResult::kUndecided;
	int country_code = 0;
	std::string national;
	FastResult result = FastResult::kRejected;
	if (scanned.viable && !scanned.first_parse_fails)
		result = ParseDigits(scanned.digits, scanned.plus, region, &country_code, &national);
	// The reference's retry as "+digits" (see phone_reference.cpp) when the input has no '+'.
	if (result == FastResult::kRejected && !scanned.plus_sign && scanned.digits.size() >= 3)
		result = ParseDigits(scanned.digits, true, "ZZ", &country_code, &national);
	if (result != FastResult::kAccepted)
		return result;
	// As the reference: no result unless valid and within E.164's 15 digits.
	switch (CheckValidNumber(country_code, national)) {
	case ValidityResult::kUnknown:
		return FastResult::kUndecided;
	case ValidityResult::kInvalid:
		return FastResult::kRejected;
	case ValidityResult::kValid:
		break;
	}
	if (std::to_string(country_code).size() + national.size() > kMaxE164Digits)
		return FastResult::kRejected;
	if (style == PhoneStyle::kE164WithPlus)
		out.push_back('+');
	out.append(std::to_string(country_code));
	out.append(national);
	return FastResult::kAccepted;
}

PhonePathCounts GetPhonePathCounts() {
	PhonePathCounts counts;
	counts.fast = fast_count.load(std::memory_order_relaxed);
	counts.reference = reference_count.load(std::memory_order_relaxed);
	return counts;
}

void ResetPhonePathCounts() {
	fast_count.store(0, std::memory_order_relaxed);
	reference_count.store(0, std::memory_order_relaxed);
}

void CountPhonePath(bool fast) {
	(fast ? fast_count : reference_count).fetch_add(1, std::memory_order_relaxed);
}

} // namespace phone_internal

namespace {

// One reading of raw: the fast path, or the reference where the fast path cannot decide. *fast tells
// which answered.
bool ReadPhone(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out,
               bool *fast) {
	using phone_internal::FastResult;
	*fast = false;
	if (!phone_internal::FastPathEnabled())
		return phone_internal::ReadPhoneReference(raw, region, style, out);
	FastResult result = phone_internal::NormalizePhoneFast(raw, region, style, out);
	if (result == FastResult::kUndecided)
		return phone_internal::ReadPhoneReference(raw, region, style, out);
	*fast = true;
	return result == FastResult::kAccepted;
}

} // namespace

bool NormalizePhone(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out) {
	bool fast = false;
	const bool read = ReadPhone(raw, region, style, out, &fast);
	phone_internal::CountPhonePath(fast); // one count per call: the retries below are rare
	if (read)
		return true;
	std::string retries[2];
	const size_t count = phone_internal::InternationalPrefixRetries(raw, region, retries);
	for (size_t i = 0; i < count; i++)
		if (ReadPhone(retries[i], "ZZ", style, out, &fast))
			return true;
	return false;
}

} // namespace capi::identity
