// The set of accepted (platform, destination, event_name, event_id) keys, to count duplicates
// exactly but compactly: each key is stored as two independent 64-bit hashes (16 bytes) in an
// open-addressing table, so two different keys collide with probability ~ n^2 / 2^129.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace capi::testserver {

class EventKeySet {
public:
	// Adds the key; returns false when it was already present (a duplicate).
	bool Insert(std::string_view platform, std::string_view destination, std::string_view event_name,
	            std::string_view event_id);
	size_t size() const { return size_; }
	void Clear();

private:
	struct Slot {
		uint64_t first = 0; // (0, 0) marks an empty slot
		uint64_t second = 0;
	};
	void Grow();
	bool InsertHashes(uint64_t first, uint64_t second);

	std::vector<Slot> slots_;
	size_t size_ = 0;
	std::string key_; // scratch
};

} // namespace capi::testserver
