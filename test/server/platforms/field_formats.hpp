// Value formats the platforms check on incoming events (shared by all platform handlers).
#pragma once

#include <string_view>

namespace capi::testserver {

// 64 lowercase hexadecimal characters: a SHA-256 digest as the platforms require it.
bool IsLowerHexSha256(std::string_view value);

// A textual IPv4 or IPv6 address (inet_pton), without spaces or zone ids.
bool IsIpAddress(std::string_view value);

// Meta's fbc / fbp cookie format: "fb.<subdomain index>.<creation time ms>.<value>" where the
// first two parts are digits and the value is non-empty (it may carry a parameter-builder suffix).
bool IsMetaBrowserId(std::string_view value);

// Three ASCII letters (ISO 4217 code, either case).
bool IsCurrencyCode(std::string_view value);

// Whether `value` looks like an unhashed e-mail address, phone number or name, to word the error.
const char *DescribeUnhashedValue(std::string_view value);

} // namespace capi::testserver
