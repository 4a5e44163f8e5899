// The worker's one wait: its latch, postmaster death, and the sockets libcurl wants watched, in a
// PostgreSQL WaitEventSet (epoll on Linux), rebuilt only when libcurl's interest changes.
#pragma once

#include <cstdint>
#include <vector>

#include "core/http/request.hpp"

namespace capi::pg::worker {

struct SocketReady {
	int fd = -1;
	bool readable = false;
	bool writable = false;
};

struct WaitResult {
	bool latch_set = false;
	std::vector<SocketReady> sockets;
};

class WaitSet {
public:
	WaitSet() = default;
	~WaitSet();
	WaitSet(const WaitSet &) = delete;
	WaitSet &operator=(const WaitSet &) = delete;

	// Rebuilds the set when version differs from the one it was built for.
	void Watch(const std::vector<http::SocketWatch> &watches, std::uint64_t version);
	// Waits at most timeout_ms (-1 = no limit). Exits the process if the postmaster died.
	WaitResult Wait(long timeout_ms);

private:
	// Frees the set, if any, and forgets it first (so never twice); the next Watch rebuilds it.
	void Free();

	void *set_ = nullptr; // WaitEventSet *
	std::uint64_t version_ = UINT64_MAX;
};

} // namespace capi::pg::worker
