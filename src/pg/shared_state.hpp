// What the backends and the delivery worker share: only cross-process facts (no pointers,
// handles or descriptors). Backends that commit outbox rows or destination changes set the
// worker's latch; the worker publishes its process number, pid and whether it is delivering (for
// capi.stats); a generation counts settings changes.
#pragma once

#include <cstdint>

namespace capi::pg {

// Called from _PG_init when loaded by shared_preload_libraries: reserves shared memory and
// registers the commit callback.
void InstallSharedState();

// Wake the worker when the current transaction commits (nothing happens on abort), unless an earlier
// commit has woken it since it last read new rows (ArmCommitWakeUp).
// settings_changed: destinations or requeued events changed, so the worker reloads its state; it is
// always woken.
void WakeWorkerAtCommit(bool settings_changed = false);

// Bumped by each commit that changed destinations or requeued events.
std::uint64_t SettingsGeneration();

// For the worker: publish itself (its latch is then the one set), or withdraw on exit.
void PublishWorker(int database_oid);
void WithdrawWorker();

// For the worker, right before it reads outbox rows committed since its last read (a new window):
// the next outbox commit sets its latch. Commits between that one and the next call send nothing
// (one signal per read, not one per commit); the worker's next read sees them.
void ArmCommitWakeUp();

// For the worker: whether it is delivering (the extension is there, at this library's version), or
// waiting (absent, being dropped, another version, after a database error until it starts over).
void SetWorkerDelivering(bool delivering);

// What any backend can learn about the worker: its pid and database (0 when none is published, or
// the published one has exited), and whether it is delivering.
struct WorkerProcess {
	int pid = 0;
	unsigned database_oid = 0;
	bool delivering = false;
};
WorkerProcess PublishedWorker();

} // namespace capi::pg
