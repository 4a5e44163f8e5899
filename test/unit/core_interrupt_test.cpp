// The core's interrupt poll: loops over input stop with capi::Interrupted when the poll says so, and
// run normally otherwise.
#include "core/interrupt.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "core/error.hpp"
#include "core/identity/identifiers.hpp"
#include "core/identity/user_data.hpp"
#include "core/outbox/identity_bag_builder.hpp"

namespace capi {
namespace {

std::atomic<int> polls{0};
std::atomic<int> interrupt_after{-1}; // the poll says "stop" from this call on; -1: never

bool TestPoll() {
	const int call = polls.fetch_add(1);
	const int after = interrupt_after.load();
	return after >= 0 && call >= after;
}

class InterruptTest : public ::testing::Test {
protected:
	void SetUp() override {
		polls = 0;
		interrupt_after = -1;
		SetInterruptPoll(TestPoll);
	}
	void TearDown() override { SetInterruptPoll(nullptr); }
};

constexpr const char *kIdentifiers =
    R"({"email": ["a@example.com", "b@example.com"], "phone": "+1 650 555 1212", "fbc": "fb.1.1.x"})";

TEST(Interrupt, WithoutAPollNothingIsInterrupted) {
	SetInterruptPoll(nullptr);
	EXPECT_NO_THROW(CheckForInterrupt());
}

TEST_F(InterruptTest, CheckThrowsOnlyWhenThePollSaysSo) {
	EXPECT_NO_THROW(CheckForInterrupt());
	interrupt_after = 0;
	EXPECT_THROW(CheckForInterrupt(), Interrupted);
}

TEST_F(InterruptTest, InterruptedIsNoDataError) {
	interrupt_after = 0;
	try {
		CheckForInterrupt();
		ADD_FAILURE() << "no exception";
	} catch (const Error &) {
		ADD_FAILURE() << "an interrupt must not look like bad input";
	} catch (const Interrupted &) {
	}
}

TEST_F(InterruptTest, UserDataPollsPerValueAndStops) {
	EXPECT_NO_THROW(identity::BuildUserData(std::string_view(kIdentifiers), identity::Platform::kMeta, "US"));
	const int polls_per_call = polls.load();
	EXPECT_GE(polls_per_call, 4); // at least once per value read
	for (int after = 0; after < polls_per_call; ++after) {
		polls = 0;
		interrupt_after = after;
		EXPECT_THROW(identity::BuildUserData(std::string_view(kIdentifiers), identity::Platform::kMeta, "US"),
		             Interrupted)
		    << "poll " << after;
	}
}

TEST_F(InterruptTest, IdentityBagPollsPerValueAndStops) {
	const std::string expected = outbox::BuildIdentityBag(kIdentifiers, "US");
	const int polls_per_call = polls.load();
	EXPECT_GE(polls_per_call, 4);
	for (int after = 0; after < polls_per_call; ++after) {
		polls = 0;
		interrupt_after = after;
		EXPECT_THROW(outbox::BuildIdentityBag(kIdentifiers, "US"), Interrupted) << "poll " << after;
	}
	// The thread's reused builder is fine after an interrupted build.
	interrupt_after = -1;
	EXPECT_EQ(outbox::BuildIdentityBag(kIdentifiers, "US"), expected);
}

TEST_F(InterruptTest, ReadingIdentifiersStops) {
	identity::RawIdentifiers raw;
	interrupt_after = 0;
	EXPECT_THROW(raw.Parse(kIdentifiers), Interrupted);
	EXPECT_THROW(raw.Read(nlohmann::json::parse(kIdentifiers)), Interrupted);
}

} // namespace
} // namespace capi
