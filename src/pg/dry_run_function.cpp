// capi.dry_run(destination, n, test_code): sends the destination's next n pending events (those the
// worker has not read yet, in the order it will read them) to the platform's test or validate mode
// and returns the platform's verdict per event. Nothing is written: no batch, no delivery status, no
// cursor moves; the worker delivers the same events normally afterwards.
//
// Runs with the caller's privileges (EXECUTE is granted to capi_admin only; reading the destination's
// credentials needs capi_admin too), declared with SET search_path = pg_catalog, pg_temp; its SQL names
// tables with their schema. Credential files ({"file": name}) are read as the worker reads them, and
// every credential is redacted from the messages returned.
//
// Pattern (as capi.preview): every SPI read first, into palloc'd cells, before any C++ object exists;
// then the C++ work, PostgreSQL calls only through PgCall (result rows included); SPI_finish last.
// The HTTP runs in this backend and is interruptible (dry_run_sender.hpp). The caller's transaction
// stays open meanwhile, as for any statement: at most capi.request_timeout per request.
#include "core/dispatch/credential_files.hpp"
#include "core/dispatch/dry_run.hpp"
#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/test_mode.hpp"
#include "pg/delivery_settings.hpp"
#include "pg/dry_run_sender.hpp"
#include "pg/worker/credential_file_reader.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"
#include "pg/spi_outbox_rows.hpp"
#include "pg/text.hpp"
#include "pg/unix_time.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"
}

namespace {

constexpr int kMaxEvents = 1000;

// The destination's pending events: not read by its worker yet (not visible in the cursor's
// window_start, nor in origin, nor among the rows of the open window already acknowledged), in the
// order the worker reads them. Plain columns and pg_catalog functions only (has_undelivered_events
// uses the same conditions).
constexpr const char *kPendingEventsSql =
    "SELECT " CAPI_OUTBOX_EVENT_COLUMNS " FROM capi.cursors c JOIN capi.outbox o "
    "  ON o.txid >= pg_catalog.pg_snapshot_xmin(c.window_start) "
    " AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.window_start) "
    " AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin) "
    " AND (o.destinations IS NULL OR c.destination = ANY (o.destinations)) "
    " AND NOT coalesce(c.window_end IS NOT NULL AND pg_catalog.pg_visible_in_snapshot(o.txid, c.window_end) "
    "                  AND (o.txid, o.id) <= (c.done_txid, c.done_id), false) "
    "WHERE c.destination = $1 "
    "ORDER BY o.txid, o.id LIMIT $2";

std::string Or(const char *value) {
	return value != nullptr ? value : "";
}

// The materialized result set (every PG version this builds for: no InitMaterializedSRF).
struct ResultSet {
	Tuplestorestate *store;
	TupleDesc descriptor;
};

ResultSet StartResultSet(FunctionCallInfo fcinfo) {
	ReturnSetInfo *info = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
	if (info == nullptr || !IsA(info, ReturnSetInfo) || (info->allowedModes & SFRM_Materialize) == 0)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("capi.dry_run must be called in a context that accepts a set (FROM clause)")));
	TupleDesc descriptor;
	if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "capi.dry_run: return type must be a row type");
	MemoryContext previous = MemoryContextSwitchTo(info->econtext->ecxt_per_query_memory);
	ResultSet result{
	    tuplestore_begin_heap((info->allowedModes & SFRM_Materialize_Random) != 0, false, work_mem),
	    CreateTupleDescCopy(descriptor)};
	MemoryContextSwitchTo(previous);
	info->returnMode = SFRM_Materialize;
	info->setResult = result.store;
	info->setDesc = result.descriptor;
	return result;
}

} // namespace

CAPI_PG_FUNCTION(capi_dry_run) {
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		                errmsg("capi.dry_run: destination and n must not be NULL")));
	const int limit = PG_GETARG_INT32(1);
	if (limit < 1 || limit > kMaxEvents)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("capi.dry_run: n must be between 1 and %d, not %d", kMaxEvents, limit)));
	const char *test_code = PG_ARGISNULL(2) ? nullptr : TextDatumGetCString(PG_GETARG_DATUM(2));
	const ResultSet result_set = StartResultSet(fcinfo);

	SPI_connect();
	// Every SPI read (a PostgreSQL call) before any C++ object exists.
	const capi::pg::SpiDestinationRow destination_row = capi::pg::ReadDestinationRow(PG_GETARG_DATUM(0));
	Datum event_arguments[2] = {PG_GETARG_DATUM(0), Int32GetDatum(limit)};
	Oid event_types[2] = {TEXTOID, INT4OID};
	SPI_execute_with_args(kPendingEventsSql, 2, event_types, event_arguments, nullptr, true, 0);
	const capi::pg::SpiOutboxRows rows = capi::pg::ReadOutboxRows();
	const capi::pg::WorkerSettings settings = capi::pg::CurrentWorkerSettings();

	{
		capi::dispatch::Destination destination = capi::pg::worker::WithCredentialFiles(
		    capi::pg::DestinationFrom(destination_row), Or(settings.credentials_directory));
		// What would pause the destination in the worker is an error here, before anything is sent.
		capi::dispatch::RequireCredentialsAvailable(destination);
		const capi::dispatch::PlatformAdapter &adapter = capi::dispatch::AdapterFor(destination.platform);
		capi::dispatch::Destination tested = capi::dispatch::InTestMode(
		    destination, adapter,
		    test_code != nullptr ? std::optional<std::string>(test_code) : std::nullopt);
		capi::dispatch::RequireAllowedEndpoint(tested, adapter, Or(settings.allowed_endpoint_hosts));
		adapter.TokenRequest(tested, {}); // throws for credentials that are neither a token nor a grant

		std::vector<capi::dispatch::OutboxEvent> events = capi::pg::OutboxEventsFrom(rows);
		const std::vector<capi::dispatch::OutboxEvent> sent = events;
		capi::dispatch::DryRun dry_run(std::move(tested), adapter, capi::pg::PipelineSettingsFrom(settings),
		                               std::move(events), capi::pg::NowUnixMilliseconds(),
		                               static_cast<std::uint64_t>(capi::pg::NowUnixMilliseconds()) ^
		                                   static_cast<std::uint64_t>(MyProcPid));
		capi::pg::RunDryRun(dry_run, capi::pg::ClientOptionsFrom(settings, 8));

		for (const capi::dispatch::DryRunResult &result : dry_run.Results()) {
			const capi::dispatch::OutboxEvent &event = sent[result.index];
			const bool accepted = result.verdict == capi::dispatch::DryRunVerdict::kAccepted;
			const char *verdict = capi::dispatch::DryRunVerdictName(result.verdict);
			capi::pg::PgCall([&] {
				Datum values[6];
				bool nulls[6] = {false, false, false, false, false, result.message.empty()};
				values[0] = Int64GetDatum(event.outbox_id);
				values[1] = PointerGetDatum(capi::pg::MakeText(event.event_id));
				values[2] = PointerGetDatum(capi::pg::MakeText(event.event_name));
				values[3] = BoolGetDatum(accepted);
				values[4] = CStringGetTextDatum(verdict);
				values[5] = nulls[5] ? Datum(0) : PointerGetDatum(capi::pg::MakeText(result.message));
				tuplestore_putvalues(result_set.store, result_set.descriptor, values, nulls);
			});
		}
	}
	SPI_finish();
	return Datum(0);
}
