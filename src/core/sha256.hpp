// SHA-256 through OpenSSL's EVP interface, rendered as lowercase hex.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace capi {

inline constexpr std::size_t kSha256HexLength = 64;

// Writes the 64 lowercase hex digits of SHA-256(input) to out (not NUL-terminated).
// Throws capi::Error if OpenSSL fails.
void Sha256Hex(std::string_view input, char *out);

std::string Sha256Hex(std::string_view input);

// True when value is exactly 64 hex digits (either case): an already-hashed identifier.
bool IsSha256Hex(std::string_view value) noexcept;

// True when value is exactly 64 lowercase hex digits: a SHA-256 digest as every platform wants it (what
// Sha256Hex writes, and what the stored identity bag holds).
bool IsLowercaseSha256Hex(std::string_view value) noexcept;

} // namespace capi

#include "core/cpp_only.hpp"
