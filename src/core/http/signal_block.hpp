// Blocks every signal on the calling thread for the lifetime of the guard.
//
// libcurl's threaded resolver starts threads inside calls such as curl_multi_socket_action. A new
// thread inherits the creating thread's signal mask, so creating it under this guard keeps
// PostgreSQL's signal handlers on the backend's main thread. Signals that arrive meanwhile stay
// pending and are delivered to the main thread when the guard restores the previous mask.
#pragma once

#include <pthread.h>
#include <signal.h>

namespace capi::http {

class SignalBlock {
public:
	SignalBlock() noexcept {
		sigset_t all;
		sigfillset(&all);
		pthread_sigmask(SIG_BLOCK, &all, &saved_);
	}
	~SignalBlock() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

	SignalBlock(const SignalBlock &) = delete;
	SignalBlock &operator=(const SignalBlock &) = delete;

private:
	sigset_t saved_;
};

} // namespace capi::http

#include "core/cpp_only.hpp"
