// Writing JSON text by hand on hot paths (responses, record lines) without a DOM.
#pragma once

#include <string>
#include <string_view>

namespace capi::testserver {

// Appends `value` as a JSON string literal (quotes included, control characters escaped).
// `value` must be valid UTF-8 (simdjson guarantees this for strings it parsed).
void AppendJsonString(std::string *out, std::string_view value);

} // namespace capi::testserver
