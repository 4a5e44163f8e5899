// capi_test_server: the loopback stand-in for the ad platforms' endpoints (see test/server/README.md).
#include "server/app/test_server.hpp"

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>
#include <sys/resource.h>

namespace {

capi::testserver::TestServer *g_server = nullptr;

void OnStopSignal(int) {
	if (g_server != nullptr) {
		g_server->RequestStop();
	}
}

// Many concurrent client connections need many descriptors.
void RaiseDescriptorLimit() {
	rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
}

} // namespace

int main(int argc, char **argv) {
	capi::testserver::ServerOptions options;
	std::string message;
	if (!capi::testserver::ParseCommandLine(argc, argv, &options, &message)) {
		bool help = message == capi::testserver::Usage();
		std::fprintf(help ? stdout : stderr, "%s%s", message.c_str(), message.back() == '\n' ? "" : "\n");
		return help ? 0 : 2;
	}
	RaiseDescriptorLimit();
	try {
		capi::testserver::TestServer server(options);
		server.Start();
		g_server = &server;
		struct sigaction action = {};
		action.sa_handler = &OnStopSignal;
		sigemptyset(&action.sa_mask);
		sigaction(SIGTERM, &action, nullptr);
		sigaction(SIGINT, &action, nullptr);
		server.Run();
		g_server = nullptr;
	} catch (const std::exception &e) {
		std::fprintf(stderr, "capi_test_server: %s\n", e.what());
		return 1;
	}
	if (!options.quiet) {
		std::fprintf(stderr, "capi_test_server: stopped\n");
	}
	return 0;
}
