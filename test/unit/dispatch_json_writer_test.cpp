#include "core/dispatch/json_writer.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace capi::dispatch {
namespace {

std::string Quoted(std::string_view text) {
	std::string out;
	AppendJsonString(&out, text);
	return out;
}

TEST(JsonWriter, PlainTextIsQuotedVerbatim) {
	EXPECT_EQ(Quoted(""), "\"\"");
	EXPECT_EQ(Quoted("62a14e44"), "\"62a14e44\"");
	EXPECT_EQ(Quoted("Mozilla/5.0 (X11; Linux)"), "\"Mozilla/5.0 (X11; Linux)\"");
}

TEST(JsonWriter, EscapesQuotesBackslashesAndControls) {
	EXPECT_EQ(Quoted("a\"b"), "\"a\\\"b\"");
	EXPECT_EQ(Quoted("a\\b"), "\"a\\\\b\"");
	EXPECT_EQ(Quoted("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
	EXPECT_EQ(Quoted(std::string_view("\0\x01\x1f", 3)), "\"\\u0000\\u0001\\u001f\"");
	EXPECT_EQ(Quoted("\x7f"), "\"\x7f\""); // DEL needs no escape in JSON
}

TEST(JsonWriter, KeepsUtf8AndSlash) {
	EXPECT_EQ(Quoted("Val\xC3\xA9ry \xEC\xA0\x95 </script>"), "\"Val\xC3\xA9ry \xEC\xA0\x95 </script>\"");
}

TEST(JsonWriter, RoundTripsThroughAParser) {
	std::string text;
	for (int c = 1; c < 128; ++c) {
		text.push_back(static_cast<char>(c));
	}
	text.append("\xE2\x82\xAC end");
	std::string json = Quoted(text);
	EXPECT_EQ(nlohmann::json::parse(json).get<std::string>(), text);
}

// The writer skips text 8 bytes at a time: put each special byte at every offset of strings
// around that size and compare with nlohmann's serialization (same escapes, lowercase hex).
TEST(JsonWriter, EveryOffsetMatchesNlohmann) {
	const std::string specials[] = {"\"",   "\\",      std::string(1, '\0'), "\x01", "\x1f", "\n", "\t", " ",
	                                "\x7f", "\xC3\xA9"};
	for (size_t length = 1; length <= 24; ++length) {
		for (size_t at = 0; at < length; ++at) {
			for (const std::string &special : specials) {
				std::string text(length, 'a');
				text.replace(at, 1, special);
				ASSERT_EQ(Quoted(text), nlohmann::json(text).dump()) << length << " " << at;
			}
		}
	}
}

TEST(JsonWriter, Integers) {
	std::string out;
	AppendJsonInt(&out, 0);
	out.push_back(' ');
	AppendJsonInt(&out, 1762902353);
	out.push_back(' ');
	AppendJsonInt(&out, -42);
	out.push_back(' ');
	AppendJsonInt(&out, INT64_MIN);
	EXPECT_EQ(out, "0 1762902353 -42 -9223372036854775808");
}

} // namespace
} // namespace capi::dispatch
