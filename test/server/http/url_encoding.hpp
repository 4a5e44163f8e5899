// application/x-www-form-urlencoded and query strings: splitting and percent-decoding.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace capi::testserver {

// Decodes %XX escapes and '+' (as a space) from `in` into `out`, which must have room for in.size()
// bytes. Returns the decoded length, or -1 when an escape is malformed.
long PercentDecode(std::string_view in, char *out);

// Decodes into a string; false when an escape is malformed.
bool PercentDecode(std::string_view in, std::string *out);

// Finds parameter `name` (compared after decoding the parameter names) in an
// `a=1&b=2` string and stores its still-encoded value in `*raw_value`. False when absent.
bool FindFormParam(std::string_view params, std::string_view name, std::string_view *raw_value);

} // namespace capi::testserver
