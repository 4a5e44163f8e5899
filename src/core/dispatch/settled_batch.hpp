// What capi.batches says of a settled chunk of the outbox window: a status word that means what it
// says, and errors that never make a delivered batch read as an error.
#pragma once

#include <string>

#include "core/dispatch/pipeline.hpp"

namespace capi::dispatch {

struct SettledBatchRecord {
	// "delivered" (every event sent was accepted), "partial" (some failed, each with its own row),
	// "failed" (every event sent failed) or "skipped" (none was sent, by design: consent, no mapping).
	std::string status;
	std::size_t delivered_events = 0; // accepted by the platform (capi.delivery_counts)
	std::size_t failed_events = 0;    // failed for good
	std::size_t skipped_events = 0;   // not sent by design
	// Why a failed batch failed (its first event's reason; each event's is on its own row); "" otherwise.
	std::string last_error;
	// The last transient error of an earlier attempt (history), "" when every send succeeded first time.
	std::string previous_error;
};

SettledBatchRecord RecordSettledBatch(const SettledChunk &settled);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
