// HTTPS against the in-test server with a self-signed certificate made by the openssl CLI.
#include <gtest/gtest.h>

#include "core/http/client.hpp"
#include "http_test_fixture.hpp"

namespace capi::http {
namespace {

using testing::CannedReply;
using testing::Post;
using testing::ReceivedRequest;
using testing::RunUntilIdle;
using testing::SelfSignedCert;
using testing::TestServer;

ClientOptions TlsOptions(const std::string &ca_file) {
	ClientOptions options;
	options.version = "9.9";
	// Generous: loading the system CA store takes seconds under valgrind.
	options.connect_timeout_ms = 20000;
	options.timeout_ms = 30000;
	options.ca_file = ca_file;
	return options;
}

Response RunOne(Client &client, Request request) {
	client.Submit(std::move(request));
	std::vector<Response> responses = RunUntilIdle(client);
	EXPECT_EQ(responses.size(), 1u);
	return responses.empty() ? Response{} : responses.front();
}

class HttpsClient : public ::testing::Test {
protected:
	// One certificate for the suite (RSA key generation takes a few hundred ms); a fresh server per test.
	static void SetUpTestSuite() { cert = new SelfSignedCert(); } // SAN IP:127.0.0.1, DNS:localhost
	static void TearDownTestSuite() {
		delete cert;
		cert = nullptr;
	}
	static SelfSignedCert *cert;

	const SelfSignedCert &cert_ = *cert;
	TestServer server_{cert_.cert_file(), cert_.key_file()};
};

SelfSignedCert *HttpsClient::cert = nullptr;

TEST_F(HttpsClient, VerifiesAgainstTheGivenCaFile) {
	server_.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.body = "secure";
		return reply;
	});
	Client client(TlsOptions(cert_.cert_file()));
	Response response = RunOne(client, Post(1, server_.Url("/tls?x=1"), "payload"));

	EXPECT_EQ(response.error, TransportError::kNone) << response.error_text;
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.body, "secure");
	ASSERT_EQ(server_.requests().size(), 1u);
	EXPECT_EQ(server_.requests()[0].body, "payload");
	EXPECT_EQ(server_.requests()[0].target, "/tls?x=1");
	EXPECT_GT(response.timings.connect_ms, 0);
	EXPECT_GT(response.timings.tls_ms, response.timings.connect_ms);
}

TEST_F(HttpsClient, HostNameLocalhostMatchesToo) {
	Client client(TlsOptions(cert_.cert_file()));
	Response response = RunOne(client, Post(1, "https://localhost:" + std::to_string(server_.port()) + "/x"));
	EXPECT_EQ(response.error, TransportError::kNone) << response.error_text;
	EXPECT_EQ(response.status, 200);
}

TEST_F(HttpsClient, OffersHttp2AndFallsBackToHttp11) {
	// The server only speaks HTTP/1.1: the client must offer h2 first in ALPN and accept http/1.1.
	Client client(TlsOptions(cert_.cert_file()));
	Response response = RunOne(client, Post(1, server_.Url("/alpn")));
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.http_version, "HTTP/1.1");
	ASSERT_EQ(server_.alpn_offers().size(), 1u);
	EXPECT_EQ(server_.alpn_offers()[0], (std::vector<std::string>{"h2", "http/1.1"}));
}

TEST_F(HttpsClient, FailsWithoutTheCaFile) {
	Client client(TlsOptions("")); // the system store does not know the self-signed certificate
	Response response = RunOne(client, Post(1, server_.Url("/tls")));
	EXPECT_EQ(response.error, TransportError::kTls);
	EXPECT_EQ(response.curl_code, 60); // CURLE_PEER_FAILED_VERIFICATION
	EXPECT_EQ(response.status, 0);
	EXPECT_EQ(response.error_text.rfind("tls: SSL certificate problem: self-signed certificate", 0), 0u)
	    << response.error_text;
	EXPECT_TRUE(server_.requests().empty());
}

TEST_F(HttpsClient, UnreadableCaFileIsTls) {
	Client client(TlsOptions("/nonexistent/ca.pem"));
	Response response = RunOne(client, Post(1, server_.Url("/tls")));
	EXPECT_EQ(response.error, TransportError::kTls);
	EXPECT_EQ(response.curl_code, 77); // CURLE_SSL_CACERT_BADFILE
}

TEST_F(HttpsClient, KeepAliveAvoidsNewHandshakes) {
	Client client(TlsOptions(cert_.cert_file()));
	for (std::uint64_t id = 1; id <= 3; id++) {
		Response response = RunOne(client, Post(id, server_.Url("/e")));
		EXPECT_EQ(response.status, 200);
		EXPECT_EQ(response.reused_connection, id > 1);
	}
	EXPECT_EQ(server_.accepted_connections(), 1);
	EXPECT_EQ(client.Stats().new_connections, 1u);
}

TEST_F(HttpsClient, TimeoutTextIncludesTheTlsHandshake) {
	server_.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.action = CannedReply::Action::kHang;
		return reply;
	});
	Client client(TlsOptions(cert_.cert_file()));
	Request request = Post(1, server_.Url("/hang"));
	request.timeout_ms = 400;
	Response response = RunOne(client, request);
	EXPECT_EQ(response.error, TransportError::kTimeout);
	EXPECT_NE(response.error_text.find("(limit 400 ms): connected in "), std::string::npos)
	    << response.error_text;
	EXPECT_NE(response.error_text.find(" ms, TLS in "), std::string::npos) << response.error_text;
	EXPECT_NE(response.error_text.find(" ms, no response ("), std::string::npos) << response.error_text;
}

TEST(HttpsStall, TimeoutDuringTheHandshakeSaysSo) {
	// A plain TCP server that never answers the ClientHello (it waits for an HTTP request line).
	TestServer plain;
	ClientOptions options = TlsOptions("");
	options.connect_timeout_ms = 400;
	Client client(options);
	Response response = RunOne(client, Post(1, "https://127.0.0.1:" + std::to_string(plain.port()) + "/x"));
	EXPECT_EQ(response.error, TransportError::kTimeout);
	EXPECT_NE(response.error_text.find("(limit 400 ms): resolved in "), std::string::npos)
	    << response.error_text;
	EXPECT_NE(response.error_text.find(" ms, TCP connected, TLS handshake not finished ("), std::string::npos)
	    << response.error_text;
	EXPECT_EQ(plain.accepted_connections(), 1);
}

TEST(HttpsHostCheck, CertificateForAnotherNameIsRejected) {
	// Trusted (it is the CA file) but issued for other.example only: host verification must fail.
	SelfSignedCert other("DNS:other.example");
	TestServer server(other.cert_file(), other.key_file());
	Client client(TlsOptions(other.cert_file()));
	Response response = RunOne(client, Post(1, server.Url("/x")));
	EXPECT_EQ(response.error, TransportError::kTls);
	EXPECT_EQ(response.curl_code, 60); // CURLE_PEER_FAILED_VERIFICATION
	EXPECT_NE(response.error_text.find(
	              "no alternative certificate subject name matches target host name '127.0.0.1'"),
	          std::string::npos)
	    << response.error_text;
	EXPECT_TRUE(server.requests().empty());
}

} // namespace
} // namespace capi::http
