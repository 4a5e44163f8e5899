// Reads outbox rows into OutboxEvents on the worker's hot path, faster than the generic Query():
// tuples are deformed once, text columns are copied straight from the tuple, and jsonb columns
// are written as JSON text by a converter that copies unescaped runs in bulk (PostgreSQL's
// jsonb output escapes character by character, which was the worker's largest single cost).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/dispatch/event.hpp"
#include "core/outbox/window_rows.hpp"
#include "pg/worker/spi_session.hpp"

namespace capi::pg::worker {

// The select list every event query must have, in this order (o = capi.outbox). Plain columns
// only: no operator, function or cast that a row could make fail (or that search_path could
// redirect); the reader converts them in C, row by row.
inline constexpr const char *kEventSelectList =
    "o.id, o.txid, o.event_id, o.event_name, o.event_time, o.action_source, o.event_source_url, "
    "o.user_data, o.custom_data, o.consent";

// A variable-length column (text or jsonb) larger than this, uncompressed, is not read: its row is
// unreadable. 16 times the largest custom_data the INSERT accepts (64 kB), so no row inserted
// through it comes near; rows inserted before that check or by a superuser without the trigger may.
inline constexpr std::size_t kMaxColumnBytes = 1024 * 1024;

// A budget for QueryEvents: the bytes of one read (column sizes and JSON text) it stops near.
inline constexpr std::size_t kEventReadBudget = 64 * 1024 * 1024;

// The rows QueryEvents read, in the query's order (truncated: the budget stopped the read).
using EventRows = outbox::WindowRows;

// Inside RunTransaction: runs sql (text parameters, as Query) whose select list is kEventSelectList.
// With a platform name, user_data keeps only the keys that platform's adapter reads ("field" and
// "field@<platform>"), which saves copying and parsing the other platforms' variants.
// A row that cannot be read (a non-finite event_time, a column above kMaxColumnBytes, JSON nested
// deeper than 64 levels) comes back with unreadable_reason set, its id, event_id and event_name (when
// readable), and nothing else; it never makes the query fail. With max_bytes > 0, the read stops
// before a row that would take it past max_bytes (the first row is always read) and says so
// (truncated); 0 reads every row.
EventRows QueryEvents(const char *sql, const std::vector<Value> &parameters, const std::string &platform,
                      std::size_t max_bytes = 0);

} // namespace capi::pg::worker
