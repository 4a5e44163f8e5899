// HMAC-SHA256 through OpenSSL, rendered as lowercase hex (Meta's appsecret_proof).
#pragma once

#include <string>
#include <string_view>

namespace capi::dispatch {

// Throws capi::Error (XX000) if OpenSSL fails.
std::string HmacSha256Hex(std::string_view key, std::string_view message);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
