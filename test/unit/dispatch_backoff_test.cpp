#include "core/dispatch/backoff.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

BackoffPolicy Policy() {
	BackoffPolicy policy;
	policy.base_ms = 1000;
	policy.cap_ms = 60000;
	policy.floor_ms = 100;
	policy.max_retry_after_ms = 3600000;
	policy.max_attempts = 5;
	return policy;
}

TEST(Backoff, DelaysStayWithinTheExponentialCeiling) {
	BackoffPolicy policy = Policy();
	std::mt19937_64 rng(42);
	// failures -> ceiling: 1 -> 1000, 2 -> 2000, ..., 6 -> 32000, 7 and later -> cap 60000
	const std::int64_t ceilings[] = {1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000};
	for (int failures = 1; failures <= 8; ++failures) {
		std::int64_t max_seen = 0;
		for (int i = 0; i < 2000; ++i) {
			std::int64_t delay = RetryDelayMs(policy, failures, std::nullopt, rng);
			ASSERT_GE(delay, policy.floor_ms);
			ASSERT_LE(delay, ceilings[failures - 1]) << failures;
			max_seen = std::max(max_seen, delay);
		}
		// Full jitter spreads over the whole range: the largest of 2000 draws is near the ceiling.
		EXPECT_GT(max_seen, ceilings[failures - 1] * 9 / 10) << failures;
	}
}

TEST(Backoff, JitterIsSpreadAndFloored) {
	BackoffPolicy policy = Policy();
	std::mt19937_64 rng(7);
	int below_half = 0, floored = 0;
	for (int i = 0; i < 4000; ++i) {
		std::int64_t delay = RetryDelayMs(policy, 3, std::nullopt, rng); // ceiling 4000
		below_half += delay < 2000;
		floored += delay == policy.floor_ms;
	}
	EXPECT_GT(below_half, 1600); // about half
	EXPECT_LT(below_half, 2400);
	EXPECT_GT(floored, 40); // draws in [0, 100] become 100: about 2.5%
	EXPECT_LT(floored, 200);
}

TEST(Backoff, HugeAttemptCountsSaturateAtTheCap) {
	BackoffPolicy policy = Policy();
	std::mt19937_64 rng(1);
	for (int failures : {40, 63, 64, 1000, 1 << 30}) {
		std::int64_t delay = RetryDelayMs(policy, failures, std::nullopt, rng);
		EXPECT_GE(delay, policy.floor_ms);
		EXPECT_LE(delay, policy.cap_ms);
	}
}

TEST(Backoff, DeterministicForASeed) {
	BackoffPolicy policy = Policy();
	std::mt19937_64 a(12345), b(12345), c(54321);
	std::vector<std::int64_t> first, second, third;
	for (int failures = 1; failures <= 10; ++failures) {
		first.push_back(RetryDelayMs(policy, failures, std::nullopt, a));
		second.push_back(RetryDelayMs(policy, failures, std::nullopt, b));
		third.push_back(RetryDelayMs(policy, failures, std::nullopt, c));
	}
	EXPECT_EQ(first, second);
	EXPECT_NE(first, third);
}

TEST(Backoff, RetryAfterIsNeverUndercut) {
	BackoffPolicy policy = Policy();
	std::mt19937_64 rng(3);
	for (int i = 0; i < 200; ++i) {
		EXPECT_GE(RetryDelayMs(policy, 1, 30000, rng), 30000); // above the 1 s ceiling
		std::int64_t small = RetryDelayMs(policy, 5, 10, rng); // below the jitter: jitter wins
		EXPECT_GE(small, policy.floor_ms);
		EXPECT_LE(small, 16000);
	}
	EXPECT_EQ(RetryDelayMs(policy, 1, 120000, rng), 120000); // beyond cap_ms: Retry-After still rules
}

TEST(Backoff, RetryAfterIsCapped) {
	BackoffPolicy policy = Policy();
	std::mt19937_64 rng(3);
	EXPECT_EQ(RetryDelayMs(policy, 1, 24LL * 3600 * 1000, rng), 3600000);
	EXPECT_GE(RetryDelayMs(policy, 1, -5, rng), policy.floor_ms);
}

TEST(Backoff, ShouldRetry) {
	EXPECT_TRUE(ShouldRetry(1, 5));
	EXPECT_TRUE(ShouldRetry(4, 5));
	EXPECT_FALSE(ShouldRetry(5, 5));
	EXPECT_FALSE(ShouldRetry(6, 5));
	EXPECT_FALSE(ShouldRetry(1, 1));
}

TEST(Backoff, PolicyValidation) {
	EXPECT_NO_THROW(ValidateBackoffPolicy(Policy()));
	BackoffPolicy policy = Policy();
	policy.base_ms = 0;
	EXPECT_THROW(ValidateBackoffPolicy(policy), Error);
	policy = Policy();
	policy.cap_ms = 500;
	EXPECT_THROW(ValidateBackoffPolicy(policy), Error);
	policy = Policy();
	policy.floor_ms = -1;
	EXPECT_THROW(ValidateBackoffPolicy(policy), Error);
	policy = Policy();
	policy.max_attempts = -1;
	EXPECT_THROW(ValidateBackoffPolicy(policy), Error);
	policy = Policy();
	policy.max_attempts = 0; // no count: retried while the platform would take the events
	EXPECT_NO_THROW(ValidateBackoffPolicy(policy));
	EXPECT_TRUE(ShouldRetry(1000, 0));
}

} // namespace
} // namespace capi::dispatch
