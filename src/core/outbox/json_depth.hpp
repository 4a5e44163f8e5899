// How deeply a JSON text nests, measured without parsing it: one linear pass over the bytes with a
// counter, no recursion and no allocation, so a document nested 100,000 levels deep costs as much as
// a flat one of the same size. Run before any recursive parser sees the text.
#pragma once

#include <cstddef>
#include <string_view>

namespace capi::outbox {

// True when json (well-formed JSON text, as jsonb renders it) has more than max_depth levels of
// objects and arrays: {} is depth 1, {"contents": [{}]} depth 3. Scalars are depth 0. Stops at the
// first bracket beyond max_depth.
bool JsonDeeperThan(std::string_view json, std::size_t max_depth) noexcept;

} // namespace capi::outbox

#include "core/cpp_only.hpp"
