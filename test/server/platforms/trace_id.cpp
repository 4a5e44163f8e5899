#include "server/platforms/trace_id.hpp"

#include <chrono>
#include <cstdint>
#include <random>

namespace capi::testserver {
namespace {

uint64_t NextRandom() {
	thread_local uint64_t state = 0;
	if (state == 0) {
		std::random_device device;
		state = (static_cast<uint64_t>(device()) << 32) ^ device() ^
		        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
		state |= 1;
	}
	// xorshift64*
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1DULL;
}

} // namespace

std::string RandomTraceId(size_t length) {
	static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
	std::string id(length, 'A');
	uint64_t bits = 0;
	int left = 0;
	for (char &c : id) {
		if (left == 0) {
			bits = NextRandom();
			left = 10; // 10 x 6 bits per 64-bit draw
		}
		c = kAlphabet[bits & 63];
		bits >>= 6;
		--left;
	}
	return id;
}

} // namespace capi::testserver
