// Internals of phone normalization shared by phone.cpp, phone_reference.cpp and the tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/identity/phone.hpp"

namespace capi::identity::phone_internal {

// The region as libphonenumber expects it: two ASCII letters upper-cased, otherwise "ZZ" (unknown).
std::string RegionCode(std::string_view region);

} // namespace capi::identity::phone_internal

#include "core/cpp_only.hpp"
