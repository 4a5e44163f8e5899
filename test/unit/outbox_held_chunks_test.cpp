// The chunks a pipeline holds: window batches and requeued events get ids of their own (no range of
// ids reserved for either), and each settled chunk says where it came from exactly once.
#include "core/outbox/held_chunks.hpp"

#include <gtest/gtest.h>

namespace capi::outbox {
namespace {

TEST(HeldChunksTest, WindowBatchesAndRequeuedEventsAreToldApart) {
	HeldChunks held;
	const std::uint64_t batch = held.Hold(ChunkOrigin::WindowBatch(BatchId{7}));
	const std::uint64_t requeued = held.Hold(ChunkOrigin::Requeued());
	const std::uint64_t other_batch = held.Hold(ChunkOrigin::WindowBatch(BatchId{8}));
	EXPECT_NE(batch, requeued);
	EXPECT_NE(requeued, other_batch);
	EXPECT_EQ(held.size(), 3u);

	ASSERT_NE(held.Find(requeued), nullptr);
	EXPECT_TRUE(held.Find(requeued)->requeued());
	const std::optional<ChunkOrigin> settled = held.Release(other_batch);
	ASSERT_TRUE(settled);
	EXPECT_FALSE(settled->requeued());
	EXPECT_EQ(settled->batch, BatchId{8});
	EXPECT_FALSE(held.Release(other_batch)); // once
	EXPECT_EQ(held.Find(other_batch), nullptr);
	EXPECT_EQ(held.Find(batch)->batch, BatchId{7});
	EXPECT_TRUE(held.Release(requeued)->requeued());
	EXPECT_EQ(held.size(), 1u);
}

TEST(HeldChunksTest, IdsAreNeverReused) {
	HeldChunks held;
	const std::uint64_t first = held.Hold(ChunkOrigin::Requeued());
	ASSERT_TRUE(held.Release(first));
	EXPECT_NE(held.Hold(ChunkOrigin::Requeued()), first);
	EXPECT_FALSE(held.Release(first));
}

} // namespace
} // namespace capi::outbox
