// PostgreSQL timestamps count microseconds from 2000-01-01; the core counts Unix milliseconds.
#pragma once

#include <cstdint>
#include <optional>

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

// Unix milliseconds of a finite timestamp in PostgreSQL's range; nullopt for -infinity, infinity and
// anything outside the range (which no valid input makes, but a row read from disk is not trusted).
inline std::optional<std::int64_t> FiniteUnixMilliseconds(TimestampTz timestamp) {
	if (TIMESTAMP_NOT_FINITE(timestamp) || !IS_VALID_TIMESTAMP(timestamp))
		return std::nullopt;
	return UnixMilliseconds(timestamp);
}

// The current transaction's start time would make long transactions look stale: use the clock.
inline std::int64_t NowUnixMilliseconds() {
	return UnixMilliseconds(GetCurrentTimestamp());
}

} // namespace capi::pg
