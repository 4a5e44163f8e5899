// capi.correct_failed() replaces columns of a failed event's outbox row, which is otherwise
// append-only. It first calls capi.allow_outbox_correction(outbox_id) (owner only: no role is granted
// it), which lets the outbox row trigger accept one UPDATE of that row in this transaction; the
// trigger validates and hashes the corrected row as it does an INSERT.
//
// capi.rebase_after_restore() rewrites every row's txid (delivery state restored from another
// cluster). It calls capi.allow_outbox_rebase(true) (owner only too), after which the trigger accepts
// UPDATEs that change txid alone (any other column keeps its value) in that transaction, until
// capi.allow_outbox_rebase(false).
#pragma once

#include <cstdint>

namespace capi::pg {

// True, once, when capi.allow_outbox_correction(outbox_id) was called in the current transaction and
// this row's correction has not been taken yet; the allowance is used up by the call.
bool TakeOutboxCorrection(std::int64_t outbox_id);

// True between capi.allow_outbox_rebase(true) and (false) in the current transaction.
bool OutboxRebaseAllowed();

} // namespace capi::pg
