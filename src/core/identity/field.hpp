// The identifier fields and the platforms pg_capi normalizes for, and their SQL names.
#pragma once

#include <optional>
#include <string_view>

namespace capi::identity {

enum class Field {
	kEmail,
	kPhone,
	kFirstName,
	kLastName,
	kCity,
	kState,
	kZip,
	kCountry,
	kGender,
	kDateOfBirth,
	kExternalId,
	kStreet,
};

enum class Platform {
	kMeta,
	kGoogle,
	kTikTok,
	kLinkedIn,
	kSnap,
	kReddit,
	kPinterest,
};

// Accepts the long names (email, phone, first_name, ...) and Meta's short keys (em, ph, fn, ln,
// ct, st, zp, ge, db), case-insensitively and ignoring surrounding whitespace.
std::optional<Field> FindField(std::string_view name) noexcept;
std::optional<Platform> FindPlatform(std::string_view name) noexcept;

// As Find*, but throw capi::Error with SQLSTATE 22023 naming the valid values.
Field ParseField(std::string_view name);
Platform ParsePlatform(std::string_view name);

std::string_view FieldName(Field field) noexcept;          // long name, e.g. "first_name"
std::string_view PlatformName(Platform platform) noexcept; // e.g. "tiktok"

} // namespace capi::identity

#include "core/cpp_only.hpp"
