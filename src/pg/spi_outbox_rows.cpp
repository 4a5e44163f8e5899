#include "pg/spi_outbox_rows.hpp"

#include "core/identity/field.hpp"

#include <string>

#include "pg/unix_time.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
}

namespace capi::pg {
namespace {

constexpr int kColumns = 9;
constexpr int kEventTimeColumn = 3; // 0-based, in CAPI_OUTBOX_EVENT_COLUMNS

const char *Cell(int row, int column) {
	return SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column);
}

std::string Or(const char *value) {
	return value != nullptr ? value : "";
}

} // namespace

SpiDestinationRow ReadDestinationRow(Datum name) {
	Datum arguments[1] = {name};
	Oid types[1] = {TEXTOID};
	SPI_execute_with_args("SELECT d.platform, d.config::text, d.credentials::text, d.endpoint "
	                      "FROM capi.destinations d WHERE d.name = $1",
	                      1, types, arguments, nullptr, true, 1);
	const char *destination_name = TextDatumGetCString(name);
	if (SPI_processed == 0)
		ereport(ERROR, (errcode(ERRCODE_UNDEFINED_OBJECT),
		                errmsg("destination \"%s\" does not exist", destination_name)));
	return SpiDestinationRow{destination_name, Cell(0, 1), Cell(0, 2), Cell(0, 3), Cell(0, 4)};
}

SpiOutboxRows ReadOutboxRows() {
	const int count = static_cast<int>(SPI_processed);
	SpiOutboxRows rows{count,
	                   static_cast<const char **>(palloc0(sizeof(const char *) * (count * kColumns + 1))),
	                   static_cast<std::int64_t *>(palloc0(sizeof(std::int64_t) * (count + 1))),
	                   static_cast<bool *>(palloc0(sizeof(bool) * (count + 1)))};
	for (int i = 0; i < count; i++) {
		for (int column = 0; column < kColumns; column++)
			rows.cells[i * kColumns + column] = column == kEventTimeColumn ? nullptr : Cell(i, column + 1);
		bool is_null = false;
		const TimestampTz event_time = DatumGetTimestampTz(
		    SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, kEventTimeColumn + 1, &is_null));
		const std::optional<std::int64_t> ms =
		    is_null ? std::optional<std::int64_t>(0) : FiniteUnixMilliseconds(event_time);
		rows.finite[i] = ms.has_value();
		rows.event_times_ms[i] = ms.value_or(0);
	}
	return rows;
}

dispatch::Destination DestinationFrom(const SpiDestinationRow &row) {
	dispatch::Destination destination;
	destination.name = Or(row.name);
	destination.platform = identity::ParsePlatform(Or(row.platform));
	destination.config_json = Or(row.config);
	destination.credentials_json = Or(row.credentials);
	destination.endpoint_override = Or(row.endpoint);
	return destination;
}

std::vector<dispatch::OutboxEvent> OutboxEventsFrom(const SpiOutboxRows &rows) {
	std::vector<dispatch::OutboxEvent> events(static_cast<std::size_t>(rows.count));
	for (int i = 0; i < rows.count; i++) {
		const char **row = &rows.cells[i * kColumns];
		dispatch::OutboxEvent &event = events[static_cast<std::size_t>(i)];
		event.outbox_id = row[0] != nullptr ? std::stoll(row[0]) : 0;
		event.event_id = Or(row[1]);
		event.event_name = Or(row[2]);
		event.event_time_ms = rows.event_times_ms[i];
		event.action_source = Or(row[4]);
		event.event_source_url = Or(row[5]);
		event.user_data_json = Or(row[6]);
		event.custom_data_json = Or(row[7]);
		event.consent_json = Or(row[8]);
		if (!rows.finite[i])
			event.unreadable_reason = "event_time is not finite";
	}
	return events;
}

} // namespace capi::pg
