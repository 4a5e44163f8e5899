// capi.cluster_identity as the outbox trigger and the worker read it, the rebase run on a writer's
// behalf, and capi.lock_out_worker(). Plain PostgreSQL calls only: no C++ object lives here.
#include "pg/guard.hpp"

#include "pg/cluster_identity.hpp"

extern "C" {
#include "access/xlog.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/timestamp.h"
}

namespace {

capi::pg::ClusterIdentity cached;
bool cache_valid = false;
bool callback_registered = false;
Oid identity_relid = InvalidOid;

void Invalidate(Datum, Oid relid) {
	if (relid == InvalidOid || relid == identity_relid)
		cache_valid = false;
}

void Load() {
	if (!callback_registered) {
		CacheRegisterRelcacheCallback(Invalidate, (Datum)0);
		callback_registered = true;
	}
	cached = capi::pg::ClusterIdentity();
	const Oid schema = get_namespace_oid("capi", true);
	identity_relid = OidIsValid(schema) ? get_relname_relid("cluster_identity", schema) : InvalidOid;
	// Not installed (no extension, or one older than 0.6.0): nothing to cache, and no invalidation would
	// say when the table appears, so it is looked up again next time.
	if (!OidIsValid(identity_relid))
		return;
	cached.installed = true;
	SPI_connect();
	SPI_execute("SELECT c.system_identifier, c.recorded_at FROM capi.cluster_identity c", true, 2);
	if (SPI_processed != 1) {
		cached.from_another_cluster = true; // no row: nobody knows, the rebase makes it known
	} else {
		bool is_null = false;
		Datum identifier = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &is_null);
		cached.from_another_cluster =
		    is_null || DatumGetInt64(identifier) != static_cast<int64>(GetSystemIdentifier());
		Datum recorded_at = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &is_null);
		cached.recorded_at = is_null ? 0 : DatumGetTimestampTz(recorded_at);
	}
	SPI_finish();
	cache_valid = true;
}

} // namespace

namespace capi::pg {

ClusterIdentity CurrentClusterIdentity() {
	if (!cache_valid)
		Load();
	return cached;
}

void RebaseAfterRestoreAs(unsigned int owner) {
	Oid saved_user = InvalidOid;
	int saved_context = 0;
	GetUserIdAndSecContext(&saved_user, &saved_context);
	// An error in between ends the (sub)transaction, which restores the user itself.
	SetUserIdAndSecContext(owner, saved_context | SECURITY_LOCAL_USERID_CHANGE);
	SPI_connect();
	SPI_execute("SELECT capi.rebase_after_restore()", false, 0);
	SPI_finish();
	SetUserIdAndSecContext(saved_user, saved_context);
	cache_valid = false;
}

} // namespace capi::pg

// capi.lock_out_worker(): the extension's lock in the mode DROP EXTENSION takes, until the transaction
// ends. The worker takes it in share mode, without waiting, at the start of each transaction: it waits
// for the worker's transaction in progress, and the worker's next ones find the extension unavailable,
// drop their in-memory state and start over from the stored one once the lock is gone.
CAPI_PG_FUNCTION(capi_lock_out_worker) {
	const Oid extension = get_extension_oid("pg_capi", false);
	LockDatabaseObject(ExtensionRelationId, extension, 0, AccessExclusiveLock);
	PG_RETURN_VOID();
}
