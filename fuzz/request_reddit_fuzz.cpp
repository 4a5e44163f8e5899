// libFuzzer target: the reddit request builder from random outbox rows (request_fuzz.hpp).
#include "request_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	return capi::fuzz::FuzzRequestBuilder(capi::identity::Platform::kReddit, data, size);
}
