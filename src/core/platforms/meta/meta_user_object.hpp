// Meta's user_data: short keys, arrays of SHA-256 hashes; network data and fbc/fbp plain.
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kMetaUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
