// Text that leaves an adapter in a BatchOutcome: secrets scrubbed, size bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace capi::dispatch {

inline constexpr std::size_t kMaxOutcomeMessageBytes = 1024;

// text made valid UTF-8 without NUL (each bad byte becomes U+FFFD), with the secrets hidden
// (http::ReplaceSecrets), then cut to at most max_bytes without splitting a UTF-8 sequence ("..." marks
// a cut).
std::string OutcomeMessage(std::string_view text, const std::vector<std::string> &secrets,
                           std::size_t max_bytes = kMaxOutcomeMessageBytes);

// A response body as it may appear in a message: itself when it came from the platform's own host,
// else only its size, "(body of N bytes not shown: endpoint override)". A host reached through an
// endpoint override may be anything (a cloud metadata service, an internal page), and messages are
// readable by capi_admin: only what parses as the platform's own error structure is quoted from it.
std::string QuotableBody(std::string_view body, bool from_own_host);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
