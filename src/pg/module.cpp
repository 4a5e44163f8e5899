// Module entry: the magic block and _PG_init (settings, the core's interrupt poll; under
// shared_preload_libraries, the shared state and the delivery worker's launcher).
#include "core/interrupt.hpp"

#include "pg/conflict_statements.hpp"
#include "pg/guard.hpp"
#include "pg/guc.hpp"
#include "pg/setup_check.hpp"
#include "pg/shared_state.hpp"
#include "pg/worker/worker_main.hpp"

#include "pg/postgres_headers.hpp"

extern "C" {
#include "miscadmin.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

PGDLLEXPORT void _PG_init(void);
}

void _PG_init(void) {
	capi::pg::DefineSettings();
	capi::pg::InstallConflictStatementTracking(); // the dedup audit probes only where a retry is silent

	// Long loops in the core stop when a cancel, statement_timeout or terminate is pending.
	capi::SetInterruptPoll(capi::pg::InterruptIsPending);

	// Reserve the "capi." prefix so that a misspelt setting is reported instead of silently ignored.
#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("capi");
#else
	EmitWarningsOnPlaceholders("capi");
#endif

	if (!process_shared_preload_libraries_in_progress)
		return; // hashing works anywhere; delivery needs the preload
	capi::pg::NoteLoadedByPreload();
	capi::pg::InstallSharedState();
	// pg_upgrade starts both servers in binary-upgrade mode: nothing is delivered there (the new
	// cluster's tables are empty until their files are copied; the old one is being upgraded).
	if (!IsBinaryUpgrade)
		capi::pg::worker::RegisterLauncher();
}
