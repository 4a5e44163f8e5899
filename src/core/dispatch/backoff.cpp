#include "core/dispatch/backoff.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace capi::dispatch {

void ValidateBackoffPolicy(const BackoffPolicy &policy) {
	auto fail = [](const char *message) { throw Error(sqlstate::kInvalidParameterValue, message); };
	if (policy.base_ms <= 0 || policy.cap_ms < policy.base_ms) {
		fail("backoff: need 0 < base_ms <= cap_ms");
	}
	if (policy.floor_ms < 0 || policy.floor_ms > policy.cap_ms) {
		fail("backoff: need 0 <= floor_ms <= cap_ms");
	}
	if (policy.max_retry_after_ms < 0) {
		fail("backoff: max_retry_after_ms must not be negative");
	}
	if (policy.max_attempts < 0) {
		fail("backoff: max_attempts must not be negative");
	}
}

std::int64_t RetryDelayMs(const BackoffPolicy &policy, int failures,
                          std::optional<std::int64_t> retry_after_ms, std::mt19937_64 &rng) {
	// base * 2^(failures-1), saturating at cap without overflowing.
	std::int64_t ceiling = policy.base_ms;
	for (int i = 1; i < failures && ceiling < policy.cap_ms; ++i) {
		ceiling = ceiling > policy.cap_ms / 2 ? policy.cap_ms : ceiling * 2;
	}
	ceiling = std::min(ceiling, policy.cap_ms);
	std::uniform_int_distribution<std::int64_t> jitter(0, std::max<std::int64_t>(ceiling, 0));
	std::int64_t delay = std::max(jitter(rng), policy.floor_ms);
	if (retry_after_ms) {
		delay = std::max(delay, std::clamp<std::int64_t>(*retry_after_ms, 0, policy.max_retry_after_ms));
	}
	return delay;
}

} // namespace capi::dispatch
