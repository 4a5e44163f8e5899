// Plain C-style glue: no C++ object lives in these functions (PostgreSQL errors may be raised).
#include "pg/conflict_statements.hpp"

#include "pg/postgres_headers.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/executor.h"
#include "nodes/plannodes.h"
#include "utils/memutils.h"
}

namespace {

ExecutorStart_hook_type previous_start = nullptr;
ExecutorEnd_hook_type previous_end = nullptr;

int running = 0; // statements with ON CONFLICT DO NOTHING started and not ended
// Set while the transaction that loaded the library runs: statements it started before the hooks
// were installed are not counted.
bool unknown_until_transaction_end = true;
// running when each open subtransaction started, by nesting level (an error in a subtransaction
// abandons the statements it started: their ExecutorEnd never runs).
int *running_at_level = nullptr;
int levels_allocated = 0;

bool SkipsConflicts(const Plan *plan) {
	return plan != nullptr && IsA(plan, ModifyTable) &&
	       reinterpret_cast<const ModifyTable *>(plan)->onConflictAction == ONCONFLICT_NOTHING;
}

// The main plan, or a data-modifying WITH clause (a subplan).
bool StatementSkipsConflicts(const QueryDesc *query) {
	const PlannedStmt *statement = query->plannedstmt;
	if (statement == nullptr || (statement->commandType == CMD_SELECT && !statement->hasModifyingCTE))
		return false;
	if (SkipsConflicts(statement->planTree))
		return true;
	ListCell *cell = nullptr;
	foreach (cell, statement->subplans)
		if (SkipsConflicts(static_cast<const Plan *>(lfirst(cell))))
			return true;
	return false;
}

void OnExecutorStart(QueryDesc *query, int flags) {
	if (previous_start != nullptr)
		previous_start(query, flags);
	else
		standard_ExecutorStart(query, flags);
	if (StatementSkipsConflicts(query))
		running++;
}

void OnExecutorEnd(QueryDesc *query) {
	if (StatementSkipsConflicts(query) && running > 0)
		running--;
	if (previous_end != nullptr)
		previous_end(query);
	else
		standard_ExecutorEnd(query);
}

void OnTransactionEnd(XactEvent event, void *) {
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT || event == XACT_EVENT_PARALLEL_COMMIT ||
	    event == XACT_EVENT_PARALLEL_ABORT || event == XACT_EVENT_PREPARE) {
		running = 0;
		unknown_until_transaction_end = false;
	}
}

void OnSubtransaction(SubXactEvent event, SubTransactionId, SubTransactionId, void *) {
	const int level = GetCurrentTransactionNestLevel();
	if (event == SUBXACT_EVENT_START_SUB) {
		if (level >= levels_allocated) {
			const int wanted = level < 16 ? 32 : level * 2;
			running_at_level = static_cast<int *>(
			    running_at_level == nullptr ? MemoryContextAlloc(TopMemoryContext, sizeof(int) * wanted)
			                                : repalloc(running_at_level, sizeof(int) * wanted));
			levels_allocated = wanted;
		}
		running_at_level[level] = running;
	} else if (event == SUBXACT_EVENT_ABORT_SUB && level < levels_allocated) {
		running = running_at_level[level];
	}
}

} // namespace

namespace capi::pg {

void InstallConflictStatementTracking() {
	previous_start = ExecutorStart_hook;
	ExecutorStart_hook = OnExecutorStart;
	previous_end = ExecutorEnd_hook;
	ExecutorEnd_hook = OnExecutorEnd;
	RegisterXactCallback(OnTransactionEnd, nullptr);
	RegisterSubXactCallback(OnSubtransaction, nullptr);
	// Loaded by shared_preload_libraries (or by a new backend's session_preload_libraries before any
	// transaction): no statement runs yet.
	unknown_until_transaction_end = IsTransactionState();
}

bool ConflictSkippingStatementMayRun() {
	return running > 0 || unknown_until_transaction_end;
}

} // namespace capi::pg
