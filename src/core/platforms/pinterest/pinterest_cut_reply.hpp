// A 200 reply from Pinterest that is not whole JSON: the HTTP client keeps only the first
// http::ClientOptions::max_body_bytes of a body, and a reply for 1,000 events (one status object each)
// may be longer. What the kept part says is still usable.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/dispatch/adapter.hpp"

namespace capi::dispatch {

// The outcome when the kept text decides it: num_events_processed equals batch_size (delivered), or
// the statuses found name every event that was not processed (partial, with their messages); else
// nullopt (the caller retries).
std::optional<BatchOutcome> ClassifyCutPinterestReply(std::string_view body, std::size_t batch_size);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
