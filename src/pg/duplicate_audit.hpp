// The dedup audit of the outbox INSERT trigger (docs/match-quality.md "Dedup audit"): an INSERT whose
// (event_name, event_id) is already taken is an application's retry. With ON CONFLICT DO NOTHING it
// leaves no trace, so the trigger looks the key up itself and records one row per destination in
// capi.rejected_duplicates. The recording is part of the inserting statement: when the statement
// fails (a plain INSERT of a duplicate raises 23505), it is rolled back with it, so only the silent
// rejections stay counted.
#pragma once

#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/rel.h"
}

namespace capi::pg {

// For the outbox INSERT trigger, outside any live C++ object (it may raise ERROR). event_name and
// event_id are the row's; destinations its text[] as it will be stored (destinations_null: every
// destination). Costs one index probe of outbox_event_key per row while an INSERT ... ON CONFLICT DO
// NOTHING runs (pg/conflict_statements.hpp; none otherwise), and an INSERT only for a duplicate.
// Does nothing where the extension's SQL predates the audit (a new library, ALTER EXTENSION not run).
void AuditDuplicateInsert(Relation outbox, Datum event_name, Datum event_id, Datum destinations,
                          bool destinations_null);

} // namespace capi::pg
