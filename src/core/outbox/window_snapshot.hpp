// The text form of a pg_snapshot ("xmin:xmax:xip,xip,..."), which bounds the worker's outbox windows:
// a window (start, end] holds the rows committed as of end and not as of start (docs/design.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace capi::outbox {

struct WindowSnapshot {
	std::uint64_t xmin = 0;
	std::uint64_t xmax = 0;
	std::vector<std::uint64_t> in_progress; // xip: running when the snapshot was taken, ascending
};

// Parses pg_snapshot's text output; nullopt when it is not one (xmin <= xmax, every xip in
// [xmin, xmax), ascending).
std::optional<WindowSnapshot> ParseWindowSnapshot(std::string_view text);

// The transactions whose rows the window (start, end] may hold although their xids are below
// start's xmax: those running at start that are no longer running at end. A transaction still
// running at end has no row in the window (its rows are invisible to end), so its index entries are
// never read: while a long bulk INSERT runs, every window would otherwise walk all of its rows.
std::vector<std::uint64_t> LateCommitters(const WindowSnapshot &start, const WindowSnapshot &end);

// An xid8[] literal ("{1,2,3}") for the xids.
std::string XidArrayLiteral(const std::vector<std::uint64_t> &xids);

} // namespace capi::outbox

#include "core/cpp_only.hpp"
