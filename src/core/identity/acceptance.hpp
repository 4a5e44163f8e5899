// Which identifier fields each platform accepts at all (docs/normalization.md, "Accepted fields").
// Asking for a field a platform has no place for is a bad *name* combination: an error, not "no result".
#pragma once

#include "core/identity/field.hpp"

namespace capi::identity {

bool PlatformAcceptsField(Platform platform, Field field) noexcept;

// Throws capi::Error(22023) "platform X does not accept field Y", hinting at the fields X accepts.
void RequireAcceptedField(Platform platform, Field field);

} // namespace capi::identity

#include "core/cpp_only.hpp"
