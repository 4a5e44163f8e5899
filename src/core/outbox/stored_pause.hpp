// What capi.cursors says of a destination's pause (paused_until, pause_reason), kept true to the
// pipeline's: a new pause is stored, and so is the end of one, whether an update of the destination
// ended it or its time ran out (an expired pause left in capi.cursors reads as paused forever).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace capi::outbox {

struct PauseChange {
	std::int64_t paused_until_ms = 0; // 0: the pause ended
	std::string reason;               // "" when it ended
};

class StoredPause {
public:
	explicit StoredPause(std::int64_t stored_until_ms) : stored_until_ms_(stored_until_ms) {}

	// The pipeline's pause now: `changed` once after it paused or was updated, `paused_now` whether
	// it is paused at this moment, until when and why. Returns what to store, when anything; from
	// then on that is taken as stored.
	std::optional<PauseChange> Observe(bool changed, bool paused_now, std::int64_t until_ms,
	                                   const std::string &reason);

private:
	std::int64_t stored_until_ms_ = 0;
};

} // namespace capi::outbox
