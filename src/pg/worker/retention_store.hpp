// The worker's retention: failed events past capi.failed_retention are discarded, and outbox rows
// every destination has handled are purged after capi.delivered_retention, with what refers to them.
// Each function is one short transaction (spi_session), in bounded batches.
#pragma once

#include <cstdint>

namespace capi::pg::worker {

// capi.failed_retention: marks at most batch_size events that failed longer ago than
// failed_retention_s as 'discarded' (discarded_by 'capi.failed_retention', last_error kept), so that
// their outbox rows can be purged; 0 keeps failed events forever. Returns how many were discarded.
std::int64_t DiscardExpiredFailures(int failed_retention_s, int batch_size);

// Deletes at most batch_size outbox rows older than retention that every destination has handled
// (failed ones stay until retried, corrected or discarded), with their delivery rows; returns how
// many were deleted.
std::int64_t PurgeDelivered(int retention_s, int batch_size);

} // namespace capi::pg::worker
