// A non-blocking HTTP client on one persistent libcurl multi handle, driven from the caller's
// event loop.
//
// The caller (the background worker) owns the waiting: it watches the sockets from Watches() and
// the timeout from NextTimeoutMs() together with its own latch, and reports readiness with
// OnSocket() / OnTimeout(). So the worker can react to SIGTERM and SIGHUP in the middle of a
// request. Poll() is a ready-made loop step with poll(2) for tests and benchmarks.
//
// Connections (and HTTP/2 multiplexing over TLS) are reused across requests for the life of the
// Client. TLS peer and host verification are always on. Signals are blocked around the libcurl
// calls that may start resolver threads, so signal handlers only run on the calling thread.
// Single-threaded: every member is called from the same thread.
//
// A worker loop, in outline:
//   client.Submit(request)...                       // throws only for bad URLs / headers
//   while (client.InFlight() + client.Queued() > 0) {
//     if (client.WatchesVersion() != seen) rebuild the wait set from client.Watches();
//     wait for latch | sockets | client.NextTimeoutMs() (-1: no timer);
//     on latch: handle SIGTERM (client.AbortAll()) / SIGHUP;
//     for each ready socket: client.OnSocket(fd, readable, writable);
//     if (client.NextTimeoutMs() == 0) client.OnTimeout();
//     for (Response &r : client.TakeCompleted()) record r;
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/http/request.hpp"

namespace capi::http {

struct ClientOptions {
	std::string version = "0";      // User-Agent: pg_capi/<version>
	std::size_t max_concurrent = 8; // transfers in flight; further Submits wait in a queue
	long max_host_connections = 0;  // connections per host; 0 = max_concurrent
	long connect_timeout_ms = 10000;
	long timeout_ms = 30000;                  // whole transfer, unless the Request says otherwise
	std::string ca_file;                      // PEM bundle of trusted CAs; empty = the system's store
	std::size_t max_body_bytes = 1024 * 1024; // Google Ads echoes every row of a 2,000-row upload
	// Response headers tried in order; the first present is copied into Response::request_id.
	std::vector<std::string> request_id_headers = {"x-fb-trace-id", "x-fb-request-id", "request-id",
	                                               "x-request-id",  "x-tt-logid",      "x-li-uuid"};
};

struct ClientStats {
	std::uint64_t submitted = 0;
	std::uint64_t completed = 0;          // responses produced (including transport errors)
	std::uint64_t aborted = 0;            // dropped by AbortAll or the destructor
	std::uint64_t new_connections = 0;    // connections opened
	std::uint64_t reused_connections = 0; // transfers sent over an already open connection
};

class Client {
public:
	// Throws capi::Error (XX000) when libcurl cannot be initialized, (22023) on bad options.
	explicit Client(ClientOptions options);
	~Client(); // drops every transfer; never throws
	Client(const Client &) = delete;
	Client &operator=(const Client &) = delete;

	// Starts the request now, or queues it while max_concurrent transfers are in flight.
	// Throws capi::Error: 22023 when the URL is not allowed (url.hpp) or a header is not one
	// "Name: value" line; XX000 when libcurl fails.
	void Submit(Request request);

	// The sockets to wait on, sorted by fd, and a number that changes whenever that set (or what
	// is wanted of a socket) changes, so a caller can rebuild its wait set only when needed.
	std::vector<SocketWatch> Watches() const;
	std::uint64_t WatchesVersion() const noexcept;

	// Milliseconds until OnTimeout() is due; 0 = now; -1 = no timer set.
	long NextTimeoutMs() const;

	// Readiness of a socket from Watches(). For errors or hang-up, report readable.
	void OnSocket(int fd, bool readable, bool writable);
	// The NextTimeoutMs() deadline passed (calling it early is harmless).
	void OnTimeout();

	// Finished transfers, in completion order, since the last call.
	std::vector<Response> TakeCompleted();
	bool HasCompleted() const noexcept;

	std::size_t InFlight() const noexcept;
	std::size_t Queued() const noexcept;

	// Drops every in-flight and queued transfer at once, without producing responses (already
	// completed ones stay available to TakeCompleted). For shutdown on SIGTERM.
	void AbortAll();

	// One loop step: waits with poll(2) for the watched sockets or the timer, at most max_wait_ms
	// (0 = do not wait), then dispatches to OnSocket / OnTimeout. Returns early on EINTR.
	void Poll(long max_wait_ms);

	const ClientStats &Stats() const noexcept;

private:
	struct Impl;
	std::unique_ptr<Impl> impl_;
};

} // namespace capi::http

#include "core/cpp_only.hpp"
