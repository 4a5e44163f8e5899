#include "server/app/event_key_set.hpp"

#include <functional>

namespace capi::testserver {
namespace {

uint64_t Fnv1a64(std::string_view bytes) {
	uint64_t hash = 0xcbf29ce484222325ULL;
	for (unsigned char c : bytes) {
		hash ^= c;
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

} // namespace

bool EventKeySet::Insert(std::string_view platform, std::string_view destination, std::string_view event_name,
                         std::string_view event_id) {
	key_.clear();
	key_.append(platform);
	key_.push_back('\0');
	key_.append(destination);
	key_.push_back('\0');
	key_.append(event_name);
	key_.push_back('\0');
	key_.append(event_id);
	uint64_t first = std::hash<std::string_view>()(key_);
	uint64_t second = Fnv1a64(key_);
	if (first == 0 && second == 0) {
		second = 1;
	}
	if ((size_ + 1) * 4 > slots_.size() * 3) { // keep the load factor at most 3/4
		Grow();
	}
	return InsertHashes(first, second);
}

bool EventKeySet::InsertHashes(uint64_t first, uint64_t second) {
	size_t mask = slots_.size() - 1;
	for (size_t i = first & mask;; i = (i + 1) & mask) {
		Slot &slot = slots_[i];
		if (slot.first == 0 && slot.second == 0) {
			slot.first = first;
			slot.second = second;
			++size_;
			return true;
		}
		if (slot.first == first && slot.second == second) {
			return false;
		}
	}
}

void EventKeySet::Grow() {
	std::vector<Slot> old;
	old.swap(slots_);
	slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot());
	size_ = 0;
	for (const Slot &slot : old) {
		if (slot.first != 0 || slot.second != 0) {
			InsertHashes(slot.first, slot.second);
		}
	}
}

void EventKeySet::Clear() {
	std::vector<Slot>().swap(slots_);
	size_ = 0;
}

} // namespace capi::testserver
