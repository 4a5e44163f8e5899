// The whole loopback platform server: options -> router (platform handlers, faults, stats,
// recording) behind an HTTP/1.1 (optionally TLS) event loop. Used by the capi_test_server
// program and, in-process, by the unit tests.
#pragma once

#include "server/app/options.hpp"

#include <cstdint>
#include <memory>

namespace capi::testserver {

class Router;
class TlsContext;
class EventLoop;

class TestServer {
public:
	// Loads TLS material and opens the record file; throws std::runtime_error on failure.
	explicit TestServer(const ServerOptions &options);
	~TestServer();
	TestServer(const TestServer &) = delete;
	TestServer &operator=(const TestServer &) = delete;

	// Binds the listening socket and writes the port file. Returns the bound port. Ignores SIGPIPE
	// for the whole process (replies to vanished peers must not kill it).
	uint16_t Start();
	// Serves until RequestStop().
	void Run();
	// Async-signal-safe and thread-safe.
	void RequestStop() noexcept;

	uint16_t port() const { return port_; }
	bool tls() const { return tls_ != nullptr; }

private:
	ServerOptions options_;
	std::unique_ptr<Router> router_;
	std::unique_ptr<TlsContext> tls_;
	std::unique_ptr<EventLoop> loop_;
	uint16_t port_ = 0;
};

} // namespace capi::testserver
