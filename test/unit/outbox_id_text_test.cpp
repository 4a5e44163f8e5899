#include "core/outbox/id_text.hpp"
#include "core/outbox/json_depth.hpp"

#include <gtest/gtest.h>

#include <string>

namespace capi::outbox {
namespace {

TEST(OutboxIdText, InvisibleTextHasNoVisibleCharacter) {
	for (const char *text :
	     {"", " ", " \t\r\n", "\u200b", "\ufeff", "\u200e\u200f", "\u202a\u202c\u2066",
	      "\u00a0\u3000\u2009\u202f", "\u3164", "\u2060\u00ad", "\ufe0f", "\u180e", "\xc2\x85"})
		EXPECT_TRUE(IsInvisible(text)) << text;
	for (const char *text : {"a", "\u200b1", " . ", "\u6ce8", "\u00e9", "\U0001F600", "-", "\u0301"})
		EXPECT_FALSE(IsInvisible(text)) << text;
}

TEST(OutboxIdText, ControlCharacters) {
	for (const char *text : {"a\nb", "\r", "\t", "\x1b[0m", "x\x7f", "\xc2\x80", "\xc2\x9f", "\xc2\x85"})
		EXPECT_TRUE(ContainsControlCharacter(text)) << text;
	for (const char *text : {"", "order-1042", "\xc2\xa0", "\xc2\xa9", "\u2028x", "\u00e9"})
		EXPECT_FALSE(ContainsControlCharacter(text)) << text;
}

// Issue 14: bidirectional controls and line separators (none of them is a C0/C1 control).
TEST(OutboxIdText, BidiControlsAndSeparators) {
	for (const char *text : {"order-\u202e1", "\u2066x\u2069", "a\u200e", "a\u200f", "\u061cx", "\u202a",
	                         "\u202d", "x\u2028y", "x\u2029"})
		EXPECT_TRUE(ContainsBidiControlOrSeparator(text)) << text;
	for (const char *text : {"", "order-1042", "\u00e9t\u00e9", "\u05e9\u05dc\u05d5\u05dd", "\u200b",
	                         "\u2027", "\u202f", "\U0001F600", "\xc3"})
		EXPECT_FALSE(ContainsBidiControlOrSeparator(text)) << text;
}

TEST(OutboxJsonDepth, CountsBracketsOutsideStrings) {
	EXPECT_FALSE(JsonDeeperThan("1", 0));
	EXPECT_TRUE(JsonDeeperThan("{}", 0));
	EXPECT_FALSE(JsonDeeperThan("{}", 1));
	EXPECT_FALSE(JsonDeeperThan(R"({"contents": [{"id": 1}], "b": [[]]})", 3));
	EXPECT_TRUE(JsonDeeperThan(R"({"contents": [{"id": [1]}]})", 3));
	EXPECT_FALSE(JsonDeeperThan(R"({"a": "[[[[{{{{", "b": "\"[[[["})", 1));
	EXPECT_FALSE(JsonDeeperThan(R"({"a\\": "[[["})", 1)); // escaped backslash, then the string ends
	EXPECT_TRUE(JsonDeeperThan(R"(["\\", [[]]])", 2));
	EXPECT_FALSE(JsonDeeperThan("[[]][[]][[]]", 2)); // siblings do not add up
}

TEST(OutboxJsonDepth, StopsAtTheFirstBracketBeyondTheLimit) {
	std::string deep(10'000'000, '[');
	EXPECT_TRUE(JsonDeeperThan(deep, 16));
	EXPECT_FALSE(JsonDeeperThan(std::string(16, '[') + std::string(16, ']'), 16));
}

} // namespace
} // namespace capi::outbox
