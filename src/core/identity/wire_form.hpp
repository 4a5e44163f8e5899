// Whether a platform's payload carries a field hashed or plain, and the value it carries: shared by
// capi.user_data() (user_data.cpp) and the outbox's identity bag (core/outbox/identity_bag_builder.cpp).
#pragma once

#include <string>
#include <string_view>

#include "core/identity/field.hpp"
#include "core/identity/region.hpp"

namespace capi::identity {

// True when platform wants the SHA-256 hex of field's normalized value, false when it wants the
// normalized value in clear: TikTok city/state/country, Google city/state/zip/country (Data Manager
// regionCode/postalCode, Ads API address info), LinkedIn first/last name and country (userInfo) and
// external_id (externalIds). Only meaningful for accepted field x platform pairs.
bool WantsHashed(Platform platform, Field field) noexcept;

// The value of field that platform's payload carries: Hash where the platform wants a hash, else
// Normalize. A value that already is a SHA-256 hex digest (64 hex digits after trimming) is returned
// lowercased where a hash is wanted; where plain text is wanted it gives no result (a digest cannot be
// un-hashed, and a digest is no city or country code), except for external_id, whose IDs may
// themselves be 64 hex digits and are then normalized as any other ID.
// Returns false, out cleared, when there is no usable value. Throws as Normalize does.
bool PayloadValue(Field field, Platform platform, std::string_view value, Region region, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
