// The chunks of events a destination's pipeline holds, numbered for it (DestinationPipeline takes a
// chunk id of the caller's), each with where it came from, which says how its outcome is stored: a
// batch claimed from the window (its capi.batches row, and the window cursor) or events requeued by
// capi.retry_failed() (their capi.event_deliveries rows).
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "core/outbox/window_cursor.hpp"

namespace capi::outbox {

struct ChunkOrigin {
	enum class Kind : std::uint8_t { kWindowBatch, kRequeued };
	Kind kind = Kind::kWindowBatch;
	BatchId batch{}; // kWindowBatch only

	static ChunkOrigin WindowBatch(BatchId batch) { return ChunkOrigin{Kind::kWindowBatch, batch}; }
	static ChunkOrigin Requeued() { return ChunkOrigin{Kind::kRequeued, BatchId{}}; }
	bool requeued() const { return kind == Kind::kRequeued; }
};

class HeldChunks {
public:
	// A new chunk: the id to hand to the pipeline with it.
	std::uint64_t Hold(ChunkOrigin origin);
	// Where a chunk still held came from; nullptr for an id this never gave or already released.
	const ChunkOrigin *Find(std::uint64_t chunk_id) const;
	// A settled chunk: where it came from, and it is forgotten.
	std::optional<ChunkOrigin> Release(std::uint64_t chunk_id);
	std::size_t size() const { return held_.size(); }

private:
	std::uint64_t next_id_ = 1;
	// At most the pipeline's max_in_flight chunks: a vector searched in order beats a map.
	std::vector<std::pair<std::uint64_t, ChunkOrigin>> held_;
};

} // namespace capi::outbox
