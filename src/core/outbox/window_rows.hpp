// Rows read from a window of the outbox, in cursor order ((txid, id): OutboxPosition). A window is
// read by two ordered scans (docs/architecture.md, "Delivery"): the xids from the start's xmax on,
// and the late committers (window_snapshot.hpp), whose rows can precede rows of the first scan.
// Merged here; a scan the read budget cut short bounds what may be taken, or rows would be skipped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/dispatch/event.hpp"
#include "core/outbox/window_cursor.hpp"

namespace capi::outbox {

struct WindowRows {
	std::vector<dispatch::OutboxEvent> events;
	std::vector<std::uint64_t> txids; // per event
	// True when the read budget stopped the read: the events are a prefix of the scan's rows in its
	// order, and the rows after the last one were not read (they are not "the end").
	bool truncated = false;

	OutboxPosition PositionOf(std::size_t row) const {
		return OutboxPosition{txids[row], events[row].outbox_id};
	}
};

// Two scans, each in cursor order, as one in that order, at most `limit` long. A scan that was
// truncated bounds the result: rows of it may follow its last one unread, so no row after that is
// taken, and the result is truncated too.
WindowRows MergeInCursorOrder(WindowRows first, WindowRows second, std::size_t limit);

// Removes the rows that lie inside one of `settled` (cursor order, not overlapping): rows of batches
// settled before a restart (SettledRange). Returns how many were removed.
std::size_t DropSettledRows(WindowRows &rows, const std::vector<SettledRange> &settled);

// True when the read found the window's end: fewer rows than `wanted`, and not cut short by the
// budget (WindowClaim::exhausted).
bool ReachedWindowEnd(const WindowRows &rows, std::size_t wanted);

} // namespace capi::outbox
