#include "core/outbox/window_snapshot.hpp"

#include <algorithm>
#include <charconv>

namespace capi::outbox {
namespace {

// An unsigned decimal filling all of text.
std::optional<std::uint64_t> ParseXid(std::string_view text) {
	std::uint64_t value = 0;
	const char *end = text.data() + text.size();
	const auto [stop, error] = std::from_chars(text.data(), end, value);
	if (text.empty() || error != std::errc() || stop != end)
		return std::nullopt;
	return value;
}

} // namespace

std::optional<WindowSnapshot> ParseWindowSnapshot(std::string_view text) {
	const std::size_t first = text.find(':');
	const std::size_t second = first == std::string_view::npos ? first : text.find(':', first + 1);
	if (second == std::string_view::npos)
		return std::nullopt;
	const auto xmin = ParseXid(text.substr(0, first));
	const auto xmax = ParseXid(text.substr(first + 1, second - first - 1));
	if (!xmin || !xmax || *xmin > *xmax)
		return std::nullopt;
	WindowSnapshot snapshot{*xmin, *xmax, {}};
	std::string_view rest = text.substr(second + 1);
	while (!rest.empty()) {
		const std::size_t comma = rest.find(',');
		const auto xid = ParseXid(rest.substr(0, comma));
		if (!xid || *xid < *xmin || *xid >= *xmax ||
		    (!snapshot.in_progress.empty() && *xid <= snapshot.in_progress.back()))
			return std::nullopt;
		snapshot.in_progress.push_back(*xid);
		if (comma == std::string_view::npos)
			break;
		rest = rest.substr(comma + 1);
		if (rest.empty()) // a trailing comma
			return std::nullopt;
	}
	return snapshot;
}

std::vector<std::uint64_t> LateCommitters(const WindowSnapshot &start, const WindowSnapshot &end) {
	std::vector<std::uint64_t> late;
	std::set_difference(start.in_progress.begin(), start.in_progress.end(), end.in_progress.begin(),
	                    end.in_progress.end(), std::back_inserter(late));
	return late;
}

std::string XidArrayLiteral(const std::vector<std::uint64_t> &xids) {
	std::string literal = "{";
	for (std::size_t i = 0; i < xids.size(); ++i)
		literal += (i == 0 ? "" : ",") + std::to_string(xids[i]);
	return literal + "}";
}

} // namespace capi::outbox
