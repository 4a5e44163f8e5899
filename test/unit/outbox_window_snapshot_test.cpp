#include "core/outbox/window_snapshot.hpp"

#include <gtest/gtest.h>

namespace capi::outbox {
namespace {

using Xids = std::vector<std::uint64_t>;

TEST(WindowSnapshotTest, ParsesPgSnapshotText) {
	const auto snapshot = ParseWindowSnapshot("729:735:730,733");
	ASSERT_TRUE(snapshot);
	EXPECT_EQ(snapshot->xmin, 729u);
	EXPECT_EQ(snapshot->xmax, 735u);
	EXPECT_EQ(snapshot->in_progress, (Xids{730, 733}));
	const auto idle = ParseWindowSnapshot("735:735:");
	ASSERT_TRUE(idle);
	EXPECT_TRUE(idle->in_progress.empty());
	const auto wide = ParseWindowSnapshot("18446744073709551000:18446744073709551615:18446744073709551001");
	ASSERT_TRUE(wide);
	EXPECT_EQ(wide->in_progress, (Xids{18446744073709551001u}));
}

TEST(WindowSnapshotTest, RefusesWhatIsNotASnapshot) {
	for (const char *text :
	     {"", "735", "735:735", "736:735:", "729:735:740", "729:735:728", "729:735:733,730",
	      "729:735:730,730", "729:735:730,", "729:735:,730", "x:735:", "729:7x5:", "-1:735:", "729:735: 730",
	      "729:735:730;733", "729:18446744073709551616:"})
		EXPECT_FALSE(ParseWindowSnapshot(text)) << text;
}

TEST(WindowSnapshotTest, LateCommittersAreThoseRunningAtStartButNotAtEnd) {
	const auto start = ParseWindowSnapshot("100:110:100,103,105,108");
	const auto end = ParseWindowSnapshot("103:130:103,108,120");
	ASSERT_TRUE(start && end);
	// 103 and 108 still run at end (a long bulk INSERT): their rows are not in the window.
	EXPECT_EQ(LateCommitters(*start, *end), (Xids{100, 105}));
	EXPECT_EQ(LateCommitters(*start, *start), Xids{});
	const auto idle = ParseWindowSnapshot("130:130:");
	EXPECT_EQ(LateCommitters(*start, *idle), (Xids{100, 103, 105, 108}));
	EXPECT_EQ(LateCommitters(*idle, *end), Xids{});
}

TEST(WindowSnapshotTest, XidArrayLiteral) {
	EXPECT_EQ(XidArrayLiteral({}), "{}");
	EXPECT_EQ(XidArrayLiteral({7}), "{7}");
	EXPECT_EQ(XidArrayLiteral({7, 18446744073709551615u}), "{7,18446744073709551615}");
}

} // namespace
} // namespace capi::outbox
