#include "server/http/json_text.hpp"

namespace capi::testserver {

void AppendJsonString(std::string *out, std::string_view value) {
	static const char kHex[] = "0123456789abcdef";
	out->push_back('"');
	size_t run_start = 0;
	for (size_t i = 0; i < value.size(); ++i) {
		unsigned char c = static_cast<unsigned char>(value[i]);
		if (c >= 0x20 && c != '"' && c != '\\') {
			continue;
		}
		out->append(value.data() + run_start, i - run_start);
		run_start = i + 1;
		switch (c) {
		case '"':
			out->append("\\\"");
			break;
		case '\\':
			out->append("\\\\");
			break;
		case '\n':
			out->append("\\n");
			break;
		case '\r':
			out->append("\\r");
			break;
		case '\t':
			out->append("\\t");
			break;
		default:
			out->append("\\u00");
			out->push_back(kHex[c >> 4]);
			out->push_back(kHex[c & 15]);
		}
	}
	out->append(value.data() + run_start, value.size() - run_start);
	out->push_back('"');
}

} // namespace capi::testserver
