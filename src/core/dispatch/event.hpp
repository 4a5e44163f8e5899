// One row of the outbox, as the delivery worker read it. Plain data: the JSON columns are kept as the
// text PostgreSQL returned and are parsed by the adapters (event_fields.hpp).
#pragma once

#include <cstdint>
#include <string>

namespace capi::dispatch {

struct OutboxEvent {
	std::int64_t outbox_id = 0;
	std::string event_id;           // the deduplication key shared with the browser pixel; may be empty
	std::string event_name;         // Meta-style name (Purchase, Lead, ...) or a custom name
	std::int64_t event_time_ms = 0; // Unix epoch milliseconds
	// website | app | email | phone_call | chat | physical_store | system_generated | business_messaging |
	// other
	std::string action_source;
	std::string event_source_url; // may be empty
	// The stored identity bag (identity_bag.hpp): a JSON object, or "" / "{}" when there is none.
	std::string user_data_json;
	// JSON object text (value, currency, order_id, contents, ...) validated at INSERT, or "".
	std::string custom_data_json;
	// JSON object text or "": {"opt_out": bool, "ldu": bool | {"country": int, "state": int},
	// "ad_user_data": "granted"|"denied", "ad_personalization": "granted"|"denied"} (consent.hpp).
	std::string consent_json;
	// Why the worker could not read this row ("event_time is -infinity", "custom_data is N bytes, more
	// than M"), "" when it could. Such an event is never sent: it fails alone with this reason and the
	// columns above may be empty. Never holds column contents (they may be personal data).
	std::string unreadable_reason;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
