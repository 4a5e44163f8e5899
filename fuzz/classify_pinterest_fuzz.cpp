// libFuzzer target: the pinterest response classifier on any HTTP status and body (classify_fuzz.hpp).
#include "classify_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	return capi::fuzz::FuzzClassifier(capi::identity::Platform::kPinterest, data, size);
}
