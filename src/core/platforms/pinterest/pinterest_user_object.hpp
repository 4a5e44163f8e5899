// Pinterest's user_data: Meta's shape, the epik click id as click_id.
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kPinterestUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
