#include "core/http/url.hpp"

#include <gtest/gtest.h>

#include "core/error.hpp"

namespace capi::http {
namespace {

struct UrlCase {
	const char *url;
	bool allowed;
	const char *reason_part; // expected inside the reason when rejected
};

const UrlCase kUrlCases[] = {
    {"https://graph.facebook.com/v19.0/123/events?access_token=abc", true, ""},
    {"https://business-api.tiktok.com/open_api/v1.3/event/track/", true, ""},
    {"https://8.8.8.8/x", true, ""},
    {"https://[2001:db8::1]:8443/x", true, ""},
    {"HTTPS://API.Example.COM/", true, ""},
    {"http://127.0.0.1:8080/x", true, ""},
    {"http://127.1.2.3/x", true, ""},
    {"http://[::1]:9000/x?y=1", true, ""},
    {"http://localhost:5000/", true, ""},
    {"http://LOCALHOST/", true, ""},
    {"http://example.com/", false, "loopback"},
    {"http://10.0.0.1/", false, "\"10.0.0.1\""},
    {"http://128.0.0.1/", false, "loopback"},
    {"http://localhost.evil.com/", false, "loopback"},
    {"http://127.0.0.1.nip.io/", false, "loopback"},
    {"http://[::2]/", false, "loopback"},
    {"ftp://127.0.0.1/file", false, "scheme \"ftp\""},
    {"file:///etc/passwd", false, "scheme \"file\""},
    {"gopher://localhost/", false, "scheme \"gopher\""},
    {"https://user:pass@example.com/", false, "credentials"},
    {"http://user@127.0.0.1/", false, "credentials"},
    {"https://:secret@example.com/", false, "credentials"},
    {"http://127.0.0.1@evil.com/", false, "credentials"},
    {"", false, "empty"},
    {"graph.facebook.com/v19.0", false, "not a valid URL"},
    {"https://", false, "not a valid URL"},
    {"https://exa mple.com/", false, "not a valid URL"},
    {"not a url at all", false, "not a valid URL"},
};

// Shown in test names (ctest lists them by parameter value).
void PrintTo(const UrlCase &c, std::ostream *out) {
	*out << '"' << c.url << '"';
}

class UrlPolicy : public ::testing::TestWithParam<UrlCase> {};

TEST_P(UrlPolicy, AllowsOnlyHttpsOrLoopbackHttp) {
	const UrlCase &c = GetParam();
	UrlVerdict verdict = CheckUrl(c.url);
	EXPECT_EQ(verdict.allowed, c.allowed) << c.url << ": " << verdict.reason;
	if (c.allowed) {
		EXPECT_EQ(verdict.reason, "");
	} else {
		EXPECT_NE(verdict.reason.find(c.reason_part), std::string::npos) << c.url << ": " << verdict.reason;
	}
}

INSTANTIATE_TEST_SUITE_P(Http, UrlPolicy, ::testing::ValuesIn(kUrlCases));

TEST(UrlPolicy, ReasonNeverRepeatsTheQuery) {
	UrlVerdict verdict = CheckUrl("http://example.com/x?access_token=SECRET123");
	EXPECT_FALSE(verdict.allowed);
	EXPECT_EQ(verdict.reason.find("SECRET123"), std::string::npos) << verdict.reason;
}

TEST(UrlPolicy, RequireThrowsInvalidParameterValue) {
	try {
		RequireAllowedUrl("http://example.com/");
		FAIL() << "no exception";
	} catch (const Error &e) {
		EXPECT_STREQ(e.sqlstate(), "22023");
		EXPECT_NE(std::string(e.what()).find("loopback"), std::string::npos) << e.what();
	}
	EXPECT_NO_THROW(RequireAllowedUrl("https://example.com/"));
}

TEST(UrlPolicy, LoopbackHosts) {
	EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
	EXPECT_TRUE(IsLoopbackHost("127.255.255.254"));
	EXPECT_TRUE(IsLoopbackHost("::1"));
	EXPECT_TRUE(IsLoopbackHost("[::1]"));
	EXPECT_TRUE(IsLoopbackHost("::ffff:127.0.0.1"));
	EXPECT_TRUE(IsLoopbackHost("LocalHost"));
	EXPECT_FALSE(IsLoopbackHost("126.255.255.255"));
	EXPECT_FALSE(IsLoopbackHost("::ffff:10.0.0.1"));
	EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
	EXPECT_FALSE(IsLoopbackHost("localhost."));
	EXPECT_FALSE(IsLoopbackHost("[::1"));
	EXPECT_FALSE(IsLoopbackHost(""));
}

struct OverrideCase {
	const char *endpoint;
	const char *url;
	const char *expected;
};

const OverrideCase kOverrideCases[] = {
    {"http://127.0.0.1:8080", "https://graph.facebook.com/v19.0/123/events?access_token=a%2Bb&x=1",
     "http://127.0.0.1:8080/v19.0/123/events?access_token=a%2Bb&x=1"},
    {"http://127.0.0.1:8080/", "https://graph.facebook.com/v19.0/123/events",
     "http://127.0.0.1:8080/v19.0/123/events"},
    {"https://proxy.internal", "https://api.linkedin.com:443/rest/conversionEvents",
     "https://proxy.internal/rest/conversionEvents"},
    {"https://proxy.internal:9443", "https://tr.snapchat.com/v3/123/events?access_token=t",
     "https://proxy.internal:9443/v3/123/events?access_token=t"},
    {"http://[::1]:7000", "https://ads-api.reddit.com/api/v2.0/conversions/events/t2_x",
     "http://[::1]:7000/api/v2.0/conversions/events/t2_x"},
    {"http://localhost:9", "https://api.pinterest.com/v5/ad_accounts/1/events?test=true",
     "http://localhost:9/v5/ad_accounts/1/events?test=true"},
};

void PrintTo(const OverrideCase &c, std::ostream *out) {
	*out << c.endpoint << " + " << c.url;
}

class EndpointOverride : public ::testing::TestWithParam<OverrideCase> {};

TEST_P(EndpointOverride, ReplacesSchemeHostPortKeepsPathAndQuery) {
	EXPECT_EQ(ApplyEndpointOverride(GetParam().endpoint, GetParam().url), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Http, EndpointOverride, ::testing::ValuesIn(kOverrideCases));

TEST(EndpointOverride, RejectsBadEndpoints) {
	const char *url = "https://graph.facebook.com/v19.0/1/events";
	for (const char *endpoint :
	     {"http://example.com:8080", "http://127.0.0.1:8080/prefix", "http://127.0.0.1/?a=1",
	      "ftp://127.0.0.1", "https://u:p@proxy.internal", "127.0.0.1:8080", ""}) {
		try {
			ApplyEndpointOverride(endpoint, url);
			ADD_FAILURE() << "accepted endpoint " << endpoint;
		} catch (const Error &e) {
			EXPECT_STREQ(e.sqlstate(), "22023") << endpoint;
			EXPECT_NE(std::string(e.what()).find("endpoint override"), std::string::npos) << e.what();
		}
	}
}

TEST(EndpointOverride, RejectsBadTargetUrl) {
	EXPECT_THROW(ApplyEndpointOverride("http://127.0.0.1:1", "not a url"), Error);
	EXPECT_THROW(ApplyEndpointOverride("http://127.0.0.1:1", "https://u:p@graph.facebook.com/x"), Error);
}

} // namespace
} // namespace capi::http
