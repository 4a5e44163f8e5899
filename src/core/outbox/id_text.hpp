// Character checks for the outbox's identifier columns (event_id, event_name): they are sent in
// request bodies and written to logs, compared byte for byte by the platforms' deduplication, and
// must be visible to the people who read them.
#pragma once

#include <string_view>

namespace capi::outbox {

// True when text (valid UTF-8) has no visible character: empty, or only white space (ASCII and
// Unicode White_Space such as NBSP or U+3000), format characters (Unicode category Cf: U+200B ZERO
// WIDTH SPACE, U+200E LEFT-TO-RIGHT MARK, U+FEFF BYTE ORDER MARK, ...) and other default-ignorable
// code points (U+3164 HANGUL FILLER, variation selectors, ...).
bool IsInvisible(std::string_view text) noexcept;

// True when text (valid UTF-8) contains a control character: C0 (U+0000-U+001F, including TAB, CR
// and LF), DEL, or C1 (U+0080-U+009F). Such characters would let an id forge log lines or headers.
bool ContainsControlCharacter(std::string_view text) noexcept;

// True when text (valid UTF-8) contains a bidirectional control (Unicode Bidi_Control: U+061C,
// U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) or a line or paragraph separator (U+2028, U+2029).
// The first make an id display as other text (U+202E reverses what follows) in logs and dashboards;
// the second are line breaks to JavaScript and to many log viewers.
bool ContainsBidiControlOrSeparator(std::string_view text) noexcept;

} // namespace capi::outbox

#include "core/cpp_only.hpp"
