// Small checks every adapter makes on what it sends: IP addresses, ids, tokens (hashes: core/sha256.hpp,
// IsLowercaseSha256Hex).
#pragma once

#include <string_view>

namespace capi::dispatch {

// An IPv4 or IPv6 address in text form.
bool IsIpAddress(std::string_view value) noexcept;
// One or more ASCII digits.
bool IsDigits(std::string_view text) noexcept;
// A byte below 0x20 or DEL (refused in tokens and ids that travel in headers or URLs).
bool HasControlCharacter(std::string_view text) noexcept;

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
