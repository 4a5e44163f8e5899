#include "core/http/signal_block.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace capi::http {
namespace {

bool IsBlocked(int signal_number) {
	sigset_t current;
	pthread_sigmask(SIG_SETMASK, nullptr, &current);
	return sigismember(&current, signal_number) == 1;
}

TEST(SignalBlock, BlocksEverythingAndRestores) {
	ASSERT_FALSE(IsBlocked(SIGTERM));
	sigset_t only_usr2;
	sigemptyset(&only_usr2);
	sigaddset(&only_usr2, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &only_usr2, nullptr);
	{
		SignalBlock block;
		EXPECT_TRUE(IsBlocked(SIGTERM));
		EXPECT_TRUE(IsBlocked(SIGHUP));
		EXPECT_TRUE(IsBlocked(SIGUSR1));
		EXPECT_TRUE(IsBlocked(SIGINT));
	}
	EXPECT_FALSE(IsBlocked(SIGTERM));
	EXPECT_FALSE(IsBlocked(SIGUSR1));
	EXPECT_TRUE(IsBlocked(SIGUSR2)); // the previous mask, not an empty one
	pthread_sigmask(SIG_UNBLOCK, &only_usr2, nullptr);
}

TEST(SignalBlock, ThreadsStartedUnderItKeepSignalsBlocked) {
	bool term_blocked = false, hup_blocked = false, usr1_blocked = false;
	std::thread worker;
	{
		SignalBlock block;
		worker = std::thread([&] {
			term_blocked = IsBlocked(SIGTERM);
			hup_blocked = IsBlocked(SIGHUP);
			usr1_blocked = IsBlocked(SIGUSR1);
		});
	}
	worker.join();
	EXPECT_TRUE(term_blocked);
	EXPECT_TRUE(hup_blocked);
	EXPECT_TRUE(usr1_blocked);
	EXPECT_FALSE(IsBlocked(SIGTERM));
}

} // namespace
} // namespace capi::http
