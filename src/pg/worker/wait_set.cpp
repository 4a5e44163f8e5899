#include "pg/worker/wait_set.hpp"

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/latch.h"
#include "storage/procsignal.h"
}

namespace capi::pg::worker {
namespace {

WaitEventSet *AsSet(void *set) {
	return static_cast<WaitEventSet *>(set);
}

} // namespace

// FreeWaitEventSet closes the epoll descriptor and pfrees the set; it raises no error in the
// releases we build for, but it is PostgreSQL code, so it runs under PgCall like any other call. A
// destructor cannot throw: should it ever fail, the set is leaked rather than the process ended.
WaitSet::~WaitSet() {
	try {
		Free();
	} catch (...) {
	}
}

void WaitSet::Free() {
	void *set = set_;
	set_ = nullptr; // before the call: whatever happens below, this set is never freed twice
	version_ = UINT64_MAX;
	if (set != nullptr)
		PgCall([&] { FreeWaitEventSet(AsSet(set)); });
}

void WaitSet::Watch(const std::vector<http::SocketWatch> &watches, std::uint64_t version) {
	if (set_ != nullptr && version == version_)
		return;
	const int count = static_cast<int>(watches.size());
	const http::SocketWatch *items = watches.data();
	Free();
	PgCall([&] {
#if PG_VERSION_NUM >= 170000
		WaitEventSet *set = CreateWaitEventSet(nullptr, count + 2);
#else
		WaitEventSet *set = CreateWaitEventSet(TopMemoryContext, count + 2);
#endif
		// Owned from here: should an AddWaitEventToSet fail, the half-built set (and its epoll
		// descriptor) is freed once, by the next Watch or the destructor, and rebuilt.
		set_ = set;
		AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, nullptr);
		AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, nullptr, nullptr);
		for (int i = 0; i < count; i++) {
			uint32 events = (items[i].want_read ? WL_SOCKET_READABLE : 0) |
			                (items[i].want_write ? WL_SOCKET_WRITEABLE : 0);
			if (events != 0)
				AddWaitEventToSet(set, events, items[i].fd, nullptr, nullptr);
		}
	});
	version_ = version;
}

WaitResult WaitSet::Wait(long timeout_ms) {
	WaitResult result;
	constexpr int kMaxEvents = 64;
	WaitEvent occurred[kMaxEvents];
	int fired = 0;
	void *set = set_;
	PgCall(
	    [&] { fired = WaitEventSetWait(AsSet(set), timeout_ms, occurred, kMaxEvents, PG_WAIT_EXTENSION); });
	for (int i = 0; i < fired; i++) {
		const WaitEvent &event = occurred[i];
		if (event.events & WL_LATCH_SET) {
			result.latch_set = true;
			continue;
		}
		if (event.events & (WL_SOCKET_READABLE | WL_SOCKET_WRITEABLE)) {
			SocketReady ready;
			ready.fd = event.fd;
			ready.readable = (event.events & WL_SOCKET_READABLE) != 0;
			ready.writable = (event.events & WL_SOCKET_WRITEABLE) != 0;
			result.sockets.push_back(ready);
		}
	}
	PgCall([&] {
		if (result.latch_set)
			ResetLatch(MyLatch);
		// DROP DATABASE, DROP TABLESPACE and others wait until every process absorbs their barrier.
		if (ProcSignalBarrierPending)
			ProcessProcSignalBarrier();
	});
	return result;
}

} // namespace capi::pg::worker
