// PostgreSQL timestamps count microseconds from 2000-01-01; the core counts Unix milliseconds.
#pragma once

#include <cstdint>

#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/timestamp.h"
}

namespace capi::pg {

inline std::int64_t UnixMilliseconds(TimestampTz timestamp) {
	constexpr std::int64_t kPostgresEpochUnixMs =
	    static_cast<std::int64_t>(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * SECS_PER_DAY * 1000;
	return timestamp / 1000 + kPostgresEpochUnixMs;
}

// The current transaction's start time would make long transactions look stale: use the clock.
inline std::int64_t NowUnixMilliseconds() {
	return UnixMilliseconds(GetCurrentTimestamp());
}

} // namespace capi::pg
