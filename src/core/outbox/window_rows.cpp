#include "core/cpp_only.hpp"
#include "core/outbox/window_rows.hpp"

#include <optional>
#include <utility>

namespace capi::outbox {

WindowRows MergeInCursorOrder(WindowRows first, WindowRows second, std::size_t limit) {
	if (second.events.empty() && !second.truncated)
		return first;
	std::optional<OutboxPosition> bound;
	for (const WindowRows *rows : {&first, &second})
		if (rows->truncated && !rows->events.empty()) {
			const OutboxPosition last = rows->PositionOf(rows->events.size() - 1);
			if (!bound || last < *bound)
				bound = last;
		}
	WindowRows merged;
	merged.truncated = first.truncated || second.truncated;
	std::size_t i = 0;
	std::size_t j = 0;
	while (merged.events.size() < limit && (i < first.events.size() || j < second.events.size())) {
		const bool take_first = j >= second.events.size() ||
		                        (i < first.events.size() && first.PositionOf(i) < second.PositionOf(j));
		WindowRows &from = take_first ? first : second;
		std::size_t &k = take_first ? i : j;
		if (bound && *bound < from.PositionOf(k))
			break;
		merged.events.push_back(std::move(from.events[k]));
		merged.txids.push_back(from.txids[k]);
		++k;
	}
	return merged;
}

std::size_t DropSettledRows(WindowRows &rows, const std::vector<SettledRange> &settled) {
	if (settled.empty())
		return 0;
	std::size_t kept = 0;
	std::size_t range = 0;
	for (std::size_t row = 0; row < rows.events.size(); ++row) {
		const OutboxPosition position = rows.PositionOf(row);
		while (range < settled.size() && settled[range].last < position)
			++range;
		if (range < settled.size() && !(position < settled[range].first))
			continue; // first <= position <= last
		if (kept != row) {
			rows.events[kept] = std::move(rows.events[row]);
			rows.txids[kept] = rows.txids[row];
		}
		++kept;
	}
	const std::size_t dropped = rows.events.size() - kept;
	rows.events.resize(kept);
	rows.txids.resize(kept);
	return dropped;
}

bool ReachedWindowEnd(const WindowRows &rows, std::size_t wanted) {
	return !rows.truncated && rows.events.size() < wanted;
}

} // namespace capi::outbox
