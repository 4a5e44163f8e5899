// Random request ids of the kind platforms return for support (Meta's fbtrace_id).
#pragma once

#include <cstddef>
#include <string>

namespace capi::testserver {

// `length` characters from [A-Za-z0-9_-], from a per-thread xorshift generator seeded at random.
std::string RandomTraceId(size_t length = 23);

} // namespace capi::testserver
