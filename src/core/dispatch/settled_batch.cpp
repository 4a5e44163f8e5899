#include "core/dispatch/settled_batch.hpp"

#include <algorithm>

namespace capi::dispatch {

SettledBatchRecord RecordSettledBatch(const SettledChunk &settled) {
	SettledBatchRecord record;
	record.previous_error = settled.last_error;
	const std::size_t events = std::max(settled.events, settled.event_rows.size());
	if (settled.failed.empty()) {
		record.status = "delivered";
	} else if (settled.failed.size() >= events) {
		record.status = "failed";
		record.last_error = settled.failed.front().reason;
	} else {
		record.status = "partial";
	}
	return record;
}

} // namespace capi::dispatch
