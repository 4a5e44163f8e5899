// The delivery worker's processes: a launcher (connected to no database) that starts one delivery
// worker in the database named by capi.database, and restarts it when it stops or the setting
// changes. Both start only once recovery has finished: a standby sends nothing.
#pragma once

namespace capi::pg::worker {

// From _PG_init under shared_preload_libraries.
void RegisterLauncher();

} // namespace capi::pg::worker
