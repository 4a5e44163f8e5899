// Plain C-style glue: no C++ object lives in this file's functions, so PostgreSQL errors may be raised
// anywhere in them (the trigger calls it after its C++ block has ended).
#include "pg/duplicate_audit.hpp"

#include "pg/conflict_statements.hpp"

extern "C" {
#include "access/genam.h"
#include "access/relscan.h"
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/tableam.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace capi::pg {
namespace {

constexpr const char *kEventKeyIndex = "outbox_event_key";
constexpr const char *kAuditTable = "rejected_duplicates";

// One row per destination the rejected event would have gone to, resolved now (NULL: every
// destination). rejected_at defaults to the transaction's start, as the outbox's created_at.
constexpr const char *kRecordSql =
    "INSERT INTO capi.rejected_duplicates (destination, event_name, event_id) "
    "SELECT d.name, $1, $2 FROM capi.destinations d WHERE $3 IS NULL OR d.name = ANY ($3)";

// Prepared once per backend, kept in CacheMemoryContext (the plan cache re-plans it after DDL).
SPIPlanPtr record_plan = nullptr;

// Whether outbox_event_key already holds (event_name, event_id) in a row that is live or being inserted
// by a transaction in progress: what INSERT ... ON CONFLICT DO NOTHING will skip this row for. The
// probe uses a dirty snapshot, as PostgreSQL's own conflict check does.
bool KeyTaken(Relation outbox, Oid index_oid, Datum event_name, Datum event_id) {
	const AttrNumber name_attribute = get_attnum(RelationGetRelid(outbox), "event_name");
	const AttrNumber id_attribute = get_attnum(RelationGetRelid(outbox), "event_id");
	Relation index = index_open(index_oid, AccessShareLock);
	const bool expected_shape = index->rd_index->indnkeyatts == 2 &&
	                            index->rd_index->indkey.values[0] == name_attribute &&
	                            index->rd_index->indkey.values[1] == id_attribute;
	bool taken = false;
	if (expected_shape) {
		ScanKeyData keys[2];
		ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[0],
		                       F_TEXTEQ, event_name);
		ScanKeyEntryInitialize(&keys[1], 0, 2, BTEqualStrategyNumber, InvalidOid, index->rd_indcollation[1],
		                       F_TEXTEQ, event_id);
		SnapshotData dirty;
		InitDirtySnapshot(dirty);
#if PG_VERSION_NUM >= 180000
		IndexScanDesc scan = index_beginscan(outbox, index, &dirty, nullptr, 2, 0);
#else
		IndexScanDesc scan = index_beginscan(outbox, index, &dirty, 2, 0);
#endif
		index_rescan(scan, keys, 2, nullptr, 0);
		TupleTableSlot *slot = table_slot_create(outbox, nullptr);
		taken = index_getnext_slot(scan, ForwardScanDirection, slot);
		index_endscan(scan);
		ExecDropSingleTupleTableSlot(slot);
	}
	index_close(index, AccessShareLock);
	return taken;
}

// Inserts the audit rows as the outbox's owner: writers have no right on capi.rejected_duplicates, and
// the statement is fixed, schema-qualified, and runs as a restricted operation. An error aborts the
// transaction, which restores the user (as for every SECURITY_LOCAL_USERID_CHANGE).
void RecordRejection(Relation outbox, Datum event_name, Datum event_id, Datum destinations,
                     bool destinations_null) {
	Oid saved_user = InvalidOid;
	int saved_context = 0;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	SetUserIdAndSecContext(outbox->rd_rel->relowner,
	                       saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	if (SPI_connect() != SPI_OK_CONNECT)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("pg_capi: SPI_connect failed")));
	if (record_plan == nullptr) {
		Oid types[3] = {TEXTOID, TEXTOID, TEXTARRAYOID};
		SPIPlanPtr plan = SPI_prepare(kRecordSql, 3, types);
		if (plan == nullptr || SPI_keepplan(plan) != 0)
			ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR),
			                errmsg("pg_capi: could not prepare the dedup audit statement: %s",
			                       SPI_result_code_string(SPI_result))));
		record_plan = plan;
	}
	Datum values[3] = {event_name, event_id, destinations};
	const char nulls[3] = {' ', ' ', destinations_null ? 'n' : ' '};
	const int result = SPI_execute_plan(record_plan, values, nulls, false, 0);
	if (result != SPI_OK_INSERT)
		ereport(ERROR,
		        (errcode(ERRCODE_INTERNAL_ERROR), errmsg("pg_capi: recording a rejected duplicate failed: %s",
		                                                 SPI_result_code_string(result))));
	SPI_finish();
	SetUserIdAndSecContext(saved_user, saved_context);
}

} // namespace

void AuditDuplicateInsert(Relation outbox, Datum event_name, Datum event_id, Datum destinations,
                          bool destinations_null) {
	if (!ConflictSkippingStatementMayRun())
		return; // a duplicate raises 23505 and rolls back whatever this would record
	const Oid schema = RelationGetNamespace(outbox);
	const Oid index_oid = get_relname_relid(kEventKeyIndex, schema);
	if (!OidIsValid(index_oid) || !OidIsValid(get_relname_relid(kAuditTable, schema)))
		return;
	if (KeyTaken(outbox, index_oid, event_name, event_id))
		RecordRejection(outbox, event_name, event_id, destinations, destinations_null);
}

} // namespace capi::pg
