// capi.preview(): the exact request body a destination would receive for some outbox events, with
// every credential value replaced (it is meant to be read by people).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dispatch/destination.hpp"
#include "core/dispatch/event.hpp"

namespace capi::dispatch {

// Builds the request as the worker would (the platform's adapter, checks included: an event the
// platform would reject throws capi::Error 22000 naming why) and returns its body with credentials
// redacted. Throws capi::Error 22023 for an invalid destination, 0A000 for a platform without an
// adapter.
std::string PreviewBody(const Destination &destination, const std::vector<OutboxEvent> &events,
                        std::int64_t now_ms);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
