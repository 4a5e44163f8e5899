// capi.preview(event_id, destination): the exact body the destination would receive for the outbox
// events with that event_id, credentials redacted. Runs with the caller's privileges: reading the
// destination's credentials needs capi_admin. Credential files are never read (a placeholder, redacted
// too, stands for them). Declared with SET search_path (pg_catalog, pg_temp),
// and its SQL names tables with their schema and calls no function or operator.
//
// Pattern: every SPI read first (the rows stay in SPI memory), the C++ work into a long-lived
// buffer, SPI_finish, and only then the result datum in the caller's memory context.
#include "core/dispatch/credential_files.hpp"
#include "core/dispatch/preview.hpp"

#include "pg/guard.hpp"
#include "pg/spi_outbox_rows.hpp"
#include "pg/text.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
}

namespace {

std::string &BodyBuffer() {
	static std::string *buffer = new std::string();
	return *buffer;
}

} // namespace

CAPI_PG_FUNCTION(capi_preview) {
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	Datum event_id[1] = {PG_GETARG_DATUM(0)};
	Oid types[1] = {TEXTOID};

	SPI_connect();
	const capi::pg::SpiDestinationRow destination_row = capi::pg::ReadDestinationRow(PG_GETARG_DATUM(1));
	SPI_execute_with_args("SELECT " CAPI_OUTBOX_EVENT_COLUMNS
	                      " FROM capi.outbox o WHERE o.event_id = $1 ORDER BY o.id",
	                      1, types, event_id, nullptr, true, 0);
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
		                errmsg("no outbox event has event_id \"%s\"", TextDatumGetCString(event_id[0]))));
	// Every SPI read (a PostgreSQL call) before any C++ object exists.
	const capi::pg::SpiOutboxRows rows = capi::pg::ReadOutboxRows();
	for (int i = 0; i < rows.count; i++)
		if (!rows.finite[i])
			ereport(ERROR,
			        (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			         errmsg("the outbox event with this event_id has an event_time that is not finite"),
			         errhint("No platform accepts it; the worker fails such an event alone.")));
	std::int64_t now_ms = capi::pg::NowUnixMilliseconds();

	std::string &body = BodyBuffer();
	{
		capi::dispatch::Destination destination = capi::pg::DestinationFrom(destination_row);
		// Credential files are not read here: a placeholder stands for them, redacted like any credential.
		destination.credentials_json = capi::dispatch::CredentialFilesAsPlaceholders(destination);
		body = capi::dispatch::PreviewBody(destination, capi::pg::OutboxEventsFrom(rows), now_ms);
	}
	SPI_finish();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(body.c_str())));
}
