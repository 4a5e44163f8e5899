// Google Data Manager's userData: one identifier per element (email, phone, address).
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kGoogleUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
