// The delivery worker's reads and writes of its state tables (capi.cursors, capi.batches,
// capi.event_deliveries) and of capi.outbox. Each function is one short transaction (spi_session);
// nothing here holds a transaction open across network I/O.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dispatch/event.hpp"
#include "core/dispatch/pipeline.hpp"
#include "core/outbox/held_chunks.hpp"
#include "core/outbox/stored_pause.hpp"
#include "core/outbox/window_cursor.hpp"

namespace capi::pg::worker {

struct DestinationRow {
	std::string name;
	std::string platform;
	bool enabled = true;
	std::string config_json;
	std::string credentials_json;
	std::string endpoint;
	std::string row_version; // xmin of the destinations row: any UPDATE changes it
};

// A destination with its capi.cursors row, as a (re)start reads them.
struct LoadedDestination {
	DestinationRow row;
	outbox::StoredCursor cursor;
	std::int64_t paused_until_ms = 0;
};

// What a claim of window rows read: the claim as the cursor takes it, and each batch's events.
struct ClaimedWindow {
	outbox::WindowClaim claim;
	std::vector<std::vector<dispatch::OutboxEvent>> batch_events; // claim.batches[i]'s events
};

struct ClaimedRequeue {
	std::vector<dispatch::OutboxEvent> events;
};

// The outcome of a settled chunk, ready to store.
struct ChunkAck {
	outbox::ChunkOrigin origin;
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

// Inside RunTransaction, first in every transaction of the worker: the extension must be there, not
// being dropped (nor rebased: capi.lock_out_worker), at this library's version (it may have been
// dropped and created again at another one), and its delivery state the one the worker started from
// (not restored from another cluster, nor rebased since: the positions in memory would be another
// state's). Throws WorkerDbError otherwise, and the loop starts over from the stored cursors: "not
// available" must never read as "no rows", or a claim that found the extension locked by a DROP that
// is later rolled back would move the cursor past rows it never read.
void RequireDeliveryState();

// At worker start: leases of a previous worker are void (their rows are read again).
void ReleaseStaleLeases();

std::vector<LoadedDestination> LoadDestinations();

// Claims the rows of range (window_end "" = take a new snapshot as its end) for destination: up to
// max_chunks chunks of at most limit events, in one transaction that records each chunk as a batch
// (its lease) and, for a new window, the cursor. No chunks: nothing was written.
ClaimedWindow ClaimWindow(const std::string &destination, const std::string &platform,
                          const outbox::ClaimRange &range, long limit, int max_chunks);

// The batches of the cursor's open window settled beyond its acknowledged prefix (a worker that
// stopped before its prefix reached them delivered them): a new cursor does not claim them again.
std::vector<outbox::SettledRange> SettledBeyondPrefix(const std::string &destination,
                                                      const outbox::StoredCursor &cursor);

// Events requeued by capi.retry_failed() that are due, marked in_flight.
ClaimedRequeue ClaimRequeued(const std::string &destination, const std::string &platform, long limit);

// A destination's capi.cursors row to store.
struct CursorUpdate {
	std::string destination;
	outbox::StoredCursor cursor;
};
// Acknowledges settled chunks and stores the cursors they moved, in one transaction.
void StoreAcknowledgements(const std::vector<ChunkAck> &acks, const std::vector<CursorUpdate> &cursors);

// A chunk waiting for a resend: status retrying with attempts and error.
struct RetryNotice {
	outbox::ChunkOrigin origin;
	std::string destination;
	std::vector<std::int64_t> outbox_ids; // requeued events
	dispatch::RetryingChunk retrying;
};
void StoreRetrying(const std::vector<RetryNotice> &notices);

// paused_by: what paused it (platform, configuration, circuit; empty when it resumed). capi.stats
// reads circuit_open from it.
void StorePause(const std::string &destination, const outbox::PauseChange &pause,
                const std::string &paused_by);

} // namespace capi::pg::worker
