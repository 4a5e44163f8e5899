// Whether a statement that skips conflicting rows (INSERT ... ON CONFLICT DO NOTHING) is running in
// this backend. The outbox trigger's dedup audit (pg/duplicate_audit.hpp) needs its index probe only
// then: a duplicate in any other INSERT raises 23505, which rolls the audit row back with it. The
// probe was a tenth of a bulk INSERT's time.
#pragma once

namespace capi::pg {

// From _PG_init, at every load: executor hooks count the running statements that hold an
// ON CONFLICT DO NOTHING (in their main plan or in a WITH clause), and transaction callbacks restore
// the count of statements an error abandoned.
void InstallConflictStatementTracking();

// True while such a statement runs (a nested one counts too), and during the transaction that loaded
// the library, whose running statements were started before the hooks: there it cannot be known, and
// probing is what is always correct. False positives cost a probe; there are no false negatives.
bool ConflictSkippingStatementMayRun();

} // namespace capi::pg
