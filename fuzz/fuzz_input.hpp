// Helpers shared by the libFuzzer targets: the fuzz input as text lines, and the "contract allows
// this exception" wrapper. See docs/testing-tools.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace capi::fuzz {

inline std::string_view AsText(const std::uint8_t *data, std::size_t size) {
	return std::string_view(reinterpret_cast<const char *>(data), size);
}

// The input split at '\n' (a final empty line is kept: "a\n" is {"a", ""}).
inline std::vector<std::string_view> Lines(std::string_view text) {
	std::vector<std::string_view> lines;
	std::size_t start = 0;
	for (;;) {
		const std::size_t end = text.find('\n', start);
		if (end == std::string_view::npos) {
			lines.push_back(text.substr(start));
			return lines;
		}
		lines.push_back(text.substr(start, end - start));
		start = end + 1;
	}
}

// A signed decimal number at the start of text, or fallback (no overflow: at most 15 digits).
inline std::int64_t ParseInt(std::string_view text, std::int64_t fallback) {
	std::size_t i = 0;
	bool negative = false;
	if (i < text.size() && (text[i] == '-' || text[i] == '+'))
		negative = text[i++] == '-';
	std::int64_t value = 0;
	std::size_t digits = 0;
	for (; i < text.size() && digits < 15 && text[i] >= '0' && text[i] <= '9'; ++i, ++digits)
		value = value * 10 + (text[i] - '0');
	if (digits == 0)
		return fallback;
	return negative ? -value : value;
}

// A broken invariant of a function's contract: abort so that libFuzzer saves the input.
[[noreturn]] inline void ContractBroken(const char *what) {
	std::fprintf(stderr, "contract broken: %s\n", what);
	std::abort();
}

// Runs call, swallowing only capi::Error (the contract of the function called says it throws it);
// any other exception escapes and libFuzzer reports it as a crash. Returns false when it threw.
template <typename Call> bool AllowingCapiError(Call &&call) {
	try {
		call();
		return true;
	} catch (const capi::Error &) {
		return false;
	}
}

} // namespace capi::fuzz
