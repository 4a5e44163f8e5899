// What keeps pg_capi from delivering in this database, said where a DBA looks: a WARNING at CREATE
// EXTENSION / ALTER EXTENSION UPDATE, and capi.setup_warnings() for monitoring. Without the preload
// the worker never runs; in a database other than capi.database nothing reads the outbox.
#pragma once

namespace capi::pg {

// Called by _PG_init while shared_preload_libraries is being processed.
void NoteLoadedByPreload();

} // namespace capi::pg
