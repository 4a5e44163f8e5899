// The two scans of a window claim merged in cursor order: rows of late committers (transactions
// running at the window's start that committed later with lower xids) are placed where they belong,
// and a scan cut short by the read budget bounds the result so that no row is skipped.
#include "core/outbox/window_rows.hpp"

#include <gtest/gtest.h>

namespace capi::outbox {
namespace {

WindowRows Rows(std::vector<OutboxPosition> positions, bool truncated = false) {
	WindowRows rows;
	for (const OutboxPosition &position : positions) {
		dispatch::OutboxEvent event;
		event.outbox_id = position.id;
		event.event_id = "e" + std::to_string(position.id);
		rows.events.push_back(std::move(event));
		rows.txids.push_back(position.txid);
	}
	rows.truncated = truncated;
	return rows;
}

std::vector<OutboxPosition> Positions(const WindowRows &rows) {
	std::vector<OutboxPosition> positions;
	for (std::size_t row = 0; row < rows.events.size(); ++row) {
		positions.push_back(rows.PositionOf(row));
		EXPECT_EQ(rows.events[row].event_id, "e" + std::to_string(rows.events[row].outbox_id));
	}
	return positions;
}

using P = OutboxPosition;

TEST(WindowRowsTest, LateCommittersAreMergedInCursorOrder) {
	// The range scan from xmax(start) = 110; xids 105 and 112 committed late (105 below the range).
	const WindowRows merged = MergeInCursorOrder(Rows({{110, 7}, {111, 3}, {113, 1}}),
	                                             Rows({{105, 900}, {105, 901}, {112, 950}}), 10);
	EXPECT_EQ(Positions(merged),
	          (std::vector<P>{{105, 900}, {105, 901}, {110, 7}, {111, 3}, {112, 950}, {113, 1}}));
	EXPECT_FALSE(merged.truncated);
	EXPECT_FALSE(ReachedWindowEnd(merged, 6));
	EXPECT_TRUE(ReachedWindowEnd(merged, 7));
}

TEST(WindowRowsTest, TheMergeStopsAtTheLimit) {
	const WindowRows merged = MergeInCursorOrder(Rows({{110, 7}, {111, 3}}), Rows({{105, 900}}), 2);
	EXPECT_EQ(Positions(merged), (std::vector<P>{{105, 900}, {110, 7}}));
	EXPECT_FALSE(ReachedWindowEnd(merged, 2)); // a full read: the window may have more
}

TEST(WindowRowsTest, NoLateRowsLeavesTheRangeScanAsItIs) {
	const WindowRows merged = MergeInCursorOrder(Rows({{110, 7}, {111, 3}}), Rows({}), 10);
	EXPECT_EQ(Positions(merged), (std::vector<P>{{110, 7}, {111, 3}}));
	EXPECT_TRUE(ReachedWindowEnd(merged, 10));
	EXPECT_TRUE(ReachedWindowEnd(Rows({}), 10));
}

// The budget stopped the range scan after (111, 3): rows after it are unread, so a late row after
// it must wait for the next claim, which starts after the last row taken.
TEST(WindowRowsTest, ATruncatedRangeScanBoundsTheLateRows) {
	const WindowRows merged =
	    MergeInCursorOrder(Rows({{110, 7}, {111, 3}}, true), Rows({{105, 900}, {112, 950}}), 10);
	EXPECT_EQ(Positions(merged), (std::vector<P>{{105, 900}, {110, 7}, {111, 3}}));
	EXPECT_TRUE(merged.truncated);
	EXPECT_FALSE(ReachedWindowEnd(merged, 10)); // cut short: not the window's end
}

TEST(WindowRowsTest, ATruncatedLateScanBoundsTheRangeRows) {
	const WindowRows merged =
	    MergeInCursorOrder(Rows({{110, 7}, {111, 3}}), Rows({{105, 900}, {105, 901}}, true), 10);
	EXPECT_EQ(Positions(merged), (std::vector<P>{{105, 900}, {105, 901}}));
	EXPECT_TRUE(merged.truncated);
	EXPECT_FALSE(ReachedWindowEnd(merged, 10));
}

TEST(WindowRowsTest, AnEmptyTruncatedScanBoundsNothingButIsNotTheEnd) {
	const WindowRows merged = MergeInCursorOrder(Rows({{110, 7}}), Rows({}, true), 10);
	EXPECT_EQ(Positions(merged), (std::vector<P>{{110, 7}}));
	EXPECT_FALSE(ReachedWindowEnd(merged, 10));
}

} // namespace
} // namespace capi::outbox

namespace capi::outbox {
namespace {

TEST(WindowRowsTest, RowsOfSettledRangesAreDroppedOthersKeptInOrder) {
	WindowRows rows = Rows({P{10, 1}, P{10, 2}, P{11, 3}, P{12, 4}, P{12, 5}, P{13, 6}, P{14, 7}});
	const std::size_t dropped =
	    DropSettledRows(rows, {SettledRange{P{10, 2}, P{11, 3}}, SettledRange{P{12, 5}, P{13, 6}}});
	EXPECT_EQ(dropped, 4u);
	EXPECT_EQ(Positions(rows), (std::vector<P>{P{10, 1}, P{12, 4}, P{14, 7}}));
}

TEST(WindowRowsTest, NoSettledRangeDropsNothing) {
	WindowRows rows = Rows({P{10, 1}, P{11, 3}});
	EXPECT_EQ(DropSettledRows(rows, {}), 0u);
	EXPECT_EQ(DropSettledRows(rows, {SettledRange{P{12, 1}, P{13, 1}}}), 0u);
	EXPECT_EQ(Positions(rows), (std::vector<P>{P{10, 1}, P{11, 3}}));
}

TEST(WindowRowsTest, ARangeCoveringEveryRowDropsThemAll) {
	WindowRows rows = Rows({P{10, 1}, P{11, 3}});
	EXPECT_EQ(DropSettledRows(rows, {SettledRange{P{9, 1}, P{11, 3}}}), 2u);
	EXPECT_TRUE(rows.events.empty());
	EXPECT_TRUE(rows.txids.empty());
}

} // namespace
} // namespace capi::outbox
