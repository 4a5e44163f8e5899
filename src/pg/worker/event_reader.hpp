// Reads outbox rows into OutboxEvents on the worker's hot path, faster than the generic Query():
// tuples are deformed once, text columns are copied straight from the tuple, and jsonb columns
// are written as JSON text by a converter that copies unescaped runs in bulk (PostgreSQL's
// jsonb output escapes character by character, which was the worker's largest single cost).
#pragma once

#include <string>
#include <vector>

#include "core/dispatch/event.hpp"
#include "pg/worker/spi_session.hpp"

namespace capi::pg::worker {

// The select list every event query must have, in this order (o = capi.outbox).
inline constexpr const char *kEventSelectList =
    "o.id, o.txid::text, o.event_id, o.event_name, (extract(epoch FROM o.event_time) * 1000)::bigint, "
    "o.action_source, o.event_source_url, o.user_data, o.custom_data, o.consent";

struct EventRows {
	std::vector<dispatch::OutboxEvent> events;
	std::vector<std::string> txids; // xid8 text, per event
};

// Inside RunTransaction: runs sql (text parameters, as Query) whose select list is kEventSelectList.
// With a platform name, user_data keeps only the keys that platform's adapter reads ("field" and
// "field@<platform>"), which saves copying and parsing the other platforms' variants.
EventRows QueryEvents(const char *sql, const std::vector<Value> &parameters, long limit,
                      const std::string &platform);

} // namespace capi::pg::worker
