// The time formats the Google APIs take, parsed to Unix seconds.
#pragma once

#include <cstdint>
#include <string_view>

namespace capi::testserver {

// RFC 3339 "2026-11-12T00:59:13Z", "…13.789Z", "…13+01:00" (google.protobuf.Timestamp in JSON).
bool ParseRfc3339(std::string_view text, int64_t *unix_s);

// Google Ads "yyyy-mm-dd hh:mm:ss+hh:mm" (the offset is required).
bool ParseAdsDateTime(std::string_view text, int64_t *unix_s);

} // namespace capi::testserver
