// The delivery worker's reads and writes of its state tables (capi.cursors, capi.batches,
// capi.event_deliveries) and of capi.outbox. Each function is one short transaction (spi_session);
// nothing here holds a transaction open across network I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/dispatch/event.hpp"
#include "core/dispatch/pipeline.hpp"

namespace capi::pg::worker {

// A row position in the outbox's delivery order (txid, id); txid is xid8 text.
struct Position {
	std::string txid;
	std::int64_t id = 0;
};

struct CursorRow {
	std::string window_start; // pg_snapshot text
	std::string window_end;   // "" = no window open
	std::optional<Position> done;
	std::int64_t paused_until_ms = 0;
	std::string pause_reason;
};

struct DestinationRow {
	std::string name;
	std::string platform;
	bool enabled = true;
	std::string config_json;
	std::string credentials_json;
	std::string endpoint;
	std::string row_version; // xmin of the destinations row: any UPDATE changes it
	CursorRow cursor;
};

struct ClaimedWindowChunk {
	std::int64_t batch_id = 0;
	std::vector<dispatch::OutboxEvent> events;
	Position last;
};

struct ClaimedWindow {
	std::string window_end;                 // the window's end (new when taken now; "" if not ready)
	std::vector<ClaimedWindowChunk> chunks; // in cursor order, each recorded as one batch (lease)
	bool exhausted = false;                 // the window has no rows after the last chunk
};

struct ClaimedRequeue {
	std::vector<dispatch::OutboxEvent> events;
};

// The outcome of a settled chunk, ready to store.
struct ChunkAck {
	bool requeue = false;      // events from capi.event_deliveries, else a window batch
	std::int64_t batch_id = 0; // window batches
	std::string destination;
	dispatch::SettledChunk settled; // with its events (event_rows)
};

// False when the extension is not usable in this database now: absent, being dropped, or at another
// version than this library's (then *waiting_reason says so and what to run; else it is cleared).
bool ExtensionReady(std::string *waiting_reason);

// At worker start, before anything is read: delivery state restored from another cluster is rebased
// (capi.rebase_after_restore()), unless the restore was made in several transactions and may not be
// complete (capi.cluster_identity.rebase_waits): then false, and *waiting_reason says what to run. The
// state read from then on is that of this moment: a later rebase (or restore) makes every transaction
// of the worker throw WorkerDbError, and the worker starts over.
bool PrepareDeliveryState(std::string *waiting_reason);

// At worker start: leases of a previous worker are void (their rows are read again).
void ReleaseStaleLeases();

std::vector<DestinationRow> LoadDestinations();

// Reads the next rows of the window (window_end "" = take a new snapshot as its end) after `after`,
// for destination: up to max_chunks chunks of at most limit events, in one transaction that records
// each chunk as a batch (its lease) and, for a new window, the cursor. No chunks: nothing was written.
ClaimedWindow ClaimWindowChunks(const std::string &destination, const std::string &platform,
                                const std::string &window_start, const std::string &window_end,
                                const std::optional<Position> &after, long limit, int max_chunks);

// Events requeued by capi.retry_failed() that are due, marked in_flight.
ClaimedRequeue ClaimRequeued(const std::string &destination, const std::string &platform, long limit);

// Stores settled chunks and moves cursors, in one transaction. cursor_updates: destination ->
// (window_start, window_end, done) to store.
struct CursorUpdate {
	std::string destination;
	std::string window_start;
	std::string window_end;
	std::optional<Position> done;
};
void StoreOutcomes(const std::vector<ChunkAck> &acks, const std::vector<CursorUpdate> &cursors);

// A batch waiting for a resend: status retrying with attempts and error.
struct RetryNotice {
	bool requeue = false;
	std::int64_t batch_id = 0;
	std::string destination;
	std::vector<std::int64_t> outbox_ids; // requeued events
	dispatch::RetryingChunk retrying;
};
void StoreRetrying(const std::vector<RetryNotice> &notices);

void StorePause(const std::string &destination, std::int64_t paused_until_ms, const std::string &reason,
                const std::string &paused_by);

// capi.failed_retention: marks at most batch_size events that failed longer ago than
// failed_retention_s as 'discarded' (discarded_by 'capi.failed_retention', last_error kept), so that
// their outbox rows can be purged; 0 keeps failed events forever. Returns how many were discarded.
std::int64_t DiscardExpiredFailures(int failed_retention_s, int batch_size);

// Deletes at most batch_size outbox rows older than retention that every destination has handled
// (failed ones stay until retried, corrected or discarded), with their delivery rows; returns how
// many were deleted.
std::int64_t PurgeDelivered(int retention_s, int batch_size);

} // namespace capi::pg::worker
