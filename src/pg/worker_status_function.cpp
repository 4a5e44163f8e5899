// capi.worker_status(): the delivery worker as shared memory knows it (its pid, its database, and
// whether it is delivering), for capi.stats. pg_stat_activity hides a background worker's row from
// roles without pg_read_all_stats; this does not. Plain PostgreSQL calls only.
#include "pg/guard.hpp"
#include "pg/shared_state.hpp"

extern "C" {
#include "access/htup_details.h"
#include "commands/dbcommands.h"
#include "funcapi.h"
#include "utils/builtins.h"
}

CAPI_PG_FUNCTION(capi_worker_status) {
	TupleDesc descriptor;
	if (get_call_result_type(fcinfo, nullptr, &descriptor) != TYPEFUNC_COMPOSITE)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("capi.worker_status() must be called where a record is expected")));
	descriptor = BlessTupleDesc(descriptor);
	const capi::pg::WorkerProcess worker = capi::pg::PublishedWorker();
	Datum values[3] = {0, 0, 0};
	bool nulls[3] = {true, true, false};
	if (worker.pid != 0) {
		values[0] = Int32GetDatum(worker.pid);
		nulls[0] = false;
		const char *database = get_database_name(worker.database_oid);
		if (database != nullptr) {
			values[1] = CStringGetTextDatum(database);
			nulls[1] = false;
		}
	}
	values[2] = BoolGetDatum(worker.pid != 0 && worker.delivering);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(descriptor, values, nulls)));
}
