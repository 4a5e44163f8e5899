// Per-platform normalization of one identifier, and its hash: the core of capi.normalize(),
// capi.hash() and capi.user_data(). The field x platform rules are documented, with sources, in
// docs/normalization.md.
#pragma once

#include <string>
#include <string_view>

#include "core/identity/field.hpp"
#include "core/identity/region.hpp"

namespace capi::identity {

// Every normalizer first drops Unicode format characters (text::StripFormatCharacters) and surrounding
// white space and control characters (text::Trim), the same for Normalize and Hash, and a value
// longer than MaxInputBytes(field) (input_limits.hpp) has no result, at the cost of one comparison.

// Normalizes value as platform requires for field. region (region.hpp) is used to read national phone
// numbers, zips and a/b/yyyy dates (callers pass the default region, not given, when they have none).
// Returns false (and leaves out empty) when the value is empty or cannot be normalized; SQL
// returns NULL then. Throws capi::Error(22023) when the platform does not accept the field.
bool Normalize(Field field, Platform platform, std::string_view value, Region region, std::string &out);

// Lowercase hex SHA-256 of the normalized value. A value that is already a SHA-256 hex digest
// (64 hex digits after trimming whitespace) is returned lowercased, never hashed again, unless it is
// the digest of the empty string (IsEmptyValueDigest): no result then.
// Returns false when Normalize would.
bool Hash(Field field, Platform platform, std::string_view value, Region region, std::string &out);

// True when value, without format characters and surrounding white space, is a SHA-256 hex digest.
bool IsAlreadyHashed(std::string_view value);

// True when digest (64 hex digits, either case) is the SHA-256 of the empty string, e3b0c442...b855:
// what upstream systems produce when they hash a blank value. It identifies nobody, so Normalize and
// Hash give no result for it, in every field (external IDs included).
bool IsEmptyValueDigest(std::string_view digest) noexcept;

// Which of field's normalization rules platform uses, as a small number: two platforms with the same
// number normalize every value of field identically (email: Meta, TikTok, LinkedIn, Snap and Pinterest
// share one rule), so code serving several platforms can normalize once per rule. Only meaningful for
// accepted field x platform pairs.
int NormalizationRuleId(Field field, Platform platform) noexcept;

} // namespace capi::identity

#include "core/cpp_only.hpp"
