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

// The copies this escaper replaced (the worker's jsonb renderer, the test server's) wrote U+0008 and
// U+000C as \u0008 and \u000c, this one as \b and \f. RFC 8259 section 7 allows both; one escaper
// means one form: the two-character ones, as nlohmann::json writes every control character.
TEST(JsonWriter, EveryControlCharacterAsNlohmannWritesIt) {
	for (int c = 0; c < 0x20; ++c) {
		const std::string text(1, static_cast<char>(c));
		EXPECT_EQ(Quoted(text), nlohmann::json(text).dump()) << c;
	}
	EXPECT_EQ(Quoted("\b"), "\"\\b\"");
	EXPECT_EQ(Quoted("\f"), "\"\\f\"");
}

// After an escape the writer goes back to skipping whole words: specials far apart, each found.
TEST(JsonWriter, SpecialsAfterLongPlainRuns) {
	std::string text;
	for (int i = 0; i < 6; ++i) {
		text.append(std::string(17 + i, 'x'));
		text.push_back(i % 2 == 0 ? '"' : '\x01');
	}
	text.append("tail");
	ASSERT_EQ(Quoted(text), nlohmann::json(text).dump());
}

// WriteJsonString hands its output to any sink (the worker's is a StringInfo): pieces, in order.
TEST(JsonWriter, WritesThroughAnySink) {
	std::string joined;
	int pieces = 0;
	WriteJsonString("a\"b", [&](const char *bytes, std::size_t length) {
		joined.append(bytes, length);
		++pieces;
	});
	EXPECT_EQ(joined, "\"a\\\"b\"");
	EXPECT_GE(pieces, 4); // quote, "a", the escape, "b", quote (empty runs may be passed too)
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
