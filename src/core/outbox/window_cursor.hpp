// A destination's place in the outbox, as the delivery protocol moves it (docs/architecture.md,
// "Delivery"): claim the rows of the window after the last row claimed, each chunk recorded as a
// batch (its lease); send them; acknowledge each batch once it is settled. What is stored
// (capi.cursors) is the window and the longest acknowledged prefix of it, so that a restart reads
// again every row not acknowledged; the window completes (its end becomes the next window's start)
// only when a claim read it to its end and every batch claimed from it is acknowledged.
// No PostgreSQL and no I/O: the worker's glue runs the claims and stores what this says.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace capi::outbox {

// A row's place in the outbox's delivery order: (txid, id), the order of the index outbox_txid_id.
struct OutboxPosition {
	std::uint64_t txid = 0;
	std::int64_t id = 0;

	friend bool operator<(const OutboxPosition &a, const OutboxPosition &b) {
		return std::tie(a.txid, a.id) < std::tie(b.txid, b.id);
	}
	friend bool operator==(const OutboxPosition &a, const OutboxPosition &b) {
		return a.txid == b.txid && a.id == b.id;
	}
};

// A capi.batches id: the lease of one claimed chunk of a window.
enum class BatchId : std::int64_t {};

// A destination's row of capi.cursors (its position columns).
struct StoredCursor {
	std::string window_start;           // pg_snapshot text: every row visible in it is handled
	std::string window_end;             // the window being delivered; "" = none open
	std::optional<OutboxPosition> done; // the acknowledged prefix of the open window ends here

	friend bool operator==(const StoredCursor &a, const StoredCursor &b) {
		return a.window_start == b.window_start && a.window_end == b.window_end && a.done == b.done;
	}
};

// A batch of the open window that was settled (its outcome stored) beyond the stored acknowledged
// prefix, by a worker that stopped before the prefix reached it (a crash, an immediate stop): its rows
// are not claimed again. The rows of the window between first and last (cursor order) for the
// destination are exactly the batch's: a window's rows are fixed by its two snapshots, and each claim
// takes consecutive rows.
struct SettledRange {
	OutboxPosition first;
	OutboxPosition last;
};

// What the next claim reads: the rows of (window_start, window_end] after `after`, in order.
struct ClaimRange {
	std::string window_start;
	std::string window_end;              // "" = a new window: its end is the claim's own snapshot
	std::optional<OutboxPosition> after; // nullopt = from the window's first row
	std::vector<SettledRange> settled;   // rows to drop (DropSettledRows): settled before a restart
};

// A chunk the claim recorded as a batch.
struct ClaimedBatch {
	BatchId batch{};
	OutboxPosition last; // its last row
};

// What one claim transaction read and recorded.
struct WindowClaim {
	std::string window_end;            // the window it read (for a new window, its new end)
	std::vector<ClaimedBatch> batches; // in cursor order
	// The claim read the window to its end: no row follows the last batch. Only this ends a window:
	// a claim that read nothing without saying so (the extension could not be used) ends nothing.
	bool exhausted = false;
	// The last row the claim read, also when it made no batch of it (rows in a SettledRange are read
	// and dropped): the next claim starts after it. nullopt: it read no row.
	std::optional<OutboxPosition> read_up_to;
};

class WindowCursor {
public:
	// Starts from what capi.cursors holds (a worker start, or a restart after an error): rows after
	// the stored acknowledged prefix are claimed again, except those of `settled`: the batches of the
	// stored open window settled beyond that prefix (in cursor order, not overlapping), which count as
	// acknowledged leases from the start.
	explicit WindowCursor(StoredCursor stored, std::vector<SettledRange> settled = {});

	// --- claim
	// A commit or a poll: a new window may have rows.
	void NoteNewRows() { may_have_new_rows_ = true; }
	// True when a claim may find rows: the open window has not been read to its end, or no window
	// is open and new rows may have been committed.
	bool MayHaveRows() const;
	bool WindowOpen() const { return !window_end_.empty(); }
	// The next claim, nullopt when MayHaveRows() is false. Claiming a new window consumes the note
	// of new rows: when it finds none, the next claim waits for the next note.
	std::optional<ClaimRange> NextClaim();
	// What the claim of NextClaim() read.
	void Claimed(const WindowClaim &claim);

	// --- acknowledge
	// A batch of the window is settled and its outcome is stored with the next cursor change.
	void Acknowledge(BatchId batch);
	// The row capi.cursors must get, once: when the acknowledged prefix moved (stored with the
	// acknowledgements), or, when `flush`, when the cursor changed otherwise (an empty new window
	// or a completed one moves the start: written at most as often as the caller flushes).
	std::optional<StoredCursor> TakeChange(bool flush);
	// A change waits for a flush.
	bool ChangePending() const { return changed_; }

	std::size_t unacknowledged_batches() const { return leases_.size(); }

	// The settled ranges not yet passed by the acknowledged prefix: a claim drops the rows it reads
	// inside them (DropSettledRows) and reports them in read_up_to.
	const std::deque<SettledRange> &settled_ahead() const { return settled_; }

private:
	struct Lease {
		BatchId batch{};
		OutboxPosition last;
		bool settled = false;
	};

	void CompleteWindow();
	// Moves the acknowledged prefix over the settled leases and ranges at its front.
	void AdvancePrefix();

	std::string window_start_;
	std::string window_end_;
	std::optional<OutboxPosition> claimed_up_to_; // the last row claimed in the open window
	std::optional<OutboxPosition> acknowledged_;  // the end of its acknowledged prefix
	std::deque<Lease> leases_;                    // batches not yet part of that prefix, in order
	std::deque<SettledRange> settled_;            // settled before a restart, beyond that prefix
	bool read_to_end_ = false;                    // a claim found the open window's end
	bool may_have_new_rows_ = true;
	bool prefix_moved_ = false;
	bool changed_ = false;
};

} // namespace capi::outbox
