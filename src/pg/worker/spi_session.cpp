#include "pg/worker/spi_session.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/skey.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
#include "catalog/pg_extension.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
}

namespace capi::pg::worker {
namespace {

// A PostgreSQL error caught by PgCall, logged and summarized (before the abort; the error itself
// lives in PgCall's error memory, not in the transaction's).
std::string LogAndDescribe(const PgError &error) {
	ErrorData *data = error.error_data();
	std::string message = data->message != nullptr ? data->message : "PostgreSQL error";
	PgCall([&] {
		data->elevel = LOG;
		ThrowErrorData(data);
	});
	return message;
}

// The role every worker statement runs as, and the identity the transaction started with.
Oid worker_role = InvalidOid;
Oid saved_user = InvalidOid;
int saved_security_context = 0;

// Becomes the extension's worker role for the rest of the transaction, when the role exists. The
// worker process is connected as the bootstrap superuser (a background worker needs some role),
// but no SQL of ours runs with its rights: only with the grants capi_worker holds, as a
// restricted operation (no SET ROLE, no temporary objects), like autovacuum running index code.
// An abort restores the original identity by itself (AbortTransaction).
void BecomeWorkerRole() {
	worker_role = get_role_oid(kWorkerRoleName, true);
	GetUserIdAndSecContext(&saved_user, &saved_security_context);
	if (OidIsValid(worker_role))
		SetUserIdAndSecContext(worker_role, saved_security_context | SECURITY_LOCAL_USERID_CHANGE |
		                                        SECURITY_RESTRICTED_OPERATION);
}

void RestoreSessionRole() {
	SetUserIdAndSecContext(saved_user, saved_security_context);
	worker_role = InvalidOid;
}

} // namespace

void RunTransaction(const std::function<void()> &body) {
	bool started = false;
	try {
		PgCall([&] {
			SetCurrentStatementStartTimestamp();
			StartTransactionCommand();
			started = true;
			BecomeWorkerRole();
			SPI_connect();
			PushActiveSnapshot(GetTransactionSnapshot());
		});
		body();
		PgCall([] {
			SPI_finish();
			PopActiveSnapshot();
			RestoreSessionRole();
		});
		// A separate call: SPI_finish deleted the context the previous one started in, and an error
		// at commit (a deferred trigger or constraint) returns to the context a call started in. This
		// one starts in the transaction's context, which lives until the abort below.
		PgCall([&] {
			CommitTransactionCommand();
			started = false;
			pgstat_report_stat(false);
			pgstat_report_activity(STATE_IDLE, nullptr);
		});
	} catch (const PgError &error) {
		std::string message = LogAndDescribe(error);
		if (started)
			PgCall([] { AbortCurrentTransaction(); });
		worker_role = InvalidOid;
		throw WorkerDbError(message);
	} catch (...) {
		if (started)
			PgCall([] { AbortCurrentTransaction(); });
		worker_role = InvalidOid;
		throw;
	}
}

std::vector<const char *> ParameterTexts(const std::vector<Value> &parameters) {
	std::vector<const char *> texts(parameters.size(), nullptr);
	for (std::size_t i = 0; i < parameters.size(); ++i)
		texts[i] = parameters[i] ? parameters[i]->c_str() : nullptr;
	return texts;
}

void ExecuteWithTextParameters(const char *sql, const char *const *texts, int count) {
	// Never with the session's superuser rights, whatever a caller forgot.
	if (!OidIsValid(worker_role) || GetUserId() != worker_role)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("pg_capi worker: role \"%s\" is missing; run ALTER EXTENSION pg_capi UPDATE",
		                       kWorkerRoleName)));
	Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * (count + 1)));
	Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (count + 1)));
	char *nulls = static_cast<char *>(palloc(count + 1));
	for (int i = 0; i < count; i++) {
		types[i] = TEXTOID;
		nulls[i] = texts[i] == nullptr ? 'n' : ' ';
		values[i] = texts[i] == nullptr ? (Datum)0 : CStringGetTextDatum(texts[i]);
	}
	pgstat_report_activity(STATE_RUNNING, sql);
	const int status = SPI_execute_with_args(sql, count, types, values, nulls, false, 0);
	if (status < 0)
		elog(ERROR, "pg_capi worker query failed: %s", SPI_result_code_string(status));
}

Rows Query(const char *sql, const std::vector<Value> &parameters) {
	const std::vector<const char *> texts = ParameterTexts(parameters);
	const int count = static_cast<int>(texts.size());
	int rows = 0;
	int columns = 0;
	char **cells = nullptr; // palloc'd in the SPI procedure context, NULL entries for SQL NULL

	PgCall([&] {
		ExecuteWithTextParameters(sql, texts.data(), count);
		if (SPI_tuptable == nullptr)
			return;
		rows = static_cast<int>(SPI_processed);
		columns = SPI_tuptable->tupdesc->natts;
		cells = static_cast<char **>(palloc(sizeof(char *) * (static_cast<Size>(rows) * columns + 1)));
		for (int row = 0; row < rows; row++)
			for (int column = 0; column < columns; column++)
				cells[row * columns + column] =
				    SPI_getvalue(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, column + 1);
	});

	Rows result(static_cast<std::size_t>(rows));
	for (int row = 0; row < rows; row++) {
		Row &out = result[static_cast<std::size_t>(row)];
		out.reserve(static_cast<std::size_t>(columns));
		for (int column = 0; column < columns; column++) {
			const char *cell = cells[row * columns + column];
			out.push_back(cell != nullptr ? Value(cell) : Value());
		}
	}
	if (cells != nullptr) {
		PgCall([&] {
			for (int i = 0; i < rows * columns; i++)
				if (cells[i] != nullptr)
					pfree(cells[i]);
			pfree(cells);
			SPI_freetuptable(SPI_tuptable);
		});
	}
	return result;
}

bool LockExtensionIfPresent() {
	bool ready = false;
	PgCall([&] {
		Oid extension = get_extension_oid("pg_capi", true);
		if (!OidIsValid(extension))
			return;
		// DROP EXTENSION holds AccessExclusiveLock on the extension object: do not queue behind it.
		if (!ConditionalLockDatabaseObject(ExtensionRelationId, extension, 0, AccessShareLock))
			return;
		ready = OidIsValid(get_relname_relid("outbox", get_namespace_oid("capi", true))) &&
		        OidIsValid(get_relname_relid("cursors", get_namespace_oid("capi", true))) &&
		        OidIsValid(worker_role);
	});
	return ready;
}

void PinOrderedIndexScans() {
	PgCall([] {
		for (const char *name : {"enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_hashjoin",
		                         "enable_mergejoin", "enable_material"})
			(void)set_config_option(name, "off", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0,
			                        false);
	});
}

std::string InstalledExtensionVersion() {
	char version[64] = "";
	PgCall([&] {
		Relation catalog = table_open(ExtensionRelationId, AccessShareLock);
		ScanKeyData key;
		ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber, F_NAMEEQ,
		            CStringGetDatum("pg_capi"));
		SysScanDesc scan = systable_beginscan(catalog, ExtensionNameIndexId, true, NULL, 1, &key);
		HeapTuple tuple = systable_getnext(scan);
		if (HeapTupleIsValid(tuple)) {
			bool is_null = true;
			Datum datum =
			    heap_getattr(tuple, Anum_pg_extension_extversion, RelationGetDescr(catalog), &is_null);
			if (!is_null) {
				char *installed = TextDatumGetCString(datum);
				strlcpy(version, installed, sizeof version);
				pfree(installed);
			}
		}
		systable_endscan(scan);
		table_close(catalog, AccessShareLock);
	});
	return version;
}

bool DatabaseBeingDropped() {
	bool dropping = false;
	PgCall([&] {
		LOCKTAG tag;
		SET_LOCKTAG_OBJECT(tag, InvalidOid, DatabaseRelationId, MyDatabaseId, 0);
		if (LockAcquire(&tag, AccessShareLock, true, true) == LOCKACQUIRE_NOT_AVAIL)
			dropping = true;
		else
			LockRelease(&tag, AccessShareLock, true);
	});
	return dropping;
}

} // namespace capi::pg::worker
