#include "core/dispatch/json_writer.hpp"

#include "pg/json_text.hpp"

namespace capi::pg {

void AppendJsonString(StringInfo out, const char *text, int length) {
	// No object with a destructor lives here: an out-of-memory ERROR may longjmp through.
	capi::dispatch::WriteJsonString(std::string_view(text, static_cast<std::size_t>(length)),
	                                [out](const char *bytes, std::size_t count) {
		                                appendBinaryStringInfo(out, bytes, static_cast<int>(count));
	                                });
}

} // namespace capi::pg
