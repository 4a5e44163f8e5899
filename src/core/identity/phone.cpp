// NormalizePhone: the scanner (phone_scanner.cpp) for the shapes phone numbers are usually stored
// in, ParseDigits (phone_fast.cpp) for their digits, and NormalizePhoneReference for every other
// input.
#include "core/identity/phone.hpp"

#include <atomic>

#include "core/identity/phone_fast.hpp"
#include "core/identity/phone_scanner.hpp"

namespace capi::identity {

namespace phone_internal {
namespace {

std::atomic<uint64_t> fast_count{0};
std::atomic<uint64_t> reference_count{0};

} // namespace

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

bool NormalizePhone(std::string_view raw, std::string_view region, PhoneStyle style, std::string &out) {
	using phone_internal::FastResult;
	FastResult result = phone_internal::NormalizePhoneFast(raw, region, style, out);
	phone_internal::CountPhonePath(result != FastResult::kUndecided);
	if (result == FastResult::kUndecided)
		return NormalizePhoneReference(raw, region, style, out);
	return result == FastResult::kAccepted;
}

} // namespace capi::identity
