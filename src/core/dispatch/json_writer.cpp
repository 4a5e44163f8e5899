#include "core/dispatch/json_writer.hpp"

#include <array>
#include <charconv>

namespace capi::dispatch {
namespace {

constexpr std::array<bool, 256> MakeEscapeTable() {
	std::array<bool, 256> table{};
	for (int c = 0; c < 0x20; ++c) {
		table[c] = true;
	}
	table['"'] = true;
	table['\\'] = true;
	return table;
}

constexpr std::array<bool, 256> kNeedsEscape = MakeEscapeTable();

void AppendEscaped(std::string *out, unsigned char c) {
	switch (c) {
	case '"':
		out->append("\\\"");
		return;
	case '\\':
		out->append("\\\\");
		return;
	case '\b':
		out->append("\\b");
		return;
	case '\f':
		out->append("\\f");
		return;
	case '\n':
		out->append("\\n");
		return;
	case '\r':
		out->append("\\r");
		return;
	case '\t':
		out->append("\\t");
		return;
	default: {
		static constexpr char kHex[] = "0123456789abcdef";
		char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
		out->append(escaped, sizeof escaped);
	}
	}
}

} // namespace

void AppendJsonString(std::string *out, std::string_view text) {
	out->push_back('"');
	size_t run_start = 0;
	for (size_t i = 0; i < text.size(); ++i) {
		unsigned char c = static_cast<unsigned char>(text[i]);
		if (kNeedsEscape[c]) {
			out->append(text.data() + run_start, i - run_start);
			AppendEscaped(out, c);
			run_start = i + 1;
		}
	}
	out->append(text.data() + run_start, text.size() - run_start);
	out->push_back('"');
}

void AppendJsonInt(std::string *out, std::int64_t value) {
	char digits[24];
	std::to_chars_result result = std::to_chars(digits, digits + sizeof digits, value);
	out->append(digits, result.ptr);
}

} // namespace capi::dispatch
