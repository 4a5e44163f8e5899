#include "server/app/test_server.hpp"

#include "server/app/router.hpp"
#include "server/net/event_loop.hpp"
#include "server/net/tls_context.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace capi::testserver {
namespace {

void WritePortFile(const std::string &path, uint16_t port) {
	std::string temporary = path + ".tmp";
	FILE *file = std::fopen(temporary.c_str(), "w");
	if (file == nullptr) {
		throw std::runtime_error("cannot write --port-file " + temporary + ": " + std::strerror(errno));
	}
	std::fprintf(file, "%u\n", static_cast<unsigned>(port));
	if (std::fclose(file) != 0 || std::rename(temporary.c_str(), path.c_str()) != 0) {
		throw std::runtime_error("cannot write --port-file " + path + ": " + std::strerror(errno));
	}
}

} // namespace

TestServer::TestServer(const ServerOptions &options) : options_(options) {
	router_ = std::make_unique<Router>(options_);
	if (!options_.tls_cert.empty()) {
		tls_ = std::make_unique<TlsContext>(options_.tls_cert, options_.tls_key);
	}
	loop_ = std::make_unique<EventLoop>(*router_, tls_.get(), options_.max_body_bytes);
}

TestServer::~TestServer() = default;

uint16_t TestServer::Start() {
	std::signal(SIGPIPE, SIG_IGN);
	port_ = loop_->Listen(options_.host, options_.port);
	if (!options_.port_file.empty()) {
		WritePortFile(options_.port_file, port_);
	}
	if (!options_.quiet) {
		std::fprintf(stderr, "capi_test_server: listening on %s://%s:%u\n", tls_ ? "https" : "http",
		             options_.host.c_str(), static_cast<unsigned>(port_));
	}
	return port_;
}

void TestServer::Run() {
	loop_->Run();
}

void TestServer::RequestStop() noexcept {
	loop_->RequestStop();
}

} // namespace capi::testserver
