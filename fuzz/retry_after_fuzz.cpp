// libFuzzer target: the Retry-After header parser (http/retry_after.hpp).
// Contract checked: never throws; a result is within 0..kMaxRetryAfterSeconds.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <optional>

#include "core/http/retry_after.hpp"
#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	const std::time_t now = 1796601600; // 2026-12-07 00:00:00 UTC
	const std::optional<long> seconds = capi::http::ParseRetryAfter(capi::fuzz::AsText(data, size), now);
	if (seconds && (*seconds < 0 || *seconds > capi::http::kMaxRetryAfterSeconds))
		capi::fuzz::ContractBroken("Retry-After delay outside 0..kMaxRetryAfterSeconds");
	return 0;
}
