// Whether an event's id can deduplicate it against the same event sent by the platform's browser pixel
// (Meta eventID, TikTok event_id, Snap client_dedup_id, Pinterest event_id, Reddit conversionId,
// LinkedIn eventId; for Google the transaction id). Deduplication needs the browser and the server to
// send the very same string for the same conversion, and different strings for different ones.
// docs/match-quality.md "Dedup audit" gives the rules and why.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace capi::quality {

// The first problem that makes event_id unfit, or nullopt when it is fit:
//   "blank"        empty or white space only;
//   "whitespace"   white space at either end (a browser sends the id as written: "123 " != "123");
//   "placeholder"  a value standing for no id: undefined, null, none, nil, nan, n/a, true, false,
//                  0, -1, [object Object], "", '' (case-insensitive);
//   "template"     an unexpanded template ({{...}}, ${...}, <%...%>, %%...%%, [[...]]);
//   "small_number" a bare number below 100: the first values of a counter that restarts (per page,
//                  session or process) and so repeats across people;
//   "timestamp"    a bare number that is a Unix time in s, ms, us or ns within a day of event_time_ms
//                  (not checked without one): computed when sending, so the browser and the server
//                  compute different ones.
std::optional<std::string_view> EventIdProblem(std::string_view event_id,
                                               std::optional<std::int64_t> event_time_ms) noexcept;

} // namespace capi::quality

#include "core/cpp_only.hpp"
