// Snap's user_data: Meta's shape, date of birth a single string, Snap's click and cookie ids.
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kSnapUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
