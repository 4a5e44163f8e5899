// capi.preview(event_id, destination): the exact body the destination would receive for the outbox
// events with that event_id, credentials redacted. Runs with the caller's privileges: reading the
// destination's credentials needs capi_admin.
//
// Pattern: every SPI read first (the rows stay in SPI memory), the C++ work into a long-lived
// buffer, SPI_finish, and only then the result datum in the caller's memory context.
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
	SPI_execute_with_args("SELECT platform, config::text, credentials::text, endpoint FROM capi.destinations "
	                      "WHERE name = $1",
	                      1, types, &arguments[1], nullptr, true, 1);
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
		                errmsg("destination \"%s\" does not exist", destination_name)));
	const char *platform = Column(0, 1);
	const char *config = Column(0, 2);
	const char *credentials = Column(0, 3);
	const char *endpoint = Column(0, 4);

	SPI_execute_with_args(
	    "SELECT id, event_id, event_name, (extract(epoch FROM event_time) * 1000)::bigint, "
	    "action_source, event_source_url, user_data::text, custom_data::text, consent::text "
	    "FROM capi.outbox WHERE event_id = $1 ORDER BY id",
	    1, types, &arguments[0], nullptr, true, 0);
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_NO_DATA_FOUND),
		                errmsg("no outbox event has event_id \"%s\"", TextDatumGetCString(arguments[0]))));
	int rows = static_cast<int>(SPI_processed);
	constexpr int kColumns = 9;
	// Every SPI_getvalue (a PostgreSQL call) before any C++ object exists.
	const char **cells = static_cast<const char **>(palloc(sizeof(const char *) * rows * kColumns));
	for (int i = 0; i < rows; i++)
		for (int column = 0; column < kColumns; column++)
			cells[i * kColumns + column] = Column(i, column + 1);
	std::int64_t now_ms = capi::pg::NowUnixMilliseconds();

	std::string &body = BodyBuffer();
	{
		capi::dispatch::Destination destination;
		destination.name = destination_name;
		destination.platform = capi::identity::ParsePlatform(Or(platform));
		destination.config_json = Or(config);
		destination.credentials_json = Or(credentials);
		destination.endpoint_override = Or(endpoint);
		std::vector<capi::dispatch::OutboxEvent> events(rows);
		for (int i = 0; i < rows; i++) {
			const char **row = &cells[i * kColumns];
			capi::dispatch::OutboxEvent &event = events[i];
			event.outbox_id = std::stoll(Or(row[0], "0"));
			event.event_id = Or(row[1]);
			event.event_name = Or(row[2]);
			event.event_time_ms = std::stoll(Or(row[3], "0"));
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
