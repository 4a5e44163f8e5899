// The two time formats Google's APIs take, from Unix epoch milliseconds (UTC).
#pragma once

#include <cstdint>
#include <string>

namespace capi::dispatch {

// Data Manager eventTimestamp: RFC 3339 in UTC with milliseconds, "2026-11-12T00:59:13.789Z"
// (the JSON form of google.protobuf.Timestamp).
std::string GoogleRfc3339(std::int64_t epoch_ms);

// Google Ads conversionDateTime: "yyyy-mm-dd hh:mm:ss+00:00" (seconds; milliseconds dropped).
std::string GoogleAdsDateTime(std::int64_t epoch_ms);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
