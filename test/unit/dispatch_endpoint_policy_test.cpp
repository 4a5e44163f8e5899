// The endpoint policy (capi.allowed_endpoint_hosts): host canonicalization and the URL forms that have
// more than one reading, the setting's parsing, matching of host and port, and each platform's own
// hosts.
#include "core/dispatch/endpoint_policy.hpp"

#include <gtest/gtest.h>

#include "core/platforms/meta/meta_adapter.hpp"
#include "core/error.hpp"
#include "core/http/url.hpp"

namespace capi::dispatch {
namespace {

Destination WithEndpoint(const std::string &endpoint) {
	Destination destination;
	destination.name = "shop_meta";
	destination.config_json = R"({"pixel_id": "1"})";
	destination.credentials_json = R"({"access_token": "EAAtoken-xyz"})";
	destination.endpoint_override = endpoint;
	return destination;
}

// The SQLSTATE RequireAllowedEndpoint throws, "" when it allows the endpoint.
std::string Verdict(const std::string &endpoint, const std::string &allowed, std::string *message = nullptr) {
	try {
		RequireAllowedEndpoint(WithEndpoint(endpoint), MetaAdapter(), allowed);
		return "";
	} catch (const Error &error) {
		if (message != nullptr) {
			*message = error.what();
		}
		return error.sqlstate();
	}
}

// ---- http::CanonicalHost ------------------------------------------------------------------------

TEST(CanonicalHost, PlainFormsAreLowerCased) {
	std::string problem;
	EXPECT_EQ(http::CanonicalHost("Graph.Facebook.COM", &problem), "graph.facebook.com");
	EXPECT_EQ(http::CanonicalHost("127.0.0.1", &problem), "127.0.0.1");
	EXPECT_EQ(http::CanonicalHost("0.0.0.0", &problem), "0.0.0.0");
	EXPECT_EQ(http::CanonicalHost("localhost", &problem), "localhost");
	EXPECT_EQ(http::CanonicalHost("xn--bcher-kva.example", &problem), "xn--bcher-kva.example");
	EXPECT_EQ(http::CanonicalHost("1.example.com", &problem), "1.example.com");
	EXPECT_EQ(http::CanonicalHost("[::1]", &problem), "[::1]");
	EXPECT_EQ(http::CanonicalHost("[0:0::1]", &problem), "[::1]");
	EXPECT_EQ(http::CanonicalHost("[2001:DB8::A]", &problem), "[2001:db8::a]");
}

TEST(CanonicalHost, AmbiguousFormsAreRefused) {
	for (const char *host : {"",
	                         "graph.facebook.com.",
	                         ".graph.facebook.com",
	                         "graph..facebook.com",
	                         "gr%61ph.facebook.com",
	                         "2130706433",
	                         "0x7f.1",
	                         "0x7f000001",
	                         "127.1",
	                         "0177.0.0.1",
	                         "127.0.0.01",
	                         "256.1.1.1",
	                         "1.2.3.4.5",
	                         "127.0.0.1.",
	                         "::1",
	                         "[::1",
	                         "[fe80::1%25eth0]",
	                         "[not-v6]",
	                         "bücher.example",
	                         "a_b.example",
	                         "*.example.com",
	                         "evil.example\\",
	                         "host name"}) {
		std::string problem;
		EXPECT_EQ(http::CanonicalHost(host, &problem), "") << host;
		EXPECT_NE(problem, "") << host;
	}
	std::string problem;
	EXPECT_EQ(http::CanonicalHost(std::string(64, 'a') + ".example", &problem), "");
	EXPECT_EQ(http::CanonicalHost(std::string(254, 'a'), &problem), "");
}

// ---- http::ExactTarget ---------------------------------------------------------------------------

TEST(ExactTarget, StatesSchemeHostAndPort) {
	http::UrlTarget target;
	std::string problem;
	ASSERT_TRUE(http::ExactTarget("HTTPS://Graph.Facebook.com", &target, &problem)) << problem;
	EXPECT_EQ(target.scheme, "https");
	EXPECT_EQ(target.host, "graph.facebook.com");
	EXPECT_EQ(target.port, 443);
	ASSERT_TRUE(http::ExactTarget("http://127.0.0.1:8080/", &target, &problem)) << problem;
	EXPECT_EQ(target.host, "127.0.0.1");
	EXPECT_EQ(target.port, 8080);
	ASSERT_TRUE(http::ExactTarget("http://[::1]:9000", &target, &problem)) << problem;
	EXPECT_EQ(target.host, "[::1]");
	EXPECT_EQ(target.port, 9000);
	ASSERT_TRUE(http::ExactTarget("http://localhost", &target, &problem)) << problem;
	EXPECT_EQ(target.port, 80);
}

TEST(ExactTarget, RefusesWhatLibcurlReadsDifferentlyOrAmbiguously) {
	for (const char *url : {
	         "https://graph.facebook.com@evil.example/",  // user info: the host is evil.example
	         "https://evil.example\\@graph.facebook.com", // libcurl: user "evil.example\"
	         "https://user:pw@graph.facebook.com",
	         "https://graph.facebook.com./",
	         "https://gr%61ph.facebook.com",
	         "http://2130706433",
	         "http://0x7f.1",
	         "http://127.1",
	         "http://0177.0.0.1",
	         "https://0251.0376.0251.0376", // 169.254.169.254
	         "https://[fe80::1%25eth0]",
	         "https:///graph.facebook.com", // libcurl reads graph.facebook.com; as written, no host
	         "https://bücher.example",
	         "not a url",
	         "",
	     }) {
		http::UrlTarget target;
		std::string problem;
		EXPECT_FALSE(http::ExactTarget(url, &target, &problem)) << url << " -> " << target.host;
		EXPECT_NE(problem, "") << url;
		EXPECT_EQ(problem.find("graph.facebook"), std::string::npos) << problem;
	}
}

// ---- the setting -------------------------------------------------------------------------------

TEST(AllowedEndpoints, ParsesHostsPortsAndIpv6) {
	std::vector<AllowedEndpoint> allowed =
	    ParseAllowedEndpoints(" 127.0.0.1, LocalHost:8080 ,[::1]:9000,, [2001:db8::1], proxy.internal:443 ");
	ASSERT_EQ(allowed.size(), 5u);
	EXPECT_EQ(allowed[0].host, "127.0.0.1");
	EXPECT_EQ(allowed[0].port, 0);
	EXPECT_EQ(allowed[1].host, "localhost");
	EXPECT_EQ(allowed[1].port, 8080);
	EXPECT_EQ(allowed[2].host, "[::1]");
	EXPECT_EQ(allowed[2].port, 9000);
	EXPECT_EQ(allowed[3].host, "[2001:db8::1]");
	EXPECT_EQ(allowed[3].port, 0);
	EXPECT_EQ(allowed[4].host, "proxy.internal");
	EXPECT_EQ(allowed[4].port, 443);
	EXPECT_TRUE(ParseAllowedEndpoints("").empty());
	EXPECT_TRUE(ParseAllowedEndpoints(" , ").empty());
	EXPECT_EQ(AllowedEndpointsProblem("127.0.0.1, localhost:5432"), "");
}

TEST(AllowedEndpoints, RefusesBadEntriesNamingThem) {
	for (const char *setting :
	     {"*", "*.example.com", "https://proxy.example", "proxy.example/", "::1", "[::1", "[::1]x",
	      "host:", "host:0", "host:65536", "host:http", "host:80:81", "2130706433", "example.com.", "a b"}) {
		std::string problem = AllowedEndpointsProblem(setting);
		EXPECT_NE(problem, "") << setting;
		EXPECT_NE(problem.find("capi.allowed_endpoint_hosts"), std::string::npos) << problem;
		EXPECT_THROW(ParseAllowedEndpoints(setting), Error) << setting;
	}
	EXPECT_NE(AllowedEndpointsProblem("127.0.0.1, *").find("\"*\""), std::string::npos);
}

// ---- the policy --------------------------------------------------------------------------------

TEST(EndpointPolicy, NoOverrideAndThePlatformsOwnHostNeedNoEntry) {
	EXPECT_EQ(Verdict("", ""), "");
	EXPECT_EQ(Verdict("https://graph.facebook.com", ""), "");
	EXPECT_EQ(Verdict("https://GRAPH.facebook.com:443/", ""), "");
}

TEST(EndpointPolicy, OtherHostsNeedAnEntry) {
	std::string message;
	EXPECT_EQ(Verdict("http://127.0.0.1:8080", "", &message), "42501");
	EXPECT_NE(message.find("capi.allowed_endpoint_hosts"), std::string::npos) << message;
	EXPECT_NE(message.find("127.0.0.1:8080"), std::string::npos) << message;
	EXPECT_NE(message.find("shop_meta"), std::string::npos) << message;
	EXPECT_EQ(Verdict("https://169.254.169.254", "127.0.0.1"), "42501");
	EXPECT_EQ(Verdict("https://metadata.google.internal", "127.0.0.1, localhost"), "42501");

	EXPECT_EQ(Verdict("http://127.0.0.1:8080", "127.0.0.1"), "");
	EXPECT_EQ(Verdict("http://127.0.0.1:8080", "localhost, 127.0.0.1:8080"), "");
	EXPECT_EQ(Verdict("http://127.0.0.1:8081", "127.0.0.1:8080"), "42501");
	EXPECT_EQ(Verdict("http://127.0.0.1", "127.0.0.1:80"), ""); // the scheme's default port
	EXPECT_EQ(Verdict("https://proxy.internal", "proxy.internal:443"), "");
	EXPECT_EQ(Verdict("https://proxy.internal:8443", "proxy.internal:443"), "42501");
	EXPECT_EQ(Verdict("http://LOCALHOST:5000", "localhost"), "");
	EXPECT_EQ(Verdict("http://[::1]:5000", "[0::1]"), "");
	EXPECT_EQ(Verdict("http://localhost:5000", "127.0.0.1"), "42501"); // names are not resolved
}

TEST(EndpointPolicy, NoSuffixOrPrefixMatching) {
	EXPECT_EQ(Verdict("https://evil.graph.facebook.com", ""), "42501");
	EXPECT_EQ(Verdict("https://graph.facebook.com.evil.example", ""), "42501");
	EXPECT_EQ(Verdict("https://proxy.internal.evil.example", "proxy.internal"), "42501");
	EXPECT_EQ(Verdict("https://sub.proxy.internal", "proxy.internal"), "42501");
}

TEST(EndpointPolicy, AmbiguousEndpointsAreRefusedEvenWithAnEntry) {
	std::string message;
	EXPECT_EQ(Verdict("https://graph.facebook.com@evil.example/", "", &message), "22023");
	EXPECT_EQ(message.find("evil.example"), std::string::npos) << message;
	EXPECT_EQ(Verdict("http://2130706433:8080", "127.0.0.1"), "22023");
	EXPECT_EQ(Verdict("http://0x7f.1:8080", "127.0.0.1"), "22023");
	EXPECT_EQ(Verdict("http://127.0.0.1.:8080", "127.0.0.1"), "22023");
	EXPECT_EQ(Verdict("https://graph.facebook.com.", ""), "22023");
	EXPECT_EQ(Verdict("https://gr%61ph.facebook.com", ""), "22023");
}

TEST(EndpointPolicy, CredentialsAreNeverQuoted) {
	std::string message;
	EXPECT_EQ(Verdict("https://user:EAAsecret@proxy.internal", "", &message), "22023");
	EXPECT_EQ(message.find("EAAsecret"), std::string::npos) << message;
}

TEST(EndpointPolicy, ABrokenSettingRefusesRatherThanAllows) {
	EXPECT_EQ(Verdict("http://127.0.0.1:8080", "127.0.0.1, *"), "22023");
	EXPECT_EQ(Verdict("https://graph.facebook.com", "*"), ""); // own host: the setting is not read
}

TEST(EndpointPolicy, ReachesOwnHost) {
	MetaAdapter meta;
	EXPECT_TRUE(ReachesOwnHost(WithEndpoint(""), meta));
	EXPECT_TRUE(ReachesOwnHost(WithEndpoint("https://graph.facebook.com"), meta));
	EXPECT_FALSE(ReachesOwnHost(WithEndpoint("http://127.0.0.1:8080"), meta));
	EXPECT_FALSE(ReachesOwnHost(WithEndpoint("https://graph.facebook.com@evil.example"), meta));
	EXPECT_FALSE(ReachesOwnHost(WithEndpoint("https://graph.facebook.com."), meta));
	EXPECT_FALSE(ReachesOwnHost(WithEndpoint("garbage"), meta));
}

// Each adapter's default base URL leads to one of its own hosts, and those are canonical.
TEST(EndpointPolicy, OwnHostsAreCanonicalAndIncludeTheDefaultBaseUrl) {
	MetaAdapter meta;
	ASSERT_FALSE(meta.OwnHosts().empty());
	for (std::string_view host : meta.OwnHosts()) {
		std::string problem;
		EXPECT_EQ(http::CanonicalHost(host, &problem), host) << problem;
	}
	http::UrlTarget target;
	std::string problem;
	ASSERT_TRUE(http::ExactTarget(kMetaDefaultBaseUrl, &target, &problem)) << problem;
	EXPECT_EQ(target.host, "graph.facebook.com");
	EXPECT_TRUE(ReachesOwnHost(WithEndpoint(std::string(kMetaDefaultBaseUrl)), meta));
}

} // namespace
} // namespace capi::dispatch
