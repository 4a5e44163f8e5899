// Writing JSON text by appending to a buffer: the request bodies are built this way, because going
// through a DOM (nlohmann::json) costs several times more per event (bench/meta_payload_bench). The one
// JSON string escaper of the project: the worker (pg/json_text.hpp, into a StringInfo) and the loopback
// test server use it too.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace capi::dispatch {

namespace json_detail {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// Whether any of the 8 bytes of word is '"', '\\' or below 0x20 (the classic "has a byte less than n"
// and "has a zero byte" bit tricks; exact, no false positives or negatives).
constexpr bool WordNeedsEscape(std::uint64_t word) noexcept {
	const std::uint64_t control = (word - kOnes * 0x20) & ~word & kHighBits;
	const std::uint64_t quote = word ^ (kOnes * '"');
	const std::uint64_t backslash = word ^ (kOnes * '\\');
	const std::uint64_t quote_zero = (quote - kOnes) & ~quote & kHighBits;
	const std::uint64_t backslash_zero = (backslash - kOnes) & ~backslash & kHighBits;
	return (control | quote_zero | backslash_zero) != 0;
}

constexpr bool NeedsEscape(unsigned char c) noexcept {
	return c < 0x20 || c == '"' || c == '\\';
}

// The escape sequence of a byte for which NeedsEscape holds: the two-character forms RFC 8259 section 7
// defines (\" \\ \b \f \n \r \t), else \u00XX with lowercase hex (as nlohmann::json writes them).
inline std::string_view EscapeOf(unsigned char c, char (&buffer)[6]) noexcept {
	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	default: {
		static constexpr char kHex[] = "0123456789abcdef";
		buffer[0] = '\\';
		buffer[1] = 'u';
		buffer[2] = '0';
		buffer[3] = '0';
		buffer[4] = kHex[c >> 4];
		buffer[5] = kHex[c & 0xF];
		return std::string_view(buffer, 6);
	}
	}
}

} // namespace json_detail

// Writes text as a JSON string literal, quotes included, through append(const char *bytes, size_t n).
// '"', '\\' and the control characters U+0000..U+001F are escaped; every other byte is copied, so text
// must be valid UTF-8 for the result to be valid JSON. Most text (hashes, URLs, user agents) needs no
// escape: it is skipped 8 bytes at a time. append may be any buffer's (a StringInfo's in the worker);
// nothing here has a destructor or allocates.
template <typename Append> void WriteJsonString(std::string_view text, Append &&append) {
	append("\"", 1);
	const char *const data = text.data();
	const std::size_t size = text.size();
	std::size_t run_start = 0;
	std::size_t i = 0;
	while (i < size) {
		for (; i + 8 <= size; i += 8) {
			std::uint64_t word;
			std::memcpy(&word, data + i, 8);
			if (json_detail::WordNeedsEscape(word))
				break;
		}
		// Byte by byte through the word that holds a special byte (or the tail shorter than a word).
		const std::size_t word_end = i + 8 < size ? i + 8 : size;
		for (; i < word_end; ++i) {
			const unsigned char c = static_cast<unsigned char>(data[i]);
			if (!json_detail::NeedsEscape(c))
				continue;
			append(data + run_start, i - run_start);
			char buffer[6];
			const std::string_view escape = json_detail::EscapeOf(c, buffer);
			append(escape.data(), escape.size());
			run_start = i + 1;
		}
	}
	append(data + run_start, size - run_start);
	append("\"", 1);
}

// WriteJsonString appending to *out.
inline void AppendJsonString(std::string *out, std::string_view text) {
	WriteJsonString(text, [out](const char *bytes, std::size_t length) { out->append(bytes, length); });
}

void AppendJsonInt(std::string *out, std::int64_t value);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
