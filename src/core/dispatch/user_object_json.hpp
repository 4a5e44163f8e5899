// A request body's user object, written from the stored identity bag by the platform's own table of
// keys (core/platforms/user_object.hpp): the same table capi.user_data() uses.
#pragma once

#include <string>

#include "core/dispatch/identity_bag.hpp"
#include "core/platforms/user_object.hpp"

namespace capi::dispatch {

// Appends {"key":[...],"key":"...",...}: each key of the flat mapping that has a value in bag, in the
// table's order. mapping must be flat (a table of keys, no build function).
void AppendUserObject(std::string *out, const platforms::UserObjectMapping &mapping, const IdentityBag &bag);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
