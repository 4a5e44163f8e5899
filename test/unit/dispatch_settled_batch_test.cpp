// The status and errors capi.batches records for a settled chunk: delivered only when every event
// was, failed when every event failed, partial in between; a delivered batch has no last_error and
// keeps its earlier transient error as history.
#include "core/dispatch/settled_batch.hpp"

#include <gtest/gtest.h>

namespace capi::dispatch {
namespace {

SettledChunk Chunk(std::size_t events, std::size_t failed, std::string last_error = "") {
	SettledChunk settled;
	settled.events = events;
	settled.event_rows.resize(events);
	for (std::size_t i = 0; i < failed; ++i)
		settled.failed.push_back(EventFailure{i, "reason " + std::to_string(i), 1});
	settled.last_error = std::move(last_error);
	return settled;
}

TEST(SettledBatch, EveryEventAcceptedIsDelivered) {
	const SettledBatchRecord record = RecordSettledBatch(Chunk(10, 0));
	EXPECT_EQ(record.status, "delivered");
	EXPECT_EQ(record.last_error, "");
	EXPECT_EQ(record.previous_error, "");
}

TEST(SettledBatch, DeliveredAfterA503KeepsItAsHistoryOnly) {
	const SettledBatchRecord record = RecordSettledBatch(Chunk(10, 0, "HTTP 503: Please retry"));
	EXPECT_EQ(record.status, "delivered");
	EXPECT_EQ(record.last_error, "");
	EXPECT_EQ(record.previous_error, "HTTP 503: Please retry");
}

TEST(SettledBatch, SomeFailedIsPartial) {
	const SettledBatchRecord record = RecordSettledBatch(Chunk(20, 1, "HTTP 500"));
	EXPECT_EQ(record.status, "partial");
	EXPECT_EQ(record.last_error, "");
	EXPECT_EQ(record.previous_error, "HTTP 500");
}

TEST(SettledBatch, EveryEventFailedIsFailedWithTheReason) {
	const SettledBatchRecord record = RecordSettledBatch(Chunk(5, 5, "HTTP 500"));
	EXPECT_EQ(record.status, "failed");
	EXPECT_EQ(record.last_error, "reason 0");
	EXPECT_EQ(record.previous_error, "HTTP 500");
}

TEST(SettledBatch, ASingleFailedEventIsAFailedBatch) {
	EXPECT_EQ(RecordSettledBatch(Chunk(1, 1)).status, "failed");
}

// capi.delivery_counts adds these up: every event of the chunk is exactly one of the three.
TEST(SettledBatch, CountsDeliveredFailedAndSkippedEvents) {
	SettledChunk settled = Chunk(10, 3);
	settled.failed.push_back(EventFailure{7, "no mapping", 0});
	settled.failed.back().skipped = true;
	const SettledBatchRecord record = RecordSettledBatch(settled);
	EXPECT_EQ(record.delivered_events, 6u);
	EXPECT_EQ(record.failed_events, 3u);
	EXPECT_EQ(record.skipped_events, 1u);
	EXPECT_EQ(RecordSettledBatch(Chunk(10, 0)).delivered_events, 10u);
	EXPECT_EQ(RecordSettledBatch(Chunk(5, 5)).delivered_events, 0u);
}

} // namespace
} // namespace capi::dispatch
