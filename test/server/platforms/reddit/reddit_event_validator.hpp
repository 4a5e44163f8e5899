// Validation of one Reddit Conversions API v3 event (one element of data.events), as Reddit documents
// it (https://ads-api.reddit.com/docs/v3/operations/Post%20Conversion%20Events): event_at in epoch
// milliseconds, less than 168 hours old and at most 5 minutes ahead; action_source and
// type.tracking_type values; user keys (hashed identifiers as 64 lowercase hex), LDU options;
// metadata types. Unknown event keys are refused (they are worker bugs).
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <cstdint>
#include <string>

namespace capi::testserver {

constexpr int64_t kRedditMaxAgeMs = 168LL * 60 * 60 * 1000;
constexpr int64_t kRedditMaxFutureMs = 5 * 60 * 1000;

// Checks `event`; on success fills `accepted` and returns true; otherwise sets *problem (Reddit's
// words, without the event's position: Reddit does not give it).
bool ValidateRedditEvent(simdjson::dom::element event, int64_t now_ms, AcceptedEvent *accepted,
                         std::string *problem);

} // namespace capi::testserver
