// The Retry-After response header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

namespace capi::http {

// Upper bound of a parsed delay (one day): a larger value is clamped, not trusted verbatim.
inline constexpr long kMaxRetryAfterSeconds = 86400;

// Seconds to wait from now, or nullopt when value is neither form. A date in the past gives 0.
// Dates are parsed by libcurl's curl_getdate (IMF-fixdate, RFC 850 and asctime forms).
std::optional<long> ParseRetryAfter(std::string_view value, std::time_t now);

} // namespace capi::http

#include "core/cpp_only.hpp"
