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

const char *Column(int row, int column) {
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
}

std::string Or(const char *value, const char *fallback = "") {
	return value != nullptr ? value : fallback;
}

} // namespace

CAPI_PG_FUNCTION(capi_preview) {
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	Datum arguments[2] = {PG_GETARG_DATUM(0), PG_GETARG_DATUM(1)};
	const char *destination_name = TextDatumGetCString(arguments[1]);
	Oid types[1] = {TEXTOID};

	SPI_connect();
	SPI_execute_with_args("SELECT d.platform, d.config::text, d.credentials::text, d.endpoint "
	                      "FROM capi.destinations d WHERE d.name = $1",
	                      1, types, &arguments[1], nullptr, true, 1);
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
		                errmsg("destination \"%s\" does not exist", destination_name)));
	const char *platform = Column(0, 1);
	const char *config = Column(0, 2);
	const char *credentials = Column(0, 3);
	const char *endpoint = Column(0, 4);

	// Plain columns only: no operator or function whose name a caller's search_path could capture
	// (the function is also declared with SET search_path). event_time is converted here.
	SPI_execute_with_args("SELECT o.id, o.event_id, o.event_name, o.event_time, o.action_source, "
	                      "o.event_source_url, o.user_data::text, o.custom_data::text, o.consent::text "
	                      "FROM capi.outbox o WHERE o.event_id = $1 ORDER BY o.id",
	                      1, types, &arguments[0], nullptr, true, 0);
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
		                errmsg("no outbox event has event_id \"%s\"", TextDatumGetCString(arguments[0]))));
	int rows = static_cast<int>(SPI_processed);
	constexpr int kColumns = 9;
	constexpr int kEventTimeColumn = 3;
	// Every SPI_getvalue (a PostgreSQL call) before any C++ object exists.
	const char **cells = static_cast<const char **>(palloc(sizeof(const char *) * rows * kColumns));
	std::int64_t *event_times_ms = static_cast<std::int64_t *>(palloc(sizeof(std::int64_t) * rows));
	for (int i = 0; i < rows; i++) {
		for (int column = 0; column < kColumns; column++)
			cells[i * kColumns + column] = column == kEventTimeColumn ? nullptr : Column(i, column + 1);
		bool is_null = false;
		TimestampTz event_time = DatumGetTimestampTz(
		    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, kEventTimeColumn + 1, &is_null));
		if (!is_null && TIMESTAMP_NOT_FINITE(event_time))
			ereport(ERROR,
			        (errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			         errmsg("the outbox event with this event_id has an event_time that is not finite"),
			         errhint("No platform accepts it; the worker fails such an event alone.")));
		event_times_ms[i] = is_null ? 0 : capi::pg::UnixMilliseconds(event_time);
	}
	std::int64_t now_ms = capi::pg::NowUnixMilliseconds();

	std::string &body = BodyBuffer();
	{
		capi::dispatch::Destination destination;
		destination.name = destination_name;
		destination.platform = capi::identity::ParsePlatform(Or(platform));
		destination.config_json = Or(config);
		destination.credentials_json = Or(credentials);
		destination.endpoint_override = Or(endpoint);
		// Credential files are not read here: a placeholder stands for them, redacted like any credential.
		destination.credentials_json = capi::dispatch::CredentialFilesAsPlaceholders(destination);
		std::vector<capi::dispatch::OutboxEvent> events(rows);
		for (int i = 0; i < rows; i++) {
			const char **row = &cells[i * kColumns];
			capi::dispatch::OutboxEvent &event = events[i];
			event.outbox_id = std::stoll(Or(row[0], "0"));
			event.event_id = Or(row[1]);
			event.event_name = Or(row[2]);
			event.event_time_ms = event_times_ms[i];
			event.action_source = Or(row[4]);
			event.event_source_url = Or(row[5]);
			event.user_data_json = Or(row[6]);
			event.custom_data_json = Or(row[7]);
			event.consent_json = Or(row[8]);
		}
		body = capi::dispatch::PreviewBody(destination, events, now_ms);
	}
	SPI_finish();
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(body.c_str())));
}
