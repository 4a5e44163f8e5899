#include "pg/worker/worker_main.hpp"

#include "pg/worker/delivery_loop.hpp"

#include <cstring>

#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "pg/guc.hpp"
#include "pg/postgres_headers.hpp"
#include "pg/shared_state.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "utils/snapmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/procsignal.h"
#include "tcop/tcopprot.h"
#include "utils/timestamp.h"
#include "utils/guc.h"

PGDLLEXPORT void capi_launcher_main(Datum argument);
PGDLLEXPORT void capi_worker_main(Datum argument);
}

namespace {

constexpr long kRestartDelayMs = 5000; // > DROP DATABASE's 5 s wait for other sessions to leave

void SetNames(BackgroundWorker &worker, const char *function, const char *name) {
	std::memset(&worker, 0, sizeof worker);
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_capi");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "%s", function);
	snprintf(worker.bgw_name, BGW_MAXLEN, "%s", name);
	snprintf(worker.bgw_type, BGW_MAXLEN, "%s", name);
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
}

// The launcher is connected to no database, so it scans the shared catalog pg_database directly (as
// the autovacuum launcher does) instead of using the syscache-based get_database_oid().
Oid LookUpDatabase(const char *name) {
	Oid database = InvalidOid;
	StartTransactionCommand();
	(void)GetTransactionSnapshot();
	Relation relation = table_open(DatabaseRelationId, AccessShareLock);
	TableScanDesc scan = table_beginscan_catalog(relation, 0, nullptr);
	HeapTuple tuple;
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != nullptr) {
		Form_pg_database row = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple));
		if (strcmp(NameStr(row->datname), name) == 0 && row->datallowconn) {
			database = row->oid;
			break;
		}
	}
	table_endscan(scan);
	table_close(relation, AccessShareLock);
	CommitTransactionCommand();
	return database;
}

void WithdrawOnExit(int, Datum) {
	capi::pg::WithdrawWorker();
}

} // namespace

namespace capi::pg::worker {

void RegisterLauncher() {
	BackgroundWorker worker;
	SetNames(worker, "capi_launcher_main", "pg_capi launcher");
	worker.bgw_restart_time = 5;
	RegisterBackgroundWorker(&worker);
}

} // namespace capi::pg::worker

void capi_launcher_main(Datum) {
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(nullptr, nullptr, 0);
	pgstat_report_appname("pg_capi launcher");

	BackgroundWorkerHandle *handle = nullptr;
	char running_database[NAMEDATALEN] = "";
	TimestampTz next_start = 0;
	bool reported_missing = false;

	while (!ShutdownRequestPending) {
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (handle != nullptr &&
			    strcmp(running_database, capi::pg::CurrentWorkerSettings().database) != 0) {
				ereport(LOG, (errmsg("pg_capi launcher: capi.database changed, stopping the worker in \"%s\"",
				                     running_database)));
				TerminateBackgroundWorker(handle);
			}
			reported_missing = false;
			next_start = 0;
		}
		pid_t pid = 0;
		if (handle != nullptr && GetBackgroundWorkerPid(handle, &pid) == BGWH_STOPPED) {
			pfree(handle);
			handle = nullptr;
			next_start = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kRestartDelayMs);
		}
		if (handle == nullptr && GetCurrentTimestamp() >= next_start) {
			const char *name = capi::pg::CurrentWorkerSettings().database;
			Oid database = LookUpDatabase(name);
			if (!OidIsValid(database)) {
				if (!reported_missing)
					ereport(LOG, (errmsg("pg_capi launcher: database \"%s\" (capi.database) does not exist; "
					                     "waiting for it",
					                     name)));
				reported_missing = true;
				next_start = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kRestartDelayMs);
			} else {
				reported_missing = false;
				BackgroundWorker worker;
				SetNames(worker, "capi_worker_main", "pg_capi worker");
				worker.bgw_restart_time = BGW_NEVER_RESTART;
				worker.bgw_main_arg = ObjectIdGetDatum(database);
				worker.bgw_notify_pid = MyProcPid;
				if (RegisterDynamicBackgroundWorker(&worker, &handle)) {
					strlcpy(running_database, name, sizeof running_database);
				} else {
					handle = nullptr;
					ereport(LOG, (errmsg("pg_capi launcher: no background worker slot free "
					                     "(max_worker_processes); retrying")));
					next_start = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), kRestartDelayMs);
				}
			}
		}
		(void)WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 1000, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		// DROP DATABASE, DROP TABLESPACE and others wait until every process absorbs their barrier.
		if (ProcSignalBarrierPending)
			ProcessProcSignalBarrier();
	}
	if (handle != nullptr)
		TerminateBackgroundWorker(handle);
	proc_exit(0);
}

// Each batch reads, converts and sends a few MB, and frees them: by default glibc maps blocks of that
// size afresh and returns freed ones to the kernel, so every batch page-faulted its memory in again
// (17.7 % of the worker's perf samples in a 200,000-event drain on a virtual machine, where a fault is
// expensive). The worker keeps up to 64 MB it freed for the next batch instead.
static void KeepFreedMemory() {
#ifdef __GLIBC__
	mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
	mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
#endif
}

void capi_worker_main(Datum argument) {
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnectionByOid(DatumGetObjectId(argument), InvalidOid, 0);
	pgstat_report_appname("pg_capi worker");
	// A lost acknowledgement only means a resend (at-least-once): no need to wait for the WAL flush.
	SetConfigOption("synchronous_commit", "off", PGC_SUSET, PGC_S_OVERRIDE);
	SetConfigOption("application_name", "pg_capi worker", PGC_USERSET, PGC_S_OVERRIDE);
	// Names in the worker's SQL resolve in pg_catalog only (tables are schema-qualified): nothing a
	// role planted in public or in a schema named like a user can be called by it. The override
	// beats ALTER ROLE/DATABASE ... SET search_path. Statements run as capi_worker (spi_session.cpp).
	SetConfigOption("search_path", "pg_catalog, pg_temp", PGC_SUSET, PGC_S_OVERRIDE);
	// A session holding a lock the worker needs (a capi_admin may LOCK capi.destinations) delays
	// delivery by at most this much per attempt, and never keeps the worker from its signals.
	SetConfigOption("lock_timeout", "10s", PGC_SUSET, PGC_S_OVERRIDE);
	// The worker's statements read a few thousand rows each, but without statistics the planner
	// prices a window read at the whole backlog, above jit_above_cost: with JIT on, each read of
	// 4,000 rows compiled for 250 ms (2,000,000 events drained at 16,000/s; issue 10 §1).
	SetConfigOption("jit", "off", PGC_SUSET, PGC_S_OVERRIDE);

	KeepFreedMemory();

	capi::pg::PublishWorker(static_cast<int>(MyDatabaseId));
	before_shmem_exit(WithdrawOnExit, 0);
	ereport(LOG, (errmsg("pg_capi worker started in database \"%s\"",
	                     capi::pg::CurrentWorkerSettings().database)));
	const int status = capi::pg::worker::RunDeliveryLoop();
	proc_exit(status);
}
