#include "core/http/retry_after.hpp"

#include <gtest/gtest.h>

namespace capi::http {
namespace {

// 1994-11-06 08:49:37 UTC, the RFC 9110 example date.
constexpr std::time_t kExampleDate = 784111777;

TEST(RetryAfter, DelaySeconds) {
	EXPECT_EQ(ParseRetryAfter("2", 0), 2);
	EXPECT_EQ(ParseRetryAfter(" 120 ", 0), 120);
	EXPECT_EQ(ParseRetryAfter("0", 0), 0);
	EXPECT_EQ(ParseRetryAfter("99999999999999999999", 0), kMaxRetryAfterSeconds);
}

TEST(RetryAfter, HttpDateIsSecondsFromNow) {
	EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate - 30), 30);
	// The obsolete forms RFC 9110 still requires recipients to accept.
	EXPECT_EQ(ParseRetryAfter("Sunday, 06-Nov-94 08:49:37 GMT", kExampleDate - 30), 30);
	EXPECT_EQ(ParseRetryAfter("Sun Nov  6 08:49:37 1994", kExampleDate - 30), 30);
}

TEST(RetryAfter, PastDateMeansNow) {
	EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate + 3600), 0);
}

TEST(RetryAfter, FarDateIsClamped) {
	EXPECT_EQ(ParseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", kExampleDate - 10 * 86400),
	          kMaxRetryAfterSeconds);
}

TEST(RetryAfter, GarbageIsNotADelay) {
	for (const char *value : {"", "  ", "-5", "1.5", "soon", "2 seconds", "0x10", "Sun, 99 Foo 1994"})
		EXPECT_EQ(ParseRetryAfter(value, kExampleDate), std::nullopt) << '"' << value << '"';
}

} // namespace
} // namespace capi::http
