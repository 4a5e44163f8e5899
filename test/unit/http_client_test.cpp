// The HTTP client against the in-test server (http_test_fixture.hpp) on 127.0.0.1.
#include "core/http/client.hpp"

#include <gtest/gtest.h>

#include <poll.h>

#include <algorithm>
#include <ctime>

#include "core/error.hpp"
#include "http_test_fixture.hpp"

namespace capi::http {
namespace {

using testing::CannedReply;
using testing::Post;
using testing::ReceivedRequest;
using testing::RunUntilIdle;
using testing::TestServer;

ClientOptions TestOptions() {
	ClientOptions options;
	options.version = "1.2.3";
	options.connect_timeout_ms = 2000;
	options.timeout_ms = 5000;
	return options;
}

// A port on 127.0.0.1 with nothing listening.
int UnusedPort() {
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

Response RunOne(Client &client, Request request) {
	client.Submit(std::move(request));
	std::vector<Response> responses = RunUntilIdle(client);
	EXPECT_EQ(responses.size(), 1u);
	return responses.empty() ? Response{} : responses.front();
}

TEST(HttpClient, PostRoundTrip) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.status = 200;
		reply.headers = {"X-FB-Trace-Id: AbC123trace", "Content-Type: application/json"};
		reply.body = R"({"events_received":1})";
		return reply;
	});
	Client client(TestOptions());
	Request request = Post(42, server.Url("/v19.0/123/events?x=1&y=%2F"));
	request.headers = {"Content-Type: application/json", "X-Custom: hello world"};
	request.body = std::string("{\"data\":[1,2]}\n\0\xff binary", 23);

	Response response = RunOne(client, request);

	ASSERT_EQ(server.requests().size(), 1u);
	ReceivedRequest got = server.requests()[0];
	EXPECT_EQ(got.method, "POST");
	EXPECT_EQ(got.target, "/v19.0/123/events?x=1&y=%2F");
	EXPECT_EQ(got.Header("Content-Type"), "application/json");
	EXPECT_EQ(got.Header("X-Custom"), "hello world");
	EXPECT_EQ(got.Header("User-Agent"), "pg_capi/1.2.3");
	EXPECT_EQ(got.Header("Content-Length"), "23");
	EXPECT_EQ(got.HeaderCount("Expect"), 0);
	EXPECT_EQ(got.body, request.body);

	EXPECT_EQ(response.id, 42u);
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.error, TransportError::kNone);
	EXPECT_EQ(response.curl_code, 0);
	EXPECT_EQ(response.error_text, "");
	EXPECT_TRUE(response.Succeeded());
	EXPECT_EQ(response.body, R"({"events_received":1})");
	EXPECT_FALSE(response.body_truncated);
	EXPECT_EQ(response.request_id_header, "x-fb-trace-id");
	EXPECT_EQ(response.request_id, "AbC123trace");
	EXPECT_EQ(response.http_version, "HTTP/1.1");
	EXPECT_FALSE(response.retry_after_seconds.has_value());
	EXPECT_GT(response.timings.connect_ms, 0);
	EXPECT_EQ(response.timings.tls_ms, 0);
	EXPECT_GE(response.timings.first_byte_ms, response.timings.connect_ms);
	EXPECT_GE(response.timings.total_ms, response.timings.first_byte_ms);
	EXPECT_FALSE(response.reused_connection);
	EXPECT_EQ(client.InFlight(), 0u);
	EXPECT_EQ(client.Stats().submitted, 1u);
	EXPECT_EQ(client.Stats().completed, 1u);
}

TEST(HttpClient, GetSendsNoBody) {
	TestServer server;
	Client client(TestOptions());
	Request request;
	request.id = 1;
	request.method = Method::kGet;
	request.url = server.Url("/status?id=7");
	Response response = RunOne(client, request);
	ASSERT_EQ(server.requests().size(), 1u);
	EXPECT_EQ(server.requests()[0].method, "GET");
	EXPECT_EQ(server.requests()[0].body, "");
	EXPECT_EQ(response.status, 200);
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
	TestServer server;
	Client client(TestOptions());
	std::vector<Response> responses;
	for (std::uint64_t id = 1; id <= 5; id++)
		responses.push_back(RunOne(client, Post(id, server.Url("/e"))));

	EXPECT_EQ(server.accepted_connections(), 1);
	ASSERT_EQ(responses.size(), 5u);
	for (std::size_t i = 0; i < responses.size(); i++) {
		EXPECT_EQ(responses[i].id, i + 1);
		EXPECT_EQ(responses[i].status, 200);
		EXPECT_EQ(responses[i].reused_connection, i > 0) << i;
	}
	for (const ReceivedRequest &request : server.requests())
		EXPECT_EQ(request.connection, 1);
	EXPECT_EQ(client.Stats().new_connections, 1u);
	EXPECT_EQ(client.Stats().reused_connections, 4u);
}

TEST(HttpClient, NeverExceedsMaxConcurrentAndQueuesTheRest) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.delay_ms = 150;
		return reply;
	});
	ClientOptions options = TestOptions();
	options.max_concurrent = 3;
	options.max_host_connections = 10; // so only the client's own queue can hold transfers back
	Client client(options);
	for (std::uint64_t id = 1; id <= 8; id++)
		client.Submit(Post(id, server.Url("/e")));
	EXPECT_EQ(client.InFlight(), 3u);
	EXPECT_EQ(client.Queued(), 5u);

	std::vector<Response> responses = RunUntilIdle(client);

	ASSERT_EQ(responses.size(), 8u);
	std::vector<std::uint64_t> ids;
	for (const Response &response : responses) {
		EXPECT_EQ(response.status, 200);
		ids.push_back(response.id);
	}
	std::sort(ids.begin(), ids.end());
	EXPECT_EQ(ids, (std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 8}));
	EXPECT_EQ(server.max_active_requests(), 3);
	EXPECT_LE(server.accepted_connections(), 3);
	EXPECT_EQ(server.requests().size(), 8u);
}

TEST(HttpClient, TimeoutNamesTheLimitAndWhereItStopped) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.delay_ms = 3000;
		return reply;
	});
	Client client(TestOptions());
	Request request = Post(9, server.Url("/slow"));
	request.timeout_ms = 300;
	auto start = std::chrono::steady_clock::now();
	Response response = RunOne(client, request);
	auto elapsed = std::chrono::steady_clock::now() - start;

	EXPECT_EQ(response.error, TransportError::kTimeout);
	EXPECT_EQ(response.curl_code, 28); // CURLE_OPERATION_TIMEDOUT
	EXPECT_EQ(response.status, 0);
	EXPECT_FALSE(response.Succeeded());
	EXPECT_EQ(response.error_text.rfind("timeout after ", 0), 0u) << response.error_text;
	EXPECT_NE(response.error_text.find("(limit 300 ms): connected in "), std::string::npos)
	    << response.error_text;
	EXPECT_NE(response.error_text.find(" ms, no response (Operation timed out after "), std::string::npos)
	    << response.error_text;
	EXPECT_NE(response.error_text.find("[POST http://127.0.0.1:"), std::string::npos) << response.error_text;
	EXPECT_GE(response.timings.total_ms, 299);
	EXPECT_LT(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count(), 1500);
}

TEST(HttpClient, ResetConnectionIsResetClass) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.action = CannedReply::Action::kReset;
		return reply;
	});
	Client client(TestOptions());
	Response response = RunOne(client, Post(1, server.Url("/reset")));
	EXPECT_EQ(response.error, TransportError::kReset);
	EXPECT_EQ(response.curl_code, 56); // CURLE_RECV_ERROR
	EXPECT_EQ(response.status, 0);
	EXPECT_EQ(response.error_text.rfind("reset: Recv failure: Connection reset by peer", 0), 0u)
	    << response.error_text;
}

TEST(HttpClient, EmptyReplyIsResetClass) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.action = CannedReply::Action::kClose;
		return reply;
	});
	Client client(TestOptions());
	Response response = RunOne(client, Post(1, server.Url("/close")));
	EXPECT_EQ(response.error, TransportError::kReset);
	EXPECT_EQ(response.curl_code, 52); // CURLE_GOT_NOTHING
}

TEST(HttpClient, RefusedPortIsConnectClass) {
	Client client(TestOptions());
	Response response = RunOne(client, Post(5, "http://127.0.0.1:" + std::to_string(UnusedPort()) + "/x"));
	EXPECT_EQ(response.id, 5u);
	EXPECT_EQ(response.error, TransportError::kConnect);
	EXPECT_EQ(response.curl_code, 7); // CURLE_COULDNT_CONNECT
	EXPECT_EQ(response.status, 0);
	EXPECT_EQ(response.error_text.rfind("connect: Failed to connect to 127.0.0.1 port ", 0), 0u)
	    << response.error_text;
}

TEST(HttpClient, UnknownHostIsDnsClass) {
	// Resolved by libcurl's threaded resolver (a resolver thread runs under SignalBlock).
	ClientOptions options = TestOptions();
	options.connect_timeout_ms = 4000;
	Client client(options);
	Response response = RunOne(client, Post(6, "https://capi-test-no-such-host.invalid/x"));
	EXPECT_EQ(response.error, TransportError::kDns) << response.error_text;
	EXPECT_EQ(response.curl_code, 6); // CURLE_COULDNT_RESOLVE_HOST
	EXPECT_EQ(response.error_text.rfind("dns: Could not resolve host: capi-test-no-such-host.invalid", 0), 0u)
	    << response.error_text;
}

TEST(HttpClient, TooManyRequestsWithRetryAfterSeconds) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.status = 429;
		reply.headers = {"Retry-After: 2"};
		reply.body = "slow down";
		return reply;
	});
	Client client(TestOptions());
	Response response = RunOne(client, Post(1, server.Url("/e")));
	EXPECT_EQ(response.status, 429);
	EXPECT_EQ(response.error, TransportError::kNone);
	EXPECT_FALSE(response.Succeeded());
	EXPECT_EQ(response.body, "slow down");
	ASSERT_TRUE(response.retry_after_seconds.has_value());
	EXPECT_EQ(*response.retry_after_seconds, 2);
}

TEST(HttpClient, ServiceUnavailableWithRetryAfterDate) {
	std::time_t in_two_minutes = std::time(nullptr) + 120;
	char date[64];
	std::tm utc{};
	gmtime_r(&in_two_minutes, &utc);
	std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &utc);
	TestServer server;
	server.SetHandler([&](const ReceivedRequest &) {
		CannedReply reply;
		reply.status = 503;
		reply.headers = {std::string("retry-after: ") + date};
		return reply;
	});
	Client client(TestOptions());
	Response response = RunOne(client, Post(1, server.Url("/e")));
	EXPECT_EQ(response.status, 503);
	ASSERT_TRUE(response.retry_after_seconds.has_value());
	EXPECT_GE(*response.retry_after_seconds, 118);
	EXPECT_LE(*response.retry_after_seconds, 120);
}

TEST(HttpClient, BodyIsCapped) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.body = std::string(1000, 'x');
		return reply;
	});
	ClientOptions options = TestOptions();
	options.max_body_bytes = 100;
	Client client(options);
	Response response = RunOne(client, Post(1, server.Url("/big")));
	EXPECT_EQ(response.status, 200);
	EXPECT_EQ(response.error, TransportError::kNone);
	EXPECT_EQ(response.body, std::string(100, 'x'));
	EXPECT_TRUE(response.body_truncated);
}

TEST(HttpClient, ErrorTextNeverShowsSecrets) {
	Client client(TestOptions());
	Request request = Post(1, "http://127.0.0.1:" + std::to_string(UnusedPort()) +
	                              "/v3/1/events?access_token=SECRETTOKEN&v=2");
	request.headers.push_back("Authorization: Bearer BEARERSECRET");
	request.secrets = {"127.0.0.1"}; // registered: appears in curl's own message
	Response response = RunOne(client, request);
	EXPECT_EQ(response.error, TransportError::kConnect);
	EXPECT_EQ(response.error_text.find("SECRETTOKEN"), std::string::npos) << response.error_text;
	EXPECT_EQ(response.error_text.find("127.0.0.1"), std::string::npos) << response.error_text;
	EXPECT_NE(response.error_text.find("access_token=[REDACTED]&v=[REDACTED]"), std::string::npos)
	    << response.error_text;
	EXPECT_EQ(response.error_text.rfind("connect: Failed to connect to [REDACTED] port ", 0), 0u)
	    << response.error_text;
}

TEST(HttpClient, SubmitEnforcesTheUrlPolicy) {
	Client client(TestOptions());
	for (const char *url :
	     {"http://example.com/x", "ftp://127.0.0.1/x", "https://user:pw@example.com/", "nope"}) {
		try {
			client.Submit(Post(1, url));
			ADD_FAILURE() << "accepted " << url;
		} catch (const Error &e) {
			EXPECT_STREQ(e.sqlstate(), "22023") << url;
		}
	}
	EXPECT_EQ(client.InFlight(), 0u);
	EXPECT_EQ(client.Stats().submitted, 0u);
}

TEST(HttpClient, SubmitRejectsHeaderInjection) {
	Client client(TestOptions());
	Request request = Post(1, "http://127.0.0.1:1/x");
	request.headers = {"X-A: 1\r\nX-Injected: 2"};
	EXPECT_THROW(client.Submit(request), Error);
	request.headers = {"no colon here"};
	EXPECT_THROW(client.Submit(request), Error);
	EXPECT_EQ(client.InFlight(), 0u);
}

TEST(HttpClient, BadOptionsThrow) {
	ClientOptions options = TestOptions();
	options.max_concurrent = 0;
	try {
		Client client(options);
		FAIL() << "no exception";
	} catch (const Error &e) {
		EXPECT_STREQ(e.sqlstate(), "22023");
	}
}

TEST(HttpClient, AbortAllDropsEverythingAndTheClientStaysUsable) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &request) {
		CannedReply reply;
		if (request.target == "/hang")
			reply.action = CannedReply::Action::kHang;
		return reply;
	});
	ClientOptions options = TestOptions();
	options.max_concurrent = 2;
	Client client(options);
	for (std::uint64_t id = 1; id <= 5; id++)
		client.Submit(Post(id, server.Url("/hang")));
	auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
	while (server.requests().size() < 2 && std::chrono::steady_clock::now() < until)
		client.Poll(20);
	ASSERT_EQ(server.requests().size(), 2u);
	EXPECT_FALSE(client.Watches().empty());

	client.AbortAll();

	EXPECT_EQ(client.InFlight(), 0u);
	EXPECT_EQ(client.Queued(), 0u);
	EXPECT_TRUE(client.Watches().empty());
	EXPECT_TRUE(client.TakeCompleted().empty());
	EXPECT_EQ(client.Stats().aborted, 5u);

	Response response = RunOne(client, Post(6, server.Url("/ok")));
	EXPECT_EQ(response.id, 6u);
	EXPECT_EQ(response.status, 200);
}

TEST(HttpClient, DestructorDropsTransfersInFlight) {
	TestServer server;
	server.SetHandler([](const ReceivedRequest &) {
		CannedReply reply;
		reply.action = CannedReply::Action::kHang;
		return reply;
	});
	{
		Client client(TestOptions());
		client.Submit(Post(1, server.Url("/hang")));
		client.Submit(Post(2, server.Url("/hang")));
		for (int i = 0; i < 20 && server.requests().size() < 2; i++)
			client.Poll(20);
		EXPECT_EQ(client.InFlight(), 2u);
	}
	EXPECT_EQ(server.requests().size(), 2u);
}

// The loop a PostgreSQL background worker runs, with only the public interface: wait on
// Watches() and NextTimeoutMs() (here with poll(2), there with a WaitEventSet), then dispatch.
TEST(HttpClient, ExternalEventLoop) {
	TestServer server;
	Client client(TestOptions());
	std::uint64_t version = client.WatchesVersion();
	client.Submit(Post(1, server.Url("/e")));
	EXPECT_EQ(client.NextTimeoutMs(), 0); // libcurl wants to start the transfer right away
	EXPECT_TRUE(client.Watches().empty());

	int wait_set_rebuilds = 0;
	std::vector<pollfd> wait_set;
	auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
	while (!client.HasCompleted() && std::chrono::steady_clock::now() < until) {
		if (client.WatchesVersion() != version) {
			version = client.WatchesVersion();
			wait_set.clear();
			for (const SocketWatch &watch : client.Watches()) {
				EXPECT_TRUE(watch.want_read || watch.want_write);
				wait_set.push_back(pollfd{
				    watch.fd,
				    static_cast<short>((watch.want_read ? POLLIN : 0) | (watch.want_write ? POLLOUT : 0)),
				    0});
			}
			wait_set_rebuilds++;
		}
		long timeout = client.NextTimeoutMs();
		int ready = poll(wait_set.data(), wait_set.size(),
		                 timeout < 0 || timeout > 100 ? 100 : static_cast<int>(timeout));
		ASSERT_GE(ready, 0);
		for (const pollfd &p : wait_set) {
			if (p.revents != 0)
				client.OnSocket(p.fd, (p.revents & (POLLIN | POLLERR | POLLHUP)) != 0,
				                (p.revents & POLLOUT) != 0);
		}
		if (client.NextTimeoutMs() == 0)
			client.OnTimeout();
	}
	std::vector<Response> responses = client.TakeCompleted();
	ASSERT_EQ(responses.size(), 1u);
	EXPECT_EQ(responses[0].status, 200);
	EXPECT_GE(wait_set_rebuilds, 1);
	EXPECT_FALSE(client.HasCompleted());
}

} // namespace
} // namespace capi::http
