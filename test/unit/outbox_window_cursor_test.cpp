// The window cursor: what a destination claims next, what capi.cursors stores as batches are
// acknowledged, when a window completes, and where a restart resumes. Every row claimed is either
// acknowledged before the stored position passes it or claimed again after a restart: nothing is
// skipped.
#include "core/outbox/window_cursor.hpp"

#include <gtest/gtest.h>

namespace capi::outbox {
namespace {

constexpr const char *kStart = "100:110:105";
constexpr const char *kEnd = "120:120:";
constexpr const char *kNextEnd = "130:130:";

OutboxPosition At(std::uint64_t txid, std::int64_t id) {
	return OutboxPosition{txid, id};
}

WindowClaim Claim(std::string end, std::vector<ClaimedBatch> batches, bool exhausted) {
	return WindowClaim{std::move(end), std::move(batches), exhausted};
}

// A cursor with a new window of `batches` claimed (not read to its end).
WindowCursor Opened(const std::vector<ClaimedBatch> &batches) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt});
	EXPECT_TRUE(cursor.NextClaim());
	cursor.Claimed(Claim(kEnd, batches, false));
	return cursor;
}

TEST(WindowCursorTest, ANewWindowIsClaimedFromItsFirstRowWhenRowsMayHaveCommitted) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt});
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_start, kStart);
	EXPECT_EQ(range->window_end, ""); // the claim takes its own snapshot as the end
	EXPECT_FALSE(range->after);
}

TEST(WindowCursorTest, AnEmptyNewWindowMovesTheStartAndWaitsForTheNextCommit) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(Claim(kEnd, {}, true));
	EXPECT_FALSE(cursor.MayHaveRows());
	EXPECT_FALSE(cursor.NextClaim());
	// Stored only with the next flush: an idle destination writes at most once per flush.
	EXPECT_TRUE(cursor.ChangePending());
	EXPECT_FALSE(cursor.TakeChange(false));
	EXPECT_EQ(cursor.TakeChange(true), (StoredCursor{kEnd, "", std::nullopt}));
	EXPECT_FALSE(cursor.TakeChange(true));
	cursor.NoteNewRows();
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_start, kEnd);
}

TEST(WindowCursorTest, ClaimsContinueAfterTheLastRowClaimed) {
	WindowCursor cursor = Opened({{BatchId{1}, At(111, 10)}, {BatchId{2}, At(112, 20)}});
	EXPECT_TRUE(cursor.WindowOpen());
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_start, kStart);
	EXPECT_EQ(range->window_end, kEnd);
	EXPECT_EQ(range->after, At(112, 20));
	EXPECT_EQ(cursor.unacknowledged_batches(), 2u);
}

TEST(WindowCursorTest, TheStoredPositionIsTheLongestAcknowledgedPrefix) {
	WindowCursor cursor =
	    Opened({{BatchId{1}, At(111, 10)}, {BatchId{2}, At(112, 20)}, {BatchId{3}, At(113, 30)}});
	cursor.Acknowledge(BatchId{2}); // settled before the first: the prefix does not move
	EXPECT_FALSE(cursor.TakeChange(true));
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kStart, kEnd, At(112, 20)}));
	EXPECT_FALSE(cursor.TakeChange(false));
	EXPECT_EQ(cursor.unacknowledged_batches(), 1u);
}

// Rows of a transaction that was running at the window's start and committed later come first in
// (txid, id) order though their ids are higher: the position orders by txid, then id.
TEST(WindowCursorTest, ALateCommittersRowsPrecedeLaterXidsWithLowerIds) {
	EXPECT_LT(At(105, 900), At(110, 50));
	EXPECT_LT(At(110, 50), At(110, 51));
	EXPECT_FALSE(At(110, 51) < At(110, 51));
	WindowCursor cursor = Opened({{BatchId{1}, At(105, 900)}, {BatchId{2}, At(110, 50)}});
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kStart, kEnd, At(105, 900)}));
	EXPECT_EQ(cursor.NextClaim()->after, At(110, 50));
}

TEST(WindowCursorTest, AWindowReadToItsEndCompletesWhenItsLastBatchIsAcknowledged) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(Claim(kEnd, {{BatchId{1}, At(111, 10)}, {BatchId{2}, At(112, 20)}}, true));
	EXPECT_FALSE(cursor.MayHaveRows()); // a short read: no claim that would find nothing
	cursor.Acknowledge(BatchId{2});
	EXPECT_TRUE(cursor.WindowOpen()); // batch 1 is still out: its rows are not handled
	EXPECT_FALSE(cursor.TakeChange(true));
	cursor.Acknowledge(BatchId{1});
	EXPECT_FALSE(cursor.WindowOpen());
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kEnd, "", std::nullopt}));
	EXPECT_FALSE(cursor.MayHaveRows());
	cursor.NoteNewRows();
	EXPECT_EQ(cursor.NextClaim()->window_start, kEnd);
}

TEST(WindowCursorTest, AClaimFindingNothingCompletesAnAcknowledgedWindowAtOnce) {
	WindowCursor cursor = Opened({{BatchId{1}, At(111, 10)}});
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kStart, kEnd, At(111, 10)}));
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(Claim(kEnd, {}, true));
	EXPECT_FALSE(cursor.WindowOpen());
	// Stored at the next flush, or with the next acknowledgement.
	EXPECT_FALSE(cursor.TakeChange(false));
	EXPECT_EQ(cursor.TakeChange(true), (StoredCursor{kEnd, "", std::nullopt}));
}

TEST(WindowCursorTest, AClaimFindingNothingLeavesTheWindowOpenWhileABatchIsOut) {
	WindowCursor cursor = Opened({{BatchId{1}, At(111, 10)}});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(Claim(kEnd, {}, true));
	EXPECT_TRUE(cursor.WindowOpen());
	EXPECT_FALSE(cursor.MayHaveRows());
	EXPECT_FALSE(cursor.TakeChange(true));
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kEnd, "", std::nullopt}));
}

// ed1f1d9: a claim that could not read (the extension locked by a DROP EXTENSION that was then
// rolled back) came back empty and was taken for the window's end: the window completed with rows
// never read, and they were never delivered. A claim ends a window only when it says it read it
// to its end.
TEST(WindowCursorTest, AClaimThatReadNothingIsNotTheWindowsEnd) {
	WindowCursor cursor = Opened({{BatchId{1}, At(111, 10)}});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(WindowClaim{}); // no end, no rows, not exhausted
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(true), (StoredCursor{kStart, kEnd, At(111, 10)}));
	EXPECT_TRUE(cursor.WindowOpen());
	EXPECT_TRUE(cursor.MayHaveRows());
	const std::optional<ClaimRange> range = cursor.NextClaim(); // the unread rows, again
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_end, kEnd);
	EXPECT_EQ(range->after, At(111, 10));
}

TEST(WindowCursorTest, AClaimThatReadNothingDoesNotMoveANewWindowsStart) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(WindowClaim{});
	EXPECT_FALSE(cursor.ChangePending());
	EXPECT_FALSE(cursor.TakeChange(true));
	cursor.NoteNewRows();
	EXPECT_EQ(cursor.NextClaim()->window_start, kStart);
	// Nor does a claim that read it all and found that the window is the one already handled.
	cursor.Claimed(Claim(kStart, {}, true));
	EXPECT_FALSE(cursor.TakeChange(true));
}

// A restart (worker start, or any database error: the loop forgets its state) resumes from
// capi.cursors: every batch not acknowledged is claimed again (its lease was abandoned).
TEST(WindowCursorTest, ARestartClaimsAgainEveryRowNotAcknowledged) {
	WindowCursor before =
	    Opened({{BatchId{1}, At(111, 10)}, {BatchId{2}, At(112, 20)}, {BatchId{3}, At(113, 30)}});
	before.Acknowledge(BatchId{1});
	before.Acknowledge(BatchId{3});
	const std::optional<StoredCursor> stored = before.TakeChange(false);
	ASSERT_TRUE(stored);
	EXPECT_EQ(*stored, (StoredCursor{kStart, kEnd, At(111, 10)}));

	WindowCursor after(*stored);
	EXPECT_TRUE(after.WindowOpen());
	EXPECT_EQ(after.unacknowledged_batches(), 0u);
	const std::optional<ClaimRange> range = after.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_start, kStart);
	EXPECT_EQ(range->window_end, kEnd);
	EXPECT_EQ(range->after, At(111, 10)); // batches 2 and 3 are read again
	after.Claimed(Claim(kEnd, {{BatchId{4}, At(113, 30)}}, true));
	after.Acknowledge(BatchId{4});
	EXPECT_EQ(after.TakeChange(false), (StoredCursor{kEnd, "", std::nullopt}));
}

TEST(WindowCursorTest, ARestartInAWindowWithNothingAcknowledgedReadsItFromTheStart) {
	WindowCursor cursor(StoredCursor{kStart, kEnd, std::nullopt});
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_end, kEnd);
	EXPECT_FALSE(range->after);
}

TEST(WindowCursorTest, ARestartWithNoWindowOpenIgnoresAStalePosition) {
	WindowCursor cursor(StoredCursor{kStart, "", At(111, 10)});
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_FALSE(range->after);
	cursor.Claimed(Claim(kNextEnd, {{BatchId{1}, At(121, 5)}}, true));
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kNextEnd, "", std::nullopt}));
}

TEST(WindowCursorTest, AcknowledgingABatchOfNoWindowChangesNothing) {
	WindowCursor cursor = Opened({{BatchId{1}, At(111, 10)}});
	cursor.Acknowledge(BatchId{99});
	EXPECT_FALSE(cursor.TakeChange(true));
	EXPECT_EQ(cursor.unacknowledged_batches(), 1u);
}

TEST(WindowCursorTest, ConsecutiveWindowsEachCompleteOnlyWhenHandled) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(Claim(kEnd, {{BatchId{1}, At(111, 10)}}, true));
	cursor.NoteNewRows(); // a commit while the window is out: not claimed before it completes
	EXPECT_FALSE(cursor.NextClaim());
	cursor.Acknowledge(BatchId{1});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kEnd, "", std::nullopt}));
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->window_start, kEnd);
	cursor.Claimed(Claim(kNextEnd, {{BatchId{2}, At(125, 40)}}, false));
	cursor.Acknowledge(BatchId{2});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kEnd, kNextEnd, At(125, 40)}));
}

} // namespace
} // namespace capi::outbox

namespace capi::outbox {
namespace {

// What a claim of an open window after a restart read: `batches` made of the rows it kept, the rows
// read up to `read_up_to` (including those it dropped as settled before the restart).
WindowClaim ClaimRead(std::vector<ClaimedBatch> batches, OutboxPosition read_up_to, bool exhausted) {
	WindowClaim claim{kEnd, std::move(batches), exhausted};
	claim.read_up_to = read_up_to;
	return claim;
}

// A crash after batches 2 and 3 were delivered but before 1 was: the stored prefix is the window's
// start, and only batch 1's rows are claimed again (issue 14: the soak found every later batch resent).
TEST(WindowCursorTest, ARestartSkipsTheBatchesSettledBeyondTheStoredPrefix) {
	WindowCursor cursor(StoredCursor{kStart, kEnd, std::nullopt},
	                    {SettledRange{At(112, 11), At(112, 20)}, SettledRange{At(113, 21), At(113, 30)}});
	std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_FALSE(range->after);
	ASSERT_EQ(range->settled.size(), 2u); // the claim drops their rows
	EXPECT_EQ(range->settled[0].first, At(112, 11));
	// Batch 1's rows again (up to 111:10), and the rows of both settled batches read and dropped.
	cursor.Claimed(ClaimRead({{BatchId{4}, At(111, 10)}}, At(113, 30), false));
	EXPECT_FALSE(cursor.TakeChange(true)); // batch 4 is not acknowledged: nothing moves
	range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->after, At(113, 30)); // not the settled rows again
	cursor.Acknowledge(BatchId{4});
	// The prefix passes batch 4 and both settled ranges: a second crash resends nothing of them.
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kStart, kEnd, At(113, 30)}));
	EXPECT_TRUE(cursor.settled_ahead().empty());
	cursor.Claimed(ClaimRead({}, At(113, 30), true));
	EXPECT_EQ(cursor.TakeChange(true), (StoredCursor{kEnd, "", std::nullopt}));
}

TEST(WindowCursorTest, ASettledRangeCountsOnlyOnceItsRowsHaveBeenRead) {
	WindowCursor cursor(StoredCursor{kStart, kEnd, At(111, 10)}, {SettledRange{At(112, 11), At(113, 30)}});
	ASSERT_TRUE(cursor.NextClaim());
	// The claim's limit stopped inside the range: its rows up to 112:20 were dropped, the rest unread.
	cursor.Claimed(ClaimRead({}, At(112, 20), false));
	EXPECT_FALSE(cursor.TakeChange(true));
	std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_EQ(range->after, At(112, 20));
	cursor.Claimed(ClaimRead({{BatchId{5}, At(114, 40)}}, At(114, 40), false));
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kStart, kEnd, At(113, 30)}));
	cursor.Acknowledge(BatchId{5});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kStart, kEnd, At(114, 40)}));
}

TEST(WindowCursorTest, ASettledRangeWaitsForTheUnsettledRowsBeforeIt) {
	WindowCursor cursor(StoredCursor{kStart, kEnd, std::nullopt}, {SettledRange{At(113, 21), At(113, 30)}});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(ClaimRead({{BatchId{1}, At(111, 10)}, {BatchId{2}, At(112, 20)}}, At(113, 30), true));
	cursor.Acknowledge(BatchId{2});
	EXPECT_FALSE(cursor.TakeChange(true)); // batch 1 is still out
	cursor.Acknowledge(BatchId{1});
	// Batches 1 and 2, the settled range, and the window's end: complete.
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kEnd, "", std::nullopt}));
}

TEST(WindowCursorTest, AWindowReadToItsEndCompletesOverSettledRowsNoLongerThere) {
	// The settled batch's rows were purged: no claim reads up to its last row.
	WindowCursor cursor(StoredCursor{kStart, kEnd, At(111, 10)}, {SettledRange{At(112, 11), At(112, 20)}});
	ASSERT_TRUE(cursor.NextClaim());
	cursor.Claimed(WindowClaim{kEnd, {}, true});
	EXPECT_EQ(cursor.TakeChange(false), (StoredCursor{kEnd, "", std::nullopt}));
}

TEST(WindowCursorTest, SettledRangesAtOrBeforeThePrefixOrOverlappingAreIgnored) {
	WindowCursor cursor(StoredCursor{kStart, kEnd, At(112, 20)},
	                    {SettledRange{At(111, 1), At(112, 20)}, SettledRange{At(113, 21), At(113, 30)},
	                     SettledRange{At(113, 25), At(114, 40)}, SettledRange{At(115, 50), At(115, 45)}});
	ASSERT_EQ(cursor.settled_ahead().size(), 1u);
	EXPECT_EQ(cursor.settled_ahead().front().first, At(113, 21));
}

TEST(WindowCursorTest, ANewWindowHasNoSettledRanges) {
	WindowCursor cursor(StoredCursor{kStart, "", std::nullopt}, {SettledRange{At(112, 11), At(112, 20)}});
	EXPECT_TRUE(cursor.settled_ahead().empty());
	const std::optional<ClaimRange> range = cursor.NextClaim();
	ASSERT_TRUE(range);
	EXPECT_TRUE(range->settled.empty());
}

} // namespace
} // namespace capi::outbox
