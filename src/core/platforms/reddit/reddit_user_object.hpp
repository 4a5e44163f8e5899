// Reddit's user object: single strings; its click id travels outside it.
#pragma once

#include "core/platforms/user_object.hpp"

namespace capi::platforms {

extern const UserObjectMapping kRedditUserObject;

} // namespace capi::platforms

#include "core/cpp_only.hpp"
