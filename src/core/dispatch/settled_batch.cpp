#include "core/dispatch/settled_batch.hpp"

#include <algorithm>

namespace capi::dispatch {

SettledBatchRecord RecordSettledBatch(const SettledChunk &settled) {
	SettledBatchRecord record;
	record.previous_error = settled.last_error;
	const std::size_t events = std::max(settled.events, settled.event_rows.size());
	const EventFailure *first_failure = nullptr;
	for (const EventFailure &failure : settled.failed) {
		if (failure.skipped) {
			record.skipped_events++;
		} else {
			record.failed_events++;
			if (first_failure == nullptr)
				first_failure = &failure;
		}
	}
	const std::size_t not_delivered = record.failed_events + record.skipped_events;
	record.delivered_events = events > not_delivered ? events - not_delivered : 0;
	if (events > 0 && record.skipped_events >= events) {
		record.status = "skipped";
	} else if (record.failed_events == 0) {
		record.status = "delivered";
	} else if (record.failed_events + record.skipped_events >= events) {
		record.status = "failed";
		record.last_error = first_failure->reason;
	} else {
		record.status = "partial";
	}
	return record;
}

} // namespace capi::dispatch
