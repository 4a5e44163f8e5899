// LinkedIn's user: userIds (hashed email, li_fat_id, IPv4), plain userInfo, externalIds.
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kLinkedInUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
