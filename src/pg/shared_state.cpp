#include "pg/shared_state.hpp"

#include "pg/postgres_headers.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
#include "port/atomics.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "storage/shmem.h"
}

namespace {

constexpr std::uint32_t kNoWorker = UINT32_MAX;

struct SharedState {
	pg_atomic_uint32 worker_procno; // the worker's PGPROC number, kNoWorker when none
	pg_atomic_uint32 worker_database;
	pg_atomic_uint32 worker_pid;        // for capi.stats; 0 when none
	pg_atomic_uint32 worker_delivering; // 1 while the worker delivers, 0 while it waits
	pg_atomic_uint64 settings_generation;
	// 1 while the worker wants to hear of the next outbox commit: it arms this before each read of
	// new outbox rows, and the first commit after that disarms it and sets the latch. Later commits
	// find it disarmed and send nothing: the worker's next read sees them, as it arms again first.
	pg_atomic_uint32 wake_armed;
};

SharedState *shared_state = nullptr;
bool wake_at_commit = false;
bool settings_changed_at_commit = false;
shmem_startup_hook_type previous_startup_hook = nullptr;
#if PG_VERSION_NUM >= 150000
shmem_request_hook_type previous_request_hook = nullptr;
#endif

void RequestSharedMemory() {
#if PG_VERSION_NUM >= 150000
	if (previous_request_hook != nullptr)
		previous_request_hook();
#endif
	RequestAddinShmemSpace(MAXALIGN(sizeof(SharedState)));
}

void StartupSharedMemory() {
	if (previous_startup_hook != nullptr)
		previous_startup_hook();
	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	bool found = false;
	shared_state = static_cast<SharedState *>(ShmemInitStruct("pg_capi", sizeof(SharedState), &found));
	if (!found) {
		pg_atomic_init_u32(&shared_state->worker_procno, kNoWorker);
		pg_atomic_init_u32(&shared_state->worker_database, InvalidOid);
		pg_atomic_init_u32(&shared_state->worker_pid, 0);
		pg_atomic_init_u32(&shared_state->worker_delivering, 0);
		pg_atomic_init_u64(&shared_state->settings_generation, 0);
		pg_atomic_init_u32(&shared_state->wake_armed, 1);
	}
	LWLockRelease(AddinShmemInitLock);
}

int OwnProcNumber() {
#if PG_VERSION_NUM >= 170000
	return MyProcNumber;
#else
	return MyProc->pgprocno;
#endif
}

// always: settings changed, which the worker must hear of whether it is reading or not. Otherwise only
// the first commit after the worker armed wake_armed sets the latch: on this project's virtual
// machines the signal SetLatch sends to a sleeping worker cost 15 % of a one-row INSERT transaction.
void SetWorkerLatch(bool always) {
	if (shared_state == nullptr)
		return;
	const std::uint32_t procno = pg_atomic_read_u32(&shared_state->worker_procno);
	if (procno == kNoWorker || pg_atomic_read_u32(&shared_state->worker_database) != MyDatabaseId)
		return;
	// The read first: an exchange would write the cache line on every commit. The exchange is a full
	// barrier, so this commit was visible before the worker can arm again and read.
	const bool armed = pg_atomic_read_u32(&shared_state->wake_armed) != 0 &&
	                   pg_atomic_exchange_u32(&shared_state->wake_armed, 0) != 0;
	if (!armed && !always)
		return;
	// A stale number (the worker just exited) only sets some other process's latch: a spurious
	// wake-up, which every latch user tolerates.
	SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

void OnTransactionEnd(XactEvent event, void *) {
	switch (event) {
	case XACT_EVENT_COMMIT:
	case XACT_EVENT_PARALLEL_COMMIT:
		if (settings_changed_at_commit && shared_state != nullptr)
			pg_atomic_fetch_add_u64(&shared_state->settings_generation, 1);
		if (wake_at_commit || settings_changed_at_commit)
			SetWorkerLatch(settings_changed_at_commit);
		wake_at_commit = false;
		settings_changed_at_commit = false;
		break;
	case XACT_EVENT_ABORT:
	case XACT_EVENT_PARALLEL_ABORT:
		wake_at_commit = false;
		settings_changed_at_commit = false;
		break;
	default:
		break;
	}
}

} // namespace

namespace capi::pg {

void InstallSharedState() {
#if PG_VERSION_NUM >= 150000
	previous_request_hook = shmem_request_hook;
	shmem_request_hook = RequestSharedMemory;
#else
	RequestSharedMemory();
#endif
	previous_startup_hook = shmem_startup_hook;
	shmem_startup_hook = StartupSharedMemory;
	RegisterXactCallback(OnTransactionEnd, nullptr);
}

void WakeWorkerAtCommit(bool settings_changed) {
	wake_at_commit = true;
	if (settings_changed)
		settings_changed_at_commit = true;
}

std::uint64_t SettingsGeneration() {
	return shared_state != nullptr ? pg_atomic_read_u64(&shared_state->settings_generation) : 0;
}

void PublishWorker(int database_oid) {
	if (shared_state == nullptr)
		return;
	pg_atomic_write_u32(&shared_state->worker_delivering, 0);
	pg_atomic_write_u32(&shared_state->worker_database, static_cast<std::uint32_t>(database_oid));
	pg_atomic_write_u32(&shared_state->worker_pid, static_cast<std::uint32_t>(MyProcPid));
	pg_atomic_write_u32(&shared_state->worker_procno, static_cast<std::uint32_t>(OwnProcNumber()));
	ArmCommitWakeUp();
}

void ArmCommitWakeUp() {
	if (shared_state == nullptr)
		return;
	// A full barrier: a commit whose callback finds the flag disarmed after this was visible before
	// the read that follows, or it finds it armed and sets the latch.
	pg_atomic_exchange_u32(&shared_state->wake_armed, 1);
}

void WithdrawWorker() {
	if (shared_state == nullptr)
		return;
	pg_atomic_write_u32(&shared_state->worker_procno, kNoWorker);
	pg_atomic_write_u32(&shared_state->worker_delivering, 0);
	pg_atomic_write_u32(&shared_state->worker_pid, 0);
}

void SetWorkerDelivering(bool delivering) {
	if (shared_state == nullptr)
		return;
	pg_atomic_write_u32(&shared_state->worker_delivering, delivering ? 1 : 0);
}

WorkerProcess PublishedWorker() {
	WorkerProcess worker;
	if (shared_state == nullptr)
		return worker;
	const std::uint32_t pid = pg_atomic_read_u32(&shared_state->worker_pid);
	// A number published by a worker that is gone (killed before it could withdraw) is no worker:
	// BackendPidGetProc finds only live processes of the proc array.
	if (pid == 0 || BackendPidGetProc(static_cast<int>(pid)) == nullptr)
		return worker;
	worker.pid = static_cast<int>(pid);
	worker.database_oid = pg_atomic_read_u32(&shared_state->worker_database);
	worker.delivering = pg_atomic_read_u32(&shared_state->worker_delivering) != 0;
	return worker;
}

} // namespace capi::pg
