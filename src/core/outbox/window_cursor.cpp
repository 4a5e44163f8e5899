#include "core/cpp_only.hpp"
#include "core/outbox/window_cursor.hpp"

#include <utility>

namespace capi::outbox {

WindowCursor::WindowCursor(StoredCursor stored, std::vector<SettledRange> settled)
    : window_start_(std::move(stored.window_start)), window_end_(std::move(stored.window_end)) {
	if (WindowOpen()) {
		claimed_up_to_ = stored.done;
		acknowledged_ = stored.done;
		for (const SettledRange &range : settled)
			if ((!stored.done || *stored.done < range.first) && !(range.last < range.first) &&
			    (settled_.empty() || settled_.back().last < range.first))
				settled_.push_back(range);
	}
}

bool WindowCursor::MayHaveRows() const {
	return WindowOpen() ? !read_to_end_ : may_have_new_rows_;
}

std::optional<ClaimRange> WindowCursor::NextClaim() {
	if (!MayHaveRows())
		return std::nullopt;
	if (!WindowOpen())
		may_have_new_rows_ = false;
	return ClaimRange{window_start_, window_end_, claimed_up_to_,
	                  std::vector<SettledRange>(settled_.begin(), settled_.end())};
}

void WindowCursor::Claimed(const WindowClaim &claim) {
	if (WindowOpen() && claim.read_up_to && (!claimed_up_to_ || *claimed_up_to_ < *claim.read_up_to))
		claimed_up_to_ = claim.read_up_to; // rows of settled ranges, read and dropped
	if (claim.batches.empty()) {
		if (!claim.exhausted) {
			AdvancePrefix(); // over the settled ranges read
			return;          // otherwise nothing was read: the same rows are claimed next time
		}
		if (!WindowOpen()) {
			// A new window with nothing for this destination: moved past without a write now.
			if (!claim.window_end.empty() && claim.window_end != window_start_) {
				window_start_ = claim.window_end;
				changed_ = true;
			}
			return;
		}
		read_to_end_ = true;
		AdvancePrefix();
		return;
	}
	window_end_ = claim.window_end;
	for (const ClaimedBatch &batch : claim.batches) {
		if (!claimed_up_to_ || *claimed_up_to_ < batch.last)
			claimed_up_to_ = batch.last;
		leases_.push_back(Lease{batch.batch, batch.last, false});
	}
	// Fewer rows than asked for: the window has no more (saves a claim that would find nothing).
	if (claim.exhausted)
		read_to_end_ = true;
	AdvancePrefix();
}

void WindowCursor::Acknowledge(BatchId batch) {
	for (Lease &lease : leases_)
		if (lease.batch == batch)
			lease.settled = true;
	AdvancePrefix();
}

void WindowCursor::AdvancePrefix() {
	for (;;) {
		const bool range_next =
		    !settled_.empty() && (leases_.empty() || settled_.front().last < leases_.front().last);
		if (range_next) {
			// Every row before the range is acknowledged (no lease precedes it); its own rows count
			// once they have been read (dropped), or once the window has been read to its end.
			if (!read_to_end_ && !(claimed_up_to_ && !(*claimed_up_to_ < settled_.front().last)))
				break;
			acknowledged_ = settled_.front().last;
			settled_.pop_front();
		} else if (!leases_.empty() && leases_.front().settled) {
			acknowledged_ = leases_.front().last;
			leases_.pop_front();
		} else {
			break;
		}
		prefix_moved_ = true;
	}
	if (read_to_end_ && leases_.empty() && WindowOpen())
		CompleteWindow();
}

std::optional<StoredCursor> WindowCursor::TakeChange(bool flush) {
	if (!prefix_moved_ && !(changed_ && flush))
		return std::nullopt;
	prefix_moved_ = false;
	changed_ = false;
	return StoredCursor{window_start_, window_end_, WindowOpen() ? acknowledged_ : std::nullopt};
}

void WindowCursor::CompleteWindow() {
	window_start_ = window_end_;
	window_end_.clear();
	claimed_up_to_.reset();
	acknowledged_.reset();
	settled_.clear();
	read_to_end_ = false;
	changed_ = true;
}

} // namespace capi::outbox
