// When to retry a batch: exponential backoff with full jitter, bounded below by a floor and by the
// platform's Retry-After. Deterministic for a given RNG state (tests seed it).
#pragma once

#include <cstdint>
#include <optional>
#include <random>

namespace capi::dispatch {

struct BackoffPolicy {
	std::int64_t base_ms = 1000;                      // the ceiling of the first retry's delay
	std::int64_t cap_ms = 15 * 60 * 1000;             // the ceiling never exceeds this
	std::int64_t floor_ms = 250;                      // no retry sooner than this
	std::int64_t max_retry_after_ms = 60 * 60 * 1000; // a longer Retry-After is cut to this
	// Sends per batch, the first one included; 0 = no count: transient failures are retried until the
	// events are too old for the platform (its adapter refuses them) or older than max_event_age_ms.
	int max_attempts = 0;
};

// Throws capi::Error 22023 unless 0 < base_ms <= cap_ms, 0 <= floor_ms <= cap_ms,
// max_retry_after_ms >= 0 and max_attempts >= 0.
void ValidateBackoffPolicy(const BackoffPolicy &policy);

// The delay before the next send, after `failures` failed sends (1 for the first retry):
// uniform in [0, min(cap, base * 2^(failures-1))], raised to floor_ms and to
// min(retry_after_ms, max_retry_after_ms) when the platform sent one.
std::int64_t RetryDelayMs(const BackoffPolicy &policy, int failures,
                          std::optional<std::int64_t> retry_after_ms, std::mt19937_64 &rng);

// True while another send is allowed after `attempts` sends (max_attempts 0: always).
inline bool ShouldRetry(int attempts, int max_attempts) noexcept {
	return max_attempts == 0 || attempts < max_attempts;
}

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
