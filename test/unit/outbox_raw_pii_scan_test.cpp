#include "core/outbox/raw_pii_scan.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace capi::outbox {
// Quadratic work would take minutes. AddressSanitizer builds (scripts/sanitize) run several times
// slower: GCC says so with __SANITIZE_ADDRESS__, clang with __has_feature (which GCC's preprocessor
// cannot evaluate, hence the nesting).
#if defined(__SANITIZE_ADDRESS__)
#define CAPI_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CAPI_UNDER_ASAN 1
#endif
#endif
#ifdef CAPI_UNDER_ASAN
constexpr int kScanSecondsBound = 30;
#else
constexpr int kScanSecondsBound = 5;
#endif

namespace {

TEST(OutboxRawPiiScan, FindsEmailAddresses) {
	const char *addresses[] = {
	    "john@example.com",
	    "John.Smith+ads@Mail.Example.CO.UK",
	    "write to jane_doe@example.org.", // sentence end
	    "<a href=\"mailto:x@y.io\">",     // inside markup
	    "a@b.c@d.com",                    // second '@' forms one
	    "name=jos\xc3\xa9@example.com",   // UTF-8 local part
	    "jo@b\xc3\xbc"
	    "cher.de",                        // IDN domain
	    "jo@xn--bcher-kva.xn--p1ai",      // punycode
	    "john%40example.com",             // percent-encoded
	    "john%2540example.com",           // twice
	    "?u=%3Fe%3Djohn%2540example.com", // twice, inside an encoded URL
	    "a@b.example",                    // any letters TLD
	};
	for (const char *text : addresses)
		EXPECT_TRUE(ContainsEmailAddress(text)) << text;
}

TEST(OutboxRawPiiScan, LeavesOtherAtSignsAlone) {
	const char *texts[] = {
	    "",
	    "Shirt @ 50% off",
	    "@handle",
	    "follow @shop.example",   // no local part
	    "user@localhost",         // no dot
	    "v1@2.0",                 // digits TLD
	    "a@b.c",                  // one-letter TLD
	    "logo@2x.png",            // file extension
	    "icon@3x.WEBP?v=2",       // file extension, any case
	    "x@.com",                 // empty label
	    "x@a..com",               // empty label
	    "2 @ 9.99",               // spaces
	    "100% cotton, 50%40 off", // %40 without a domain
	    "%zz%4",                  // broken escapes
	    "a@-.-",                  // no labels
	};
	for (const char *text : texts)
		EXPECT_FALSE(ContainsEmailAddress(text)) << text;
}

TEST(OutboxRawPiiScan, IsLinearOnAdversarialInput) {
	// Each '@' looks over the domain run after it once; a quadratic scan would take minutes here.
	std::string at_signs(4 << 20, '@');
	std::string almost;
	while (almost.size() < (4u << 20))
		almost += "a@a.a.a.a.a.a.a.a1";
	std::string percent;
	while (percent.size() < (4u << 20))
		percent += "%2540a";
	auto start = std::chrono::steady_clock::now();
	EXPECT_FALSE(ContainsEmailAddress(at_signs));
	EXPECT_FALSE(ContainsEmailAddress(almost));
	EXPECT_FALSE(ContainsEmailAddress(percent));
	EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(kScanSecondsBound));
}

TEST(OutboxRawPiiScan, IdentifierKeysComeFromTheIdentityFieldList) {
	for (const char *key : {"email", "phone", "first_name", "last_name", "date_of_birth", "street",
	                        "external_id", "em", "ph", "fn", "ln", "db", "Email", " EMAIL "})
		EXPECT_TRUE(IsPersonalIdentifierKey(key)) << key;
	for (const char *key : {"city", "state", "zip", "country", "gender", "ct", "st", "zp", "ge", "value",
	                        "email_campaign", "phone_model", "contents", ""})
		EXPECT_FALSE(IsPersonalIdentifierKey(key)) << key;
}

} // namespace
} // namespace capi::outbox
