// How much input the identifier normalizers look at. No email address, phone number or name is
// kilobytes long, so a longer value is no identifier: it normalizes to nothing after one length
// comparison, before any Unicode, libphonenumber or hashing work (an unbounded value used to keep a
// backend busy for minutes). The limits, with their reasons, are listed in docs/normalization.md
// ("Input limits").
#pragma once

#include <cstddef>
#include <string_view>

#include "core/identity/field.hpp"

namespace capi::identity {

// The longest value (UTF-8 bytes as given, surrounding white space included) normalized for field.
// Each is at least 128 so that an already hashed value (64 hex digits) with white space around it
// always fits.
std::size_t MaxInputBytes(Field field) noexcept;

inline bool IsWithinInputLimit(Field field, std::string_view value) noexcept {
	return value.size() <= MaxInputBytes(field);
}

// An email address has at most 254 octets: RFC 5321 4.5.3.1.3 limits a path to 256 octets,
// including the angle brackets around the address.
inline constexpr std::size_t kMaxEmailAddressBytes = 254;

// The longest value of a plain key (client_ip_address, client_user_agent, click ids) that is used:
// 8 KiB, the common limit on one HTTP request header line (Apache's LimitRequestFieldSize 8190,
// nginx's large_client_header_buffers 8k), so no real user agent or cookie value is longer.
inline constexpr std::size_t kMaxPlainValueBytes = 8192;

// Per identifier key (email, phone@google, fbc, ...): more values than this are refused (22023).
inline constexpr std::size_t kMaxValuesPerKey = 32;

// The identifiers of one user as JSON text: larger input is refused (22023) before it is parsed.
inline constexpr std::size_t kMaxIdentifiersBytes = 1024 * 1024;

} // namespace capi::identity

#include "core/cpp_only.hpp"
