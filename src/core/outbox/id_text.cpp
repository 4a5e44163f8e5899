#include "core/cpp_only.hpp"
#include "core/outbox/id_text.hpp"

#include <climits>
#include <cstdint>

#include <unicode/uchar.h>
#include <unicode/utf8.h>

namespace capi::outbox {
namespace {

bool IsInvisibleCodePoint(UChar32 c) {
	return u_isUWhiteSpace(c) || u_charType(c) == U_FORMAT_CHAR || u_charType(c) == U_CONTROL_CHAR ||
	       u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

} // namespace

bool IsInvisible(std::string_view text) noexcept {
	if (text.size() > INT32_MAX) // callers bound the length first; ICU indexes with int32_t
		return false;
	const auto *bytes = reinterpret_cast<const std::uint8_t *>(text.data());
	const std::int32_t length = static_cast<std::int32_t>(text.size());
	for (std::int32_t i = 0; i < length;) {
		if (bytes[i] < 0x80) { // ASCII: only space and control characters are invisible
			if (bytes[i] > 0x20 && bytes[i] != 0x7f)
				return false;
			++i;
			continue;
		}
		UChar32 c;
		U8_NEXT(bytes, i, length, c);
		if (c < 0 || !IsInvisibleCodePoint(c))
			return false;
	}
	return true;
}

bool ContainsControlCharacter(std::string_view text) noexcept {
	for (std::size_t i = 0; i < text.size(); ++i) {
		auto byte = static_cast<unsigned char>(text[i]);
		if (byte < 0x20 || byte == 0x7f)
			return true;
		// C1 controls U+0080-U+009F are encoded as C2 80 .. C2 9F.
		if (byte == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9F)
			return true;
	}
	return false;
}

bool ContainsBidiControlOrSeparator(std::string_view text) noexcept {
	if (text.size() > INT32_MAX) // callers bound the length first; ICU indexes with int32_t
		return false;
	const auto *bytes = reinterpret_cast<const std::uint8_t *>(text.data());
	const std::int32_t length = static_cast<std::int32_t>(text.size());
	for (std::int32_t i = 0; i < length;) {
		if (bytes[i] < 0x80) { // no ASCII character is one of them
			++i;
			continue;
		}
		UChar32 c;
		U8_NEXT(bytes, i, length, c);
		if (c >= 0 && (u_hasBinaryProperty(c, UCHAR_BIDI_CONTROL) || u_charType(c) == U_LINE_SEPARATOR ||
		               u_charType(c) == U_PARAGRAPH_SEPARATOR))
			return true;
	}
	return false;
}

} // namespace capi::outbox
