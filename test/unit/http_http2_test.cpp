// HTTP/2 over TLS against nghttpd (Debian package nghttp2-server), the reference server of the
// nghttp2 library that libcurl itself uses: ALPN selects h2 and concurrent transfers share one
// multiplexed connection. Skipped when nghttpd is not installed (scripts/install-deps installs it).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <fstream>

#include "core/http/client.hpp"
#include "http_test_fixture.hpp"

namespace capi::http {
namespace {

using testing::Post;
using testing::RunUntilIdle;
using testing::SelfSignedCert;

constexpr const char *kNghttpd = "/usr/sbin/nghttpd";

int FreePort() {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in address{};
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t length = sizeof address;
	bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
	getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
	close(fd);
	return ntohs(address.sin_port);
}

bool CanConnect(int port) {
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	sockaddr_in address{};
	address.sin_family = AF_INET;
	address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	address.sin_port = htons(static_cast<uint16_t>(port));
	bool ok = connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
	close(fd);
	return ok;
}

// nghttpd on 127.0.0.1 with the suite's certificate, echoing POST bodies, serving docroot for GET.
class Http2Client : public ::testing::Test {
protected:
	static void SetUpTestSuite() {
		if (access(kNghttpd, X_OK) == 0)
			cert = new SelfSignedCert();
	}
	static void TearDownTestSuite() {
		delete cert;
		cert = nullptr;
	}

	void SetUp() override {
		if (cert == nullptr)
			GTEST_SKIP() << kNghttpd << " not installed (Debian package nghttp2-server)";
		char pattern[] = "/tmp/capi_h2_docroot_XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		docroot_ = pattern;
		std::ofstream(docroot_ + "/hello.txt") << "hello over h2";
		port_ = FreePort();
		std::string port = std::to_string(port_);
		std::string docroot = "--htdocs=" + docroot_;
		pid_ = fork();
		ASSERT_GE(pid_, 0);
		if (pid_ == 0) {
			// nghttpd's output would interleave with the test's; without /dev/null it may as well.
			if (freopen("/dev/null", "w", stdout) == nullptr || freopen("/dev/null", "w", stderr) == nullptr)
				_exit(126);
			execl(kNghttpd, kNghttpd, "--address=127.0.0.1", "--echo-upload", docroot.c_str(), port.c_str(),
			      cert->key_file().c_str(), cert->cert_file().c_str(), static_cast<char *>(nullptr));
			_exit(127);
		}
		for (int i = 0; i < 500 && !CanConnect(port_); i++)
			usleep(10000);
		ASSERT_TRUE(CanConnect(port_)) << "nghttpd did not start";
	}

	void TearDown() override {
		if (pid_ > 0) {
			kill(pid_, SIGTERM);
			waitpid(pid_, nullptr, 0);
		}
		if (!docroot_.empty()) {
			std::remove((docroot_ + "/hello.txt").c_str());
			rmdir(docroot_.c_str());
		}
	}

	std::string Url(const std::string &path) const {
		return "https://127.0.0.1:" + std::to_string(port_) + path;
	}

	ClientOptions Options(std::size_t max_concurrent) const {
		ClientOptions options;
		options.version = "h2";
		options.max_concurrent = max_concurrent;
		options.ca_file = cert->cert_file();
		options.connect_timeout_ms = 20000;
		options.timeout_ms = 30000;
		return options;
	}

	static SelfSignedCert *cert;
	std::string docroot_;
	int port_ = 0;
	pid_t pid_ = -1;
};

SelfSignedCert *Http2Client::cert = nullptr;

TEST_F(Http2Client, NegotiatesHttp2AndEchoesThePost) {
	Client client(Options(1));
	client.Submit(Post(1, Url("/events?x=1"), R"({"data":[{"event_name":"Purchase"}]})"));
	std::vector<Response> responses = RunUntilIdle(client);
	ASSERT_EQ(responses.size(), 1u);
	EXPECT_EQ(responses[0].error, TransportError::kNone) << responses[0].error_text;
	EXPECT_EQ(responses[0].status, 200);
	EXPECT_EQ(responses[0].http_version, "HTTP/2");
	EXPECT_EQ(responses[0].body, R"({"data":[{"event_name":"Purchase"}]})");
}

TEST_F(Http2Client, GetServesAFile) {
	Client client(Options(1));
	Request request;
	request.id = 3;
	request.method = Method::kGet;
	request.url = Url("/hello.txt");
	client.Submit(request);
	std::vector<Response> responses = RunUntilIdle(client);
	ASSERT_EQ(responses.size(), 1u);
	EXPECT_EQ(responses[0].status, 200);
	EXPECT_EQ(responses[0].body, "hello over h2");
}

TEST_F(Http2Client, ConcurrentRequestsShareOneMultiplexedConnection) {
	Client client(Options(8));
	for (std::uint64_t id = 1; id <= 8; id++)
		client.Submit(Post(id, Url("/events"), "body-" + std::to_string(id)));
	EXPECT_EQ(client.InFlight(), 8u);
	std::vector<Response> responses = RunUntilIdle(client);

	ASSERT_EQ(responses.size(), 8u);
	for (const Response &response : responses) {
		EXPECT_EQ(response.status, 200) << response.error_text;
		EXPECT_EQ(response.http_version, "HTTP/2");
		EXPECT_EQ(response.body, "body-" + std::to_string(response.id));
	}
	// One TLS connection: the first transfer opened it, the other seven waited for it (PIPEWAIT)
	// and were multiplexed onto it.
	EXPECT_EQ(client.Stats().new_connections, 1u);
	EXPECT_EQ(client.Stats().reused_connections, 7u);
}

TEST_F(Http2Client, LaterBatchesReuseTheConnection) {
	Client client(Options(4));
	for (int batch = 0; batch < 3; batch++) {
		for (int i = 0; i < 4; i++)
			client.Submit(Post(static_cast<std::uint64_t>(batch * 4 + i), Url("/events")));
		std::vector<Response> responses = RunUntilIdle(client);
		ASSERT_EQ(responses.size(), 4u);
		for (const Response &response : responses)
			EXPECT_EQ(response.status, 200);
	}
	EXPECT_EQ(client.Stats().new_connections, 1u);
	EXPECT_EQ(client.Stats().reused_connections, 11u);
}

} // namespace
} // namespace capi::http
