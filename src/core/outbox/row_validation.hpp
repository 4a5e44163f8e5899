// The checks an INSERT into capi.outbox makes on a row (user_data is checked by BuildIdentityBag).
// A row that fails them could never be delivered, would hold raw personal data outside user_data, or
// would cost the delivery worker more than any platform needs, so the INSERT fails instead, with the
// column (and for JSON, the path) and the reason in the message and a SQLSTATE:
//
//   22023 invalid_parameter_value   event_id / event_name empty (also when made only of white space
//                                   and invisible characters such as U+200B, U+200E or U+FEFF), too
//                                   long, or with a control character (C0 such as CR/LF/TAB, DEL, C1),
//                                   a bidirectional control or line separator (U+202E, U+2066,
//                                   U+2028, ..., id_text.hpp), or white space at its start or end;
//                                   action_source not one of Meta's nine values (hint lists them);
//                                   event_source_url not an http(s) URL, or with user information
//                                   (user@ or user:password@ before the host); custom_data / consent
//                                   not JSON objects or with values of the wrong type or shape;
//                                   custom_data.currency not an active ISO 4217 code (iso4217.hpp);
//                                   destinations empty or with an empty or NULL name.
//                                   Raw personal data outside user_data: an email address in event_id,
//                                   event_name, event_source_url (path, query string or fragment, also
//                                   percent-encoded) or anywhere in custom_data (a string value or a
//                                   key, at any depth), or a custom_data key naming a personal
//                                   identifier (email, phone, first_name, ..., see raw_pii_scan.hpp).
//                                   The message says where (e.g. custom_data.contents[0].title), never
//                                   the value.
//   22003 numeric_value_out_of_range   custom_data.value or contents[i].item_price negative
//   22008 datetime_field_overflow   event_time 'infinity' or '-infinity'; more than max_future_ms
//                                   (10 minutes) ahead of now; more than kMaxPastMs (366 days) before
//                                   now: no platform accepts events that old (the longest window,
//                                   Google Ads' 90 days for click conversions, is far shorter), so
//                                   such a row could never be delivered anywhere.
//   22021 character_not_in_repertoire  a text column that is not valid UTF-8
//   54000 program_limit_exceeded    event_source_url longer than kMaxEventSourceUrlBytes; custom_data,
//                                   consent or user_data longer than its limit in JSON text (checked
//                                   on the stored jsonb before it is rendered as text, see
//                                   CheckStoredJsonSize); custom_data or consent nested deeper than
//                                   kMaxJsonDepth (checked before the JSON is parsed).
//
// Not errors at INSERT: an event_time within the year but older than some platform accepts (Meta: 7
// days, 62 for physical_store). Its age grows while it waits, so it is judged at delivery, where the
// event alone fails with the platform's reason. Unknown custom_data keys are allowed (custom
// properties); unknown consent keys are not (a misspelt "opt_out" must not silently send an
// opted-out user's event). Phone numbers and names in free text are not detected (see
// raw_pii_scan.hpp).
//
// Messages quote the offending value only where it is not personal data (event_name, action_source,
// currency, numbers, custom_data keys in paths) and cut it to 64 characters; URLs and ids are never
// quoted.
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
inline constexpr std::int64_t kMaxPastMs = 366LL * 24 * 60 * 60 * 1000; // a year, leap day included

// Limits no platform needs to come near (Meta's contents[] items are depth 3; a URL of kilobytes is
// already unusual). Sizes are bytes of JSON text (as jsonb renders it) or of UTF-8.
inline constexpr std::size_t kMaxJsonDepth = 16;
inline constexpr std::size_t kMaxCustomDataBytes = 64 * 1024;
inline constexpr std::size_t kMaxUserDataBytes = 64 * 1024;
inline constexpr std::size_t kMaxConsentBytes = 4 * 1024;
inline constexpr std::size_t kMaxEventSourceUrlBytes = 8 * 1024;

// jsonb's binary form of a document is at most about 6 times its text (an array of small numbers:
// 2 bytes of text, a 4-byte entry and an aligned numeric per element). A stored jsonb larger than
// this factor times a column's text limit is therefore over the limit, without rendering it.
inline constexpr std::size_t kMaxJsonbBytesPerTextByte = 16;

// One outbox row as the INSERT trigger sees it. Views must stay valid during the call.
struct OutboxRowView {
	std::string_view event_id;      // SQL NULL passed as "": an error, like an empty id
	std::string_view event_name;    // likewise
	std::int64_t event_time_ms = 0; // Unix epoch milliseconds; meaningless when not finite
	bool event_time_finite = true;  // false: 'infinity' or '-infinity'
	std::string_view action_source;
	std::optional<std::string_view> event_source_url; // nullopt: SQL NULL; "" is treated as absent
	std::optional<std::string_view> custom_data_json; // JSON text (jsonb rendered); nullopt: SQL NULL
	std::optional<std::string_view> consent_json;     // likewise
	// nullopt: SQL NULL (the caller's default destinations); an element nullopt: a NULL array element.
	std::optional<std::vector<std::optional<std::string_view>>> destinations;
};

// What the checks learnt of an acceptable row, for the checks that depend on its destinations
// (destination_checks.hpp).
struct RowFacts {
	bool has_value = false;           // custom_data.value present and not null
	bool has_currency = false;        // custom_data.currency likewise
	bool ad_user_data_denied = false; // consent.ad_user_data = "denied"
};

// Throws capi::Error (SQLSTATE above, message naming the column, hint where useful) for the first
// problem found, in column order; returns what it learnt when the row is acceptable.
RowFacts ValidateOutboxRow(const OutboxRowView &row, std::int64_t now_ms,
                           std::int64_t max_future_ms = kDefaultMaxFutureMs);

// Throws 54000 when a JSON column of text_bytes bytes (its rendered text) exceeds max_text_bytes.
void CheckJsonTextSize(const char *column, std::size_t text_bytes, std::size_t max_text_bytes);

// The same check on a stored jsonb of jsonb_bytes bytes (without its varlena header) before it is
// rendered: refused when larger than kMaxJsonbBytesPerTextByte * max_text_bytes, with the same message.
void CheckStoredJsonSize(const char *column, std::size_t jsonb_bytes, std::size_t max_text_bytes);

} // namespace capi::outbox

#include "core/cpp_only.hpp"
