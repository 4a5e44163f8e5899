// One Snap Conversions API v3 event, checked as Snap checks it.
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <simdjson.h>

#include <cstdint>
#include <string>

namespace capi::testserver {

struct SnapEventLimits {
	int64_t now_unix_s = 0;
	int64_t max_age_s = 0;    // Snap: 37 days
	int64_t max_future_s = 0; // Snap documents none; the stand-in refuses more than 10 minutes ahead
};

// Fills `accepted` and returns true, or returns false with `problem` describing the first bad field
// ("user_data.em: ..."), never quoting a value.
bool ValidateSnapEvent(simdjson::dom::element event, const SnapEventLimits &limits, AcceptedEvent *accepted,
                       std::string *problem);

} // namespace capi::testserver
