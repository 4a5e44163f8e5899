// The structural checks an INSERT into capi.outbox makes on a row (user_data is checked by
// BuildIdentityBag). A row that fails them would fail at delivery on every platform, so the INSERT
// fails instead, with the column and the reason in the message and a SQLSTATE:
//
//   22023 invalid_parameter_value   event_id / event_name empty or too long; action_source not one of
//                                   Meta's nine values (hint lists them); event_source_url not an
//                                   http(s) URL; custom_data / consent not JSON objects or with
//                                   values of the wrong type or shape; destinations empty or with an
//                                   empty or NULL name
//   22003 numeric_value_out_of_range   custom_data.value or contents[i].item_price negative
//   22008 datetime_field_overflow   event_time more than max_future_ms ahead of now
//   22021 character_not_in_repertoire  a text column that is not valid UTF-8
//
// Not errors at INSERT: an event_time older than the platforms accept (Meta: 7 days, 62 for
// physical_store). Its age grows while it waits, so it is judged at delivery, where the event alone
// fails with the platform's reason; an INSERT of an old event succeeds. Unknown custom_data keys are
// allowed (custom properties); unknown consent keys are not (a misspelt "opt_out" must not silently
// send an opted-out user's event).
//
// Messages quote the offending value only where it is not personal data (event_name, action_source,
// currency, numbers) and cut it to 64 characters; URLs and ids are never quoted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace capi::outbox {

inline constexpr std::size_t kMaxEventIdLength = 256;   // characters
inline constexpr std::size_t kMaxEventNameLength = 100; // characters
inline constexpr std::int64_t kDefaultMaxFutureMs = 10 * 60 * 1000;

// One outbox row as the INSERT trigger sees it. Views must stay valid during the call.
struct OutboxRowView {
	std::string_view event_id;      // SQL NULL passed as "": an error, like an empty id
	std::string_view event_name;    // likewise
	std::int64_t event_time_ms = 0; // Unix epoch milliseconds
	std::string_view action_source;
	std::optional<std::string_view> event_source_url; // nullopt: SQL NULL; "" is treated as absent
	std::optional<std::string_view> custom_data_json; // JSON text (jsonb rendered); nullopt: SQL NULL
	std::optional<std::string_view> consent_json;     // likewise
	// nullopt: SQL NULL (the caller's default destinations); an element nullopt: a NULL array element.
	std::optional<std::vector<std::optional<std::string_view>>> destinations;
};

// Throws capi::Error (SQLSTATE above, message naming the column, hint where useful) for the first
// problem found, in column order; returns when the row is acceptable.
void ValidateOutboxRow(const OutboxRowView &row, std::int64_t now_ms,
                       std::int64_t max_future_ms = kDefaultMaxFutureMs);

} // namespace capi::outbox

#include "core/cpp_only.hpp"
