// The delivery worker's loop in its database: reads outbox windows per destination, feeds the
// platform pipelines, sends with one libcurl multi handle, stores outcomes, purges old rows, and
// waits on one WaitEventSet (latch, postmaster death, sockets, timers). Returns on SIGTERM or when
// the database is being dropped. Never lets an exception out (RunDeliveryLoop catches them).
#pragma once

namespace capi::pg::worker {

// Returns 0 after a requested shutdown, 1 after an unexpected error (the launcher restarts the worker).
int RunDeliveryLoop();

} // namespace capi::pg::worker
