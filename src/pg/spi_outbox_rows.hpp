// Reading a destination and outbox events through SPI for the SQL functions that build requests
// (capi.preview, capi.dry_run). The Read* functions make PostgreSQL calls only (they may raise an
// ERROR): call them before any C++ object exists; they copy what they read into palloc'd memory.
// The *From functions are C++ only and turn those copies into the core's types.
#pragma once

#include "core/dispatch/adapter.hpp"

#include <cstdint>
#include <vector>

#include "pg/postgres_headers.hpp"

namespace capi::pg {

// The select list of every outbox read here, in this order: plain columns only, so that no operator
// or function a caller's search_path could capture is named. event_time is converted in C.
#define CAPI_OUTBOX_EVENT_COLUMNS                                                                            \
	"o.id, o.event_id, o.event_name, o.event_time, o.action_source, o.event_source_url, "                    \
	"o.user_data::text, o.custom_data::text, o.consent::text"

struct SpiDestinationRow {
	const char *name;
	const char *platform;
	const char *config;
	const char *credentials; // as stored: file references ({"file": name}) are not resolved
	const char *endpoint;
};

// The destination named `name` (a text datum), from capi.destinations; ERROR 42704 when there is none.
SpiDestinationRow ReadDestinationRow(Datum name);

struct SpiOutboxRows {
	int count;
	const char **cells;           // count x 9 columns of CAPI_OUTBOX_EVENT_COLUMNS (event_time: nullptr)
	std::int64_t *event_times_ms; // 0 where event_time is NULL or not finite
	bool *finite;                 // false where event_time is infinite
};

// SPI_tuptable's rows, read by a statement whose select list is CAPI_OUTBOX_EVENT_COLUMNS.
SpiOutboxRows ReadOutboxRows();

dispatch::Destination DestinationFrom(const SpiDestinationRow &row);

// The events of the rows; one whose event_time is not finite is unreadable (the worker fails it alone).
std::vector<dispatch::OutboxEvent> OutboxEventsFrom(const SpiOutboxRows &rows);

} // namespace capi::pg
