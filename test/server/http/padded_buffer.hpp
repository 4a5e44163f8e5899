// A growable byte buffer that always keeps kPadding readable bytes after its end, so simdjson can
// parse its contents in place (simdjson reads up to SIMDJSON_PADDING bytes past the input).
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

namespace capi::testserver {

class PaddedBuffer {
public:
	static constexpr size_t kPadding = 64; // SIMDJSON_PADDING in simdjson 3.0

	const char *data() const { return storage_.data(); }
	char *data() { return storage_.data(); }
	size_t size() const { return size_; }
	bool empty() const { return size_ == 0; }
	std::string_view view() const { return {storage_.data(), size_}; }
	void clear() { size_ = 0; }

	// Makes room for `n` bytes in total (plus padding) without changing size().
	void reserve(size_t n) {
		if (n + kPadding > storage_.size()) {
			storage_.resize(n + kPadding);
		}
	}
	// Sets size() to `n`; new bytes are unspecified.
	void resize(size_t n) {
		if (n + kPadding > storage_.size()) {
			storage_.resize(std::max(n, 2 * size_) + kPadding);
		}
		size_ = n;
	}
	void append(const char *bytes, size_t n) {
		size_t old = size_;
		resize(size_ + n);
		std::memcpy(storage_.data() + old, bytes, n);
	}
	// Drops the allocation when it grew beyond `limit` bytes (after a very large body).
	void shrink_if_larger_than(size_t limit) {
		if (storage_.size() > limit + kPadding) {
			std::vector<char>().swap(storage_);
			size_ = 0;
		}
	}

private:
	std::vector<char> storage_;
	size_t size_ = 0;
};

} // namespace capi::testserver
