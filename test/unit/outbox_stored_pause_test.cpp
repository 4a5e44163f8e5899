// capi.cursors' pause columns follow the pipeline's pause: stored when it starts, cleared when an
// update or the time ends it, written once per change.
#include "core/outbox/stored_pause.hpp"

#include <gtest/gtest.h>

namespace capi::outbox {
namespace {

TEST(StoredPauseTest, ANewPauseIsStoredOnceWithItsReason) {
	StoredPause stored(0);
	EXPECT_FALSE(stored.Observe(false, false, 0, ""));
	const std::optional<PauseChange> change = stored.Observe(true, true, 5000, "invalid token");
	ASSERT_TRUE(change);
	EXPECT_EQ(change->paused_until_ms, 5000);
	EXPECT_EQ(change->reason, "invalid token");
	EXPECT_FALSE(stored.Observe(false, true, 5000, "invalid token"));
}

// 35a3943: a pause whose time ran out stayed in capi.cursors (the pipeline reports a change only
// when it pauses or is updated), so the destination read as paused long after it resumed.
TEST(StoredPauseTest, AnExpiredPauseIsCleared) {
	StoredPause stored(0);
	ASSERT_TRUE(stored.Observe(true, true, 5000, "invalid token"));
	const std::optional<PauseChange> change = stored.Observe(false, false, 5000, "invalid token");
	ASSERT_TRUE(change);
	EXPECT_EQ(change->paused_until_ms, 0);
	EXPECT_EQ(change->reason, "");
	EXPECT_FALSE(stored.Observe(false, false, 5000, "invalid token"));
}

TEST(StoredPauseTest, APauseStoredByAnEarlierWorkerIsClearedOnceOver) {
	StoredPause stored(5000); // read from capi.cursors at start
	EXPECT_FALSE(stored.Observe(false, true, 5000, "invalid token"));
	const std::optional<PauseChange> change = stored.Observe(false, false, 0, "");
	ASSERT_TRUE(change);
	EXPECT_EQ(change->paused_until_ms, 0);
}

TEST(StoredPauseTest, AnUpdateThatEndsAPauseClearsIt) {
	StoredPause stored(0);
	ASSERT_TRUE(stored.Observe(true, true, 5000, "invalid token"));
	const std::optional<PauseChange> change = stored.Observe(true, false, 0, "");
	ASSERT_TRUE(change);
	EXPECT_EQ(change->paused_until_ms, 0);
	EXPECT_FALSE(stored.Observe(true, false, 0, "")); // nothing new to store
}

TEST(StoredPauseTest, ALongerPauseIsStoredAgain) {
	StoredPause stored(0);
	ASSERT_TRUE(stored.Observe(true, true, 5000, "circuit open"));
	const std::optional<PauseChange> change = stored.Observe(true, true, 9000, "circuit open");
	ASSERT_TRUE(change);
	EXPECT_EQ(change->paused_until_ms, 9000);
}

} // namespace
} // namespace capi::outbox
