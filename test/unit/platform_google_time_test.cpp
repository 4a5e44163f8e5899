#include "core/platforms/google/google_time.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

TEST(GoogleTime, Rfc3339InUtcWithMilliseconds) {
	EXPECT_EQ(GoogleRfc3339(0), "1970-01-01T00:00:00.000Z");
	EXPECT_EQ(GoogleRfc3339(1762902353789), "2025-11-11T23:05:53.789Z");
	EXPECT_EQ(GoogleRfc3339(951782400000), "2000-02-29T00:00:00.000Z"); // leap day
	EXPECT_EQ(GoogleRfc3339(1798761599999), "2026-12-31T23:59:59.999Z");
	EXPECT_EQ(GoogleRfc3339(-1), "1969-12-31T23:59:59.999Z");
}

TEST(GoogleTime, AdsDateTimeInSecondsWithOffset) {
	EXPECT_EQ(GoogleAdsDateTime(0), "1970-01-01 00:00:00+00:00");
	EXPECT_EQ(GoogleAdsDateTime(1762902353789), "2025-11-11 23:05:53+00:00");
	EXPECT_EQ(GoogleAdsDateTime(4107542400000), "2100-03-01 00:00:00+00:00"); // 2100 is no leap year
	EXPECT_EQ(GoogleAdsDateTime(1798761599999), "2026-12-31 23:59:59+00:00");
}

} // namespace
} // namespace capi::dispatch
