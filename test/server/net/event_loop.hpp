// A single-threaded epoll loop: accepts connections on one loopback listening socket, drives the
// Connections and their reply timers, and stops on RequestStop().
#pragma once

#include "server/net/request_handler.hpp"
#include "server/net/tls_context.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace capi::testserver {

class EventLoop {
public:
	// `tls` may be nullptr (plain HTTP). Neither is owned; both must outlive the loop.
	EventLoop(RequestHandler &handler, const TlsContext *tls, size_t max_body_bytes);
	~EventLoop();
	EventLoop(const EventLoop &) = delete;
	EventLoop &operator=(const EventLoop &) = delete;

	// Binds and listens on `host` (a loopback address, IPv4 or IPv6) and `port` (0 = ephemeral).
	// Throws std::runtime_error on failure. Returns the bound port.
	uint16_t Listen(const std::string &host, uint16_t port);

	// Serves until RequestStop(); then closes every connection and the listening socket.
	void Run();

	// Async-signal-safe and thread-safe.
	void RequestStop() noexcept;

private:
	struct State;
	std::unique_ptr<State> state_;
};

// CLOCK_MONOTONIC in milliseconds.
int64_t MonotonicMs();

} // namespace capi::testserver
