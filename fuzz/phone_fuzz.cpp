// libFuzzer target: phone numbers. NormalizePhone (the fast path in front of libphonenumber) must never
// throw and must agree with NormalizePhoneReference (libphonenumber alone), the documented authority
// (identity/phone.hpp).
//
// Input: byte 0 picks the region and the style; the rest is the number as written.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "core/identity/phone.hpp"
#include "fuzz_input.hpp"

namespace {
constexpr std::string_view kRegions[] = {"US", "DE", "GB", "FR", "JP", "BR",
                                         "IN", "AU", "CN", "MX", "IT", "ZZ"};
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	if (size < 1)
		return 0;
	const std::string_view region = kRegions[(data[0] >> 1) % std::size(kRegions)];
	const auto style = (data[0] & 1) != 0 ? capi::identity::PhoneStyle::kE164WithPlus
	                                      : capi::identity::PhoneStyle::kE164DigitsOnly;
	const std::string_view raw = capi::fuzz::AsText(data + 1, size - 1);

	std::string fast;
	std::string reference;
	const bool fast_ok = capi::identity::NormalizePhone(raw, region, style, fast);
	const bool reference_ok = capi::identity::NormalizePhoneReference(raw, region, style, reference);
	if (fast_ok != reference_ok || fast != reference) {
		std::fprintf(stderr, "fast: %d \"%s\", reference: %d \"%s\"\n", fast_ok, fast.c_str(), reference_ok,
		             reference.c_str());
		capi::fuzz::ContractBroken("NormalizePhone disagrees with libphonenumber");
	}
	return 0;
}
