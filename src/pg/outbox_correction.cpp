// capi.allow_outbox_correction(outbox_id) and capi.allow_outbox_rebase(): the two doors through the
// outbox's append-only rule (pg/outbox_correction.hpp). Run no SQL.
#include "pg/outbox_correction.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "storage/proc.h"
}

namespace {

// The allowance: one row, in one local transaction of this backend. Plain values, reset by use.
LocalTransactionId allowed_transaction = InvalidLocalTransactionId;
std::int64_t allowed_outbox_id = 0;
// capi.rebase_after_restore(): every row's txid, in one local transaction until it is withdrawn.
LocalTransactionId rebase_transaction = InvalidLocalTransactionId;

} // namespace

namespace capi::pg {

bool TakeOutboxCorrection(std::int64_t outbox_id) {
	const bool allowed = allowed_transaction != InvalidLocalTransactionId &&
	                     allowed_transaction == MyProc->lxid && allowed_outbox_id == outbox_id;
	allowed_transaction = InvalidLocalTransactionId;
	allowed_outbox_id = 0;
	return allowed;
}

bool OutboxRebaseAllowed() {
	return rebase_transaction != InvalidLocalTransactionId && rebase_transaction == MyProc->lxid;
}

} // namespace capi::pg

CAPI_PG_FUNCTION(capi_allow_outbox_correction) {
	if (PG_ARGISNULL(0))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("outbox_id must not be NULL")));
	allowed_transaction = MyProc->lxid;
	allowed_outbox_id = PG_GETARG_INT64(0);
	PG_RETURN_VOID();
}

CAPI_PG_FUNCTION(capi_allow_outbox_rebase) {
	rebase_transaction = PG_GETARG_BOOL(0) ? MyProc->lxid : InvalidLocalTransactionId;
	PG_RETURN_VOID();
}
