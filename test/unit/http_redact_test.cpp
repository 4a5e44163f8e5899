#include "core/http/redact.hpp"

#include <gtest/gtest.h>

namespace capi::http {
namespace {

TEST(RedactPatterns, HidesEveryQueryValue) {
	EXPECT_EQ(RedactPatterns("POST https://graph.facebook.com/v19.0/1/events?access_token=SECRET&x=1 failed"),
	          "POST https://graph.facebook.com/v19.0/1/events?access_token=[REDACTED]&x=[REDACTED] failed");
	EXPECT_EQ(RedactPatterns("[GET http://127.0.0.1:1/a?k=v;w=z#frag]"),
	          "[GET http://127.0.0.1:1/a?k=[REDACTED];w=[REDACTED]#frag]");
	EXPECT_EQ(RedactPatterns("url \"https://h/p?tokenonly\" end"), "url \"https://h/p?[REDACTED]\" end");
	EXPECT_EQ(RedactPatterns("https://h/p?a=&b=2"), "https://h/p?a=&b=[REDACTED]");
}

TEST(RedactPatterns, LeavesTextWithoutSecretsAlone) {
	const char *text =
	    "connect: Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't connect to server";
	EXPECT_EQ(RedactPatterns(text), text);
	EXPECT_EQ(RedactPatterns("Is it ok? Yes."), "Is it ok? Yes.");
	EXPECT_EQ(RedactPatterns(""), "");
}

TEST(RedactPatterns, HidesCredentialKeysOutsideUrls) {
	EXPECT_EQ(RedactPatterns("body access_token=EAAB123, next"), "body access_token=[REDACTED], next");
	EXPECT_EQ(RedactPatterns("Client_Secret=xyz&grant_type=refresh"),
	          "Client_Secret=[REDACTED]&grant_type=refresh");
	EXPECT_EQ(RedactPatterns("monkey=banana"), "monkey=banana"); // "key" only as a whole word
}

TEST(RedactPatterns, HidesSensitiveHeaderValues) {
	EXPECT_EQ(RedactPatterns("Authorization: Bearer abc.def\r\nContent-Type: application/json\r\n"),
	          "Authorization: [REDACTED]\r\nContent-Type: application/json\r\n");
	EXPECT_EQ(RedactPatterns("access-token: 0123456789abcdef"), "access-token: [REDACTED]");
	EXPECT_EQ(RedactPatterns("developer-token:DEVTOKEN"), "developer-token: [REDACTED]");
	EXPECT_EQ(RedactPatterns("got bearer eyJhbGciOi.x.y from cache"), "got bearer [REDACTED] from cache");
	EXPECT_EQ(RedactPatterns("Content-Type: application/json"), "Content-Type: application/json");
}

TEST(Redactor, ScrubsRegisteredSecretsEverywhere) {
	Redactor redactor;
	redactor.AddSecret("hunter2");
	redactor.AddSecret("");
	EXPECT_EQ(redactor.SecretCount(), 1u);
	EXPECT_EQ(redactor.Apply("password was hunter2 (hunter2hunter2)"),
	          "password was [REDACTED] ([REDACTED][REDACTED])");
}

TEST(Redactor, LongerSecretWinsOverItsSubstring) {
	Redactor redactor;
	redactor.AddSecret("abc");
	redactor.AddSecret("abcdef");
	EXPECT_EQ(redactor.Apply("x abcdef y abc"), "x [REDACTED] y [REDACTED]");
}

// The three scrubbers this one replaced each replaced secret after secret, longest first, in text they
// had already rewritten: two overlapping secrets left a piece of the shorter one ("a" of "abc" below),
// and a secret found inside a written "[REDACTED]" garbled it.
TEST(ReplaceSecrets, OverlappingSecretsLeaveNoPieceBehind) {
	EXPECT_EQ(ReplaceSecrets("key abcdef end", {"bcdef", "abc"}), "key [REDACTED] end");
	EXPECT_EQ(ReplaceSecrets("x abcdef y abc", {"abc", "abcdef"}), "x [REDACTED] y [REDACTED]");
	EXPECT_EQ(ReplaceSecrets("aaaa", {"aaa"}), "[REDACTED]"); // overlapping occurrences of one secret
}

TEST(ReplaceSecrets, NeverSearchesWhatItWrote) {
	EXPECT_EQ(ReplaceSecrets("token tok-123456 DACT", {"tok-123456", "DACT"}), "token [REDACTED] [REDACTED]");
	EXPECT_EQ(ReplaceSecrets("tok-123456", {"tok-123456", "ACTED"}), "[REDACTED]");
}

TEST(ReplaceSecrets, AdjacentSecretsStayApartAndEmptyOnesAreIgnored) {
	EXPECT_EQ(ReplaceSecrets("hunter2hunter2!", {"hunter2", ""}), "[REDACTED][REDACTED]!");
	EXPECT_EQ(ReplaceSecrets("nothing here", {}), "nothing here");
	EXPECT_EQ(ReplaceSecrets("", {"x"}), "");
}

TEST(Redactor, RegistersSensitiveHeaderValues) {
	Redactor redactor;
	redactor.AddHeaderSecrets({"Authorization: Bearer BEARER-SECRET-1", "Access-Token: TIKTOKSECRET",
	                           "developer-token: DEVSECRET", "Content-Type: application/json",
	                           "X-Trace: not-secret-value"});
	EXPECT_EQ(redactor.SecretCount(), 4u); // "Bearer BEARER-SECRET-1", "BEARER-SECRET-1", and two more
	std::string out = redactor.Apply("echo BEARER-SECRET-1 TIKTOKSECRET DEVSECRET not-secret-value");
	EXPECT_EQ(out, "echo [REDACTED] [REDACTED] [REDACTED] not-secret-value");
}

TEST(Redactor, RegistersQueryValuesRawAndDecoded) {
	Redactor redactor;
	redactor.AddUrlSecrets("https://graph.facebook.com/v19.0/1/events?access_token=EAAB%2Bxyz123&test=1#f");
	// "EAAB%2Bxyz123" and "EAAB+xyz123"; "1" is too short to register.
	EXPECT_EQ(redactor.SecretCount(), 2u);
	EXPECT_EQ(redactor.Apply("token EAAB+xyz123 / EAAB%2Bxyz123 / 1"), "token [REDACTED] / [REDACTED] / 1");
}

TEST(Redactor, CurlStyleErrorWithTokenNeverShowsIt) {
	Redactor redactor;
	std::string url = "https://tr.snapchat.com/v3/42/events?access_token=SECRET";
	redactor.AddUrlSecrets(url);
	std::string text = "timeout: Operation timed out (URL " + url + ") token SECRET again";
	std::string out = redactor.Apply(text);
	EXPECT_EQ(out.find("SECRET"), std::string::npos) << out;
	EXPECT_NE(out.find("access_token=[REDACTED]"), std::string::npos) << out;
}

TEST(Redactor, SensitiveHeaderNames) {
	EXPECT_TRUE(IsSensitiveHeader("Authorization"));
	EXPECT_TRUE(IsSensitiveHeader(" access-token "));
	EXPECT_TRUE(IsSensitiveHeader("X-Goog-Api-Key"));
	EXPECT_FALSE(IsSensitiveHeader("Content-Type"));
	EXPECT_FALSE(IsSensitiveHeader("Authorization-Extra"));
}

} // namespace
} // namespace capi::http
