#include "core/dispatch/json_writer.hpp"

#include <charconv>

namespace capi::dispatch {

void AppendJsonInt(std::string *out, std::int64_t value) {
	char digits[24];
	std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, value);
	out->append(digits, result.ptr);
}

} // namespace capi::dispatch
