#include "core/dispatch/message_text.hpp"

#include <algorithm>

#include <unicode/utf8.h>

#include "core/http/redact.hpp"

namespace capi::dispatch {
namespace {

// Platform text may be anything; what is stored must be valid UTF-8 without NUL bytes.
std::string ValidUtf8(std::string_view text) {
	std::string out;
	out.reserve(text.size());
	int32_t length = static_cast<int32_t>(std::min<size_t>(text.size(), INT32_MAX));
	for (int32_t i = 0; i < length;) {
		int32_t start = i;
		UChar32 c;
		U8_NEXT(text.data(), i, length, c);
		if (c < 0 || c == 0) {
			out.append("\xEF\xBF\xBD"); // U+FFFD
		} else {
			out.append(text.data() + start, static_cast<size_t>(i - start));
		}
	}
	return out;
}

} // namespace

std::string OutcomeMessage(std::string_view text, const std::vector<std::string> &secrets,
                           std::size_t max_bytes) {
	std::string out = http::ReplaceSecrets(ValidUtf8(text), secrets);
	if (out.size() <= max_bytes) {
		return out;
	}
	constexpr std::string_view kEllipsis = "...";
	size_t keep = max_bytes >= kEllipsis.size() ? max_bytes - kEllipsis.size() : 0;
	// Back up over UTF-8 continuation bytes so that no sequence is split.
	while (keep > 0 && (static_cast<unsigned char>(out[keep]) & 0xC0) == 0x80) {
		--keep;
	}
	out.resize(keep);
	if (max_bytes >= kEllipsis.size()) {
		out.append(kEllipsis);
	}
	return out;
}

std::string QuotableBody(std::string_view body, bool from_own_host) {
	if (from_own_host) {
		return std::string(body);
	}
	return "(body of " + std::to_string(body.size()) + " bytes not shown: endpoint override)";
}

} // namespace capi::dispatch
