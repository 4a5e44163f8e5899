// One TikTok Events API 2.0 event, checked as TikTok checks it.
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <simdjson.h>

#include <cstdint>
#include <deque>
#include <string>

namespace capi::testserver {

// Fills `accepted` and returns true, or returns false with `problem` = "<field>: <what>" (the part
// after "Batch.<i>." in TikTok's message).
bool ValidateTikTokEvent(simdjson::dom::element event, int64_t now_unix_s, int64_t max_future_s,
                         AcceptedEvent *accepted, std::string *problem);

} // namespace capi::testserver
