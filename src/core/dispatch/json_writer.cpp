#include "core/dispatch/json_writer.hpp"

#include <array>
#include <charconv>
#include <cstring>

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

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Whether any of the 8 bytes of word is '"', '\\' or below 0x20 (the classic "has a byte less than n"
// and "has a zero byte" bit tricks; exact, no false positives or negatives).
constexpr bool WordNeedsEscape(std::uint64_t word) {
	std::uint64_t control = (word - kOnes * 0x20) & ~word & kHighBits;
	std::uint64_t quote = word ^ (kOnes * '"');
	std::uint64_t backslash = word ^ (kOnes * '\\');
	std::uint64_t quote_zero = (quote - kOnes) & ~quote & kHighBits;
	std::uint64_t backslash_zero = (backslash - kOnes) & ~backslash & kHighBits;
	return (control | quote_zero | backslash_zero) != 0;
}

} // namespace

void AppendJsonString(std::string *out, std::string_view text) {
	out->push_back('"');
	size_t run_start = 0;
	size_t i = 0;
	// Most text (hashes, URLs, user agents) needs no escape: skip it 8 bytes at a time.
	for (; i + 8 <= text.size(); i += 8) {
		std::uint64_t word;
		std::memcpy(&word, text.data() + i, 8);
		if (WordNeedsEscape(word)) {
			break;
		}
	}
	for (; i < text.size(); ++i) {
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
