#include "core/cpp_only.hpp"
#include "core/outbox/stored_pause.hpp"

namespace capi::outbox {

std::optional<PauseChange> StoredPause::Observe(bool changed, bool paused_now, std::int64_t until_ms,
                                                const std::string &reason) {
	// A new pause, or one that ended (by an update or by time) while capi.cursors still shows it.
	if (!changed && (stored_until_ms_ == 0 || paused_now))
		return std::nullopt;
	const std::int64_t until = paused_now ? until_ms : 0;
	if (until == stored_until_ms_)
		return std::nullopt;
	stored_until_ms_ = until;
	return PauseChange{until, until != 0 ? reason : std::string()};
}

} // namespace capi::outbox
