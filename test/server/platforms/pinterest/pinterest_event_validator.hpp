// Validation of one Pinterest conversion event (one element of "data"), as the v5 reference describes
// it (https://developers.pinterest.com/docs/api/v5/events-create): required fields and their types,
// event names and action sources, user_data hashed keys as arrays of SHA-256 digests, custom_data
// value and item prices as decimal strings, event_time in Unix seconds.
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <cstdint>
#include <deque>
#include <string>

namespace capi::testserver {

// Events more than this far in the future fail (Pinterest documents no limit; a clock or unit bug).
constexpr int64_t kPinterestMaxFutureSeconds = 10 * 60;

struct PinterestEventProblem {
	// true: the request's schema is wrong (the whole request gets 400); false: this event alone fails
	// (status "failed" in the 200 reply), the others are processed.
	bool schema = true;
	std::string detail; // what is wrong, starting with the field's path inside the event
};

// Checks `event`; on success fills `accepted` and returns true; otherwise describes the problem.
// `accepted` is filled (name, id, time) as far as the event could be read, also on a per-event failure.
bool ValidatePinterestEvent(simdjson::dom::element event, int64_t now_unix_s, AcceptedEvent *accepted,
                            PinterestEventProblem *problem);

} // namespace capi::testserver
