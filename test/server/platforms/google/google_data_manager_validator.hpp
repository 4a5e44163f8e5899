// Data Manager API IngestEventsRequest checks
// (https://developers.google.com/data-manager/api/reference/rest/v1/events/ingest): like the real API,
// the first bad field fails the whole request, named by its path ("events[3].eventTimestamp").
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <simdjson.h>

#include <string>

namespace capi::testserver {

inline constexpr size_t kDataManagerMaxEvents = 2000;
inline constexpr size_t kDataManagerMaxIdentifiers = 10;
// Event age limits the test server applies to both Google APIs (Google's own are UNCONFIRMED:
// the longest click-through window is 90 days; a conversion cannot be in the future).
inline constexpr int64_t kGoogleMaxAgeS = 90LL * 24 * 3600;
inline constexpr int64_t kGoogleMaxFutureS = 10 * 60;

struct GoogleFieldProblem {
	std::string field;
	std::string description;
};

// On success fills outcome (destination: the first operating account id; events: event_name = the
// conversion action id the event goes to, event_id = transactionId, event_time in Unix seconds;
// test_event_code = "validateOnly" for a validate-only request).
bool ValidateIngestEvents(simdjson::dom::element root, int64_t now_s, HandlerOutcome *outcome,
                          GoogleFieldProblem *problem);

} // namespace capi::testserver
