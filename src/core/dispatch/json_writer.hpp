// Writing JSON text by appending to a std::string: the request bodies are built this way, because
// going through a DOM (nlohmann::json) costs several times more per event (bench/meta_payload_bench).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace capi::dispatch {

// Appends text as a JSON string literal, quotes included. '"', '\\' and the control characters
// U+0000..U+001F are escaped (\" \\ \b \f \n \r \t, else \u00XX); every other byte is copied, so
// text must be valid UTF-8 for the result to be valid JSON.
void AppendJsonString(std::string *out, std::string_view text);

void AppendJsonInt(std::string *out, std::int64_t value);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
