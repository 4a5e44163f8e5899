// Validation of one Meta Conversions API server event (one element of "data"), as Meta documents
// it (https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event and
// customer-information-parameters): required fields, action_source values, the 7-day (62 for
// physical_store) age limit, hashed user_data keys, IP / fbc / fbp formats, custom_data types.
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <cstdint>
#include <deque>
#include <string>

namespace capi::testserver {

struct MetaEventProblem {
	int error_subcode = 0; // 2804003 for a too old event_time, else 0
	int max_age_days = 7;  // for 2804003
	std::string title;     // error_user_title
	std::string detail;    // what is wrong, without the event index
};

// Events more than this far in the future are rejected (Meta's own limit is not documented).
constexpr int64_t kMetaMaxFutureSeconds = 10 * 60;

// Checks `event`; on success fills `accepted` (ids that are JSON numbers are kept in `id_storage`)
// and returns true; otherwise describes the first problem found.
bool ValidateMetaEvent(simdjson::dom::element event, int64_t now_unix_s, AcceptedEvent *accepted,
                       std::deque<std::string> *id_storage, MetaEventProblem *problem);

} // namespace capi::testserver
