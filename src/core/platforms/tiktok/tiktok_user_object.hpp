// TikTok's user object: email, phone and external_id arrays, the rest single strings.
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kTikTokUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
