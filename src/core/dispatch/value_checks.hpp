// Small checks every adapter makes on what it sends: hashes, IP addresses, ids, tokens.
#pragma once

#include <string_view>

namespace capi::dispatch {

// 64 lowercase hex digits: a SHA-256 digest as every platform wants it.
bool IsLowerHexSha256(std::string_view value) noexcept;
// An IPv4 or IPv6 address in text form.
bool IsIpAddress(std::string_view value) noexcept;
// One or more ASCII digits.
bool IsDigits(std::string_view text) noexcept;
// A byte below 0x20 or DEL (refused in tokens and ids that travel in headers or URLs).
bool HasControlCharacter(std::string_view text) noexcept;

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
