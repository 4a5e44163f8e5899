#include "core/cpp_only.hpp"
#include "core/outbox/held_chunks.hpp"

#include <algorithm>

namespace capi::outbox {

std::uint64_t HeldChunks::Hold(ChunkOrigin origin) {
	const std::uint64_t id = next_id_++;
	held_.emplace_back(id, origin);
	return id;
}

const ChunkOrigin *HeldChunks::Find(std::uint64_t chunk_id) const {
	for (const auto &[id, origin] : held_)
		if (id == chunk_id)
			return &origin;
	return nullptr;
}

std::optional<ChunkOrigin> HeldChunks::Release(std::uint64_t chunk_id) {
	auto it =
	    std::find_if(held_.begin(), held_.end(), [&](const auto &held) { return held.first == chunk_id; });
	if (it == held_.end())
		return std::nullopt;
	const ChunkOrigin origin = it->second;
	held_.erase(it);
	return origin;
}

} // namespace capi::outbox
