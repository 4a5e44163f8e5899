// A small HTTP/1.1 (optionally TLS) server for the HTTP client's unit tests, and helpers.
//
// It listens on 127.0.0.1 on a free port, serves each connection on its own thread with
// keep-alive, records every request, counts accepted connections and the largest number of
// requests being handled at once, and answers through a handler that can delay, answer, reset the
// connection, close it without an answer, or hang. (The project's full platform test server is
// elsewhere, in test/server/; this one only serves these tests, and borrows its HTTP request reader,
// its OpenSSL server context and its self-signed test certificates.)
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/http/client.hpp"
#include "server/http/request_reader.hpp"
#include "server/net/self_signed_cert.hpp"
#include "server/net/tls_context.hpp"

namespace capi::http::testing {

struct ReceivedRequest {
	std::string method;
	std::string target; // path and query, as sent
	std::vector<std::pair<std::string, std::string>> headers;
	std::string body;
	int connection = 0; // which accepted connection carried it, from 1

	// The value of the first header with this name (any case); empty when absent.
	std::string Header(std::string_view name) const {
		for (const auto &[key, value] : headers) {
			if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0)
				return value;
		}
		return {};
	}
	int HeaderCount(std::string_view name) const {
		int count = 0;
		for (const auto &header : headers)
			count += header.first.size() == name.size() &&
			         strncasecmp(header.first.data(), name.data(), name.size()) == 0;
		return count;
	}
};

struct CannedReply {
	enum class Action {
		kRespond, // send status, headers and body
		kReset,   // close with a TCP RST (SO_LINGER 0) instead of answering
		kClose,   // close cleanly without answering
		kHang,    // never answer (until the server stops)
	};
	Action action = Action::kRespond;
	int status = 200;
	std::vector<std::string> headers; // "Name: value"
	std::string body;
	int delay_ms = 0; // wait this long before acting
};

class TestServer {
public:
	using Handler = std::function<CannedReply(const ReceivedRequest &)>;

	// With cert_file and key_file (PEM), the server speaks TLS (the platform test server's context:
	// TLS 1.2+, ALPN answering http/1.1 only).
	explicit TestServer(std::string cert_file = {}, std::string key_file = {}) {
		signal(SIGPIPE, SIG_IGN); // writes to connections the client already closed
		if (!cert_file.empty())
			tls_ = std::make_unique<testserver::TlsContext>(
			    cert_file, key_file,
			    [this](const std::vector<std::string> &offered) { RecordAlpnOffer(offered); });
		listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		int one = 1;
		setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		sockaddr_in address{};
		address.sin_family = AF_INET;
		address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		address.sin_port = 0;
		socklen_t length = sizeof address;
		if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
		    listen(listen_fd_, 128) != 0 ||
		    getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&address), &length) != 0)
			throw std::runtime_error("test server: cannot listen on 127.0.0.1");
		port_ = ntohs(address.sin_port);
		acceptor_ = std::thread([this] { AcceptLoop(); });
	}

	~TestServer() { Stop(); }

	TestServer(const TestServer &) = delete;
	TestServer &operator=(const TestServer &) = delete;

	void SetHandler(Handler handler) {
		std::lock_guard<std::mutex> lock(mutex_);
		handler_ = std::move(handler);
	}

	int port() const { return port_; }
	std::string Url(const std::string &path) const {
		return std::string(tls_ != nullptr ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
		       path;
	}

	int accepted_connections() const { return accepted_.load(); }
	int max_active_requests() const { return max_active_.load(); }
	std::vector<ReceivedRequest> requests() const {
		std::lock_guard<std::mutex> lock(mutex_);
		return requests_;
	}
	// The ALPN protocol lists clients offered in their TLS handshakes, e.g. {"h2", "http/1.1"}.
	std::vector<std::vector<std::string>> alpn_offers() const {
		std::lock_guard<std::mutex> lock(mutex_);
		return alpn_offers_;
	}

	void Stop() {
		if (stopping_.exchange(true))
			return;
		shutdown(listen_fd_, SHUT_RDWR); // wakes accept()
		if (acceptor_.joinable())
			acceptor_.join();
		std::vector<std::thread> workers;
		{
			std::lock_guard<std::mutex> lock(mutex_);
			for (int fd : open_fds_)
				shutdown(fd, SHUT_RDWR); // wakes blocked reads
			workers.swap(workers_);
		}
		for (std::thread &worker : workers)
			worker.join();
		close(listen_fd_);
	}

private:
	// Larger than any request the client tests send (the parser refuses a longer body).
	static constexpr std::size_t kMaxBodyBytes = std::size_t{256} << 20;

	// From the TLS handshakes (TlsContext's ALPN callback, on the connections' threads).
	void RecordAlpnOffer(const std::vector<std::string> &offered) {
		std::lock_guard<std::mutex> lock(mutex_);
		alpn_offers_.push_back(offered);
	}

	void AcceptLoop() {
		while (!stopping_.load()) {
			int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
			if (fd < 0) {
				if (stopping_.load())
					return;
				continue;
			}
			int one = 1; // no Nagle delay behind TLS session tickets
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			int number = ++accepted_;
			std::lock_guard<std::mutex> lock(mutex_);
			if (stopping_.load()) {
				close(fd);
				return;
			}
			open_fds_.insert(fd);
			workers_.emplace_back([this, fd, number] { Serve(fd, number); });
		}
	}

	// One connection: plain or TLS reads and writes.
	struct Connection {
		explicit Connection(int socket) : fd(socket) {}
		int fd;
		SSL *ssl = nullptr;
		std::string buffer; // received, not yet parsed
		testserver::RequestReader reader{kMaxBodyBytes};

		bool ReadMore() {
			char chunk[16384];
			long n = ssl != nullptr ? SSL_read(ssl, chunk, sizeof chunk) : recv(fd, chunk, sizeof chunk, 0);
			if (n <= 0)
				return false;
			buffer.append(chunk, static_cast<std::size_t>(n));
			return true;
		}
		bool WriteAll(const std::string &data) {
			std::size_t sent = 0;
			while (sent < data.size()) {
				long n = ssl != nullptr
				             ? SSL_write(ssl, data.data() + sent, static_cast<int>(data.size() - sent))
				             : send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
				if (n <= 0)
					return false;
				sent += static_cast<std::size_t>(n);
			}
			return true;
		}
	};

	// Reads one request; false on EOF, error or a malformed request. Parsed by the platform test
	// server's RequestReader (http-parser: Content-Length and chunked bodies, pipelining), so both test
	// servers read HTTP alike. Header names arrive lowercased (ReceivedRequest::Header ignores case).
	static bool ReadRequest(Connection &c, ReceivedRequest &request) {
		for (;;) {
			std::size_t consumed = 0;
			const testserver::RequestReader::Status status =
			    c.reader.Feed(c.buffer.data(), c.buffer.size(), &consumed);
			c.buffer.erase(0, consumed);
			if (status == testserver::RequestReader::Status::kError) {
				// Not HTTP (a TLS ClientHello sent to the plain server): never answered, as a server
				// waiting for a request line would; the connection ends when the client gives up.
				while (c.ReadMore())
					c.buffer.clear();
				return false;
			}
			if (status == testserver::RequestReader::Status::kRequestReady) {
				const testserver::HttpRequest &parsed = c.reader.request();
				request.method = parsed.method;
				request.target = parsed.target;
				for (const testserver::HttpHeader &header : parsed.headers)
					request.headers.emplace_back(header.name, header.value);
				request.body.assign(parsed.body.view());
				c.reader.NextRequest();
				return true;
			}
			if (!c.ReadMore())
				return false;
		}
	}

	static std::string Render(const CannedReply &reply) {
		std::string text = "HTTP/1.1 " + std::to_string(reply.status) +
		                   (reply.status == 200 ? " OK" : " Status") +
		                   "\r\nContent-Length: " + std::to_string(reply.body.size()) + "\r\n";
		for (const std::string &header : reply.headers)
			text += header + "\r\n";
		return text + "\r\n" + reply.body;
	}

	// Sleeps up to ms, returning early when the server stops.
	void Pause(int ms) {
		auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
		while (!stopping_.load() && std::chrono::steady_clock::now() < until)
			std::this_thread::sleep_for(std::chrono::milliseconds(5));
	}

	void Serve(int fd, int number) {
		Connection c{fd};
		bool reset = false;
		if (tls_ != nullptr) {
			c.ssl = tls_->NewSession(fd);
			if (c.ssl == nullptr || SSL_accept(c.ssl) != 1) {
				ERR_clear_error();
				Finish(c, false);
				return;
			}
		}
		for (;;) {
			ReceivedRequest request;
			request.connection = number;
			if (!ReadRequest(c, request))
				break;
			Handler handler;
			{
				std::lock_guard<std::mutex> lock(mutex_);
				requests_.push_back(request);
				handler = handler_;
			}
			int now_active = ++active_;
			int seen = max_active_.load();
			while (now_active > seen && !max_active_.compare_exchange_weak(seen, now_active)) {
			}
			CannedReply reply = handler ? handler(request) : CannedReply{};
			Pause(reply.delay_ms);
			bool keep_going = false;
			switch (reply.action) {
			case CannedReply::Action::kRespond:
				keep_going = c.WriteAll(Render(reply)) &&
				             strcasecmp(request.Header("connection").c_str(), "close") != 0;
				break;
			case CannedReply::Action::kReset:
				reset = true;
				break;
			case CannedReply::Action::kClose:
				break;
			case CannedReply::Action::kHang:
				Pause(24 * 3600 * 1000);
				break;
			}
			--active_;
			if (!keep_going)
				break;
		}
		Finish(c, reset);
	}

	void Finish(Connection &c, bool reset) {
		if (reset) {
			linger abortive{1, 0};
			setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive);
		} else if (c.ssl != nullptr) {
			SSL_shutdown(c.ssl);
		}
		if (c.ssl != nullptr)
			SSL_free(c.ssl);
		std::lock_guard<std::mutex> lock(mutex_);
		open_fds_.erase(c.fd);
		close(c.fd);
	}

	std::unique_ptr<testserver::TlsContext> tls_;
	int listen_fd_ = -1;
	int port_ = 0;
	std::atomic<bool> stopping_{false};
	std::atomic<int> accepted_{0};
	std::atomic<int> active_{0};
	std::atomic<int> max_active_{0};
	mutable std::mutex mutex_;
	Handler handler_;
	std::vector<ReceivedRequest> requests_;
	std::vector<std::vector<std::string>> alpn_offers_;
	std::set<int> open_fds_;
	std::thread acceptor_;
	std::vector<std::thread> workers_;
};

// The tests' certificates: shared with the platform test server's tests (test/server/net/).
using testserver::SelfSignedCert;

// Drives client with Poll until nothing is in flight or queued (or limit passes); returns the
// responses.
inline std::vector<Response>
RunUntilIdle(Client &client, std::chrono::milliseconds limit = std::chrono::milliseconds(10000)) {
	auto until = std::chrono::steady_clock::now() + limit;
	while ((client.InFlight() > 0 || client.Queued() > 0) && std::chrono::steady_clock::now() < until)
		client.Poll(50);
	return client.TakeCompleted();
}

inline Request Post(std::uint64_t id, std::string url, std::string body = "{}") {
	Request request;
	request.id = id;
	request.url = std::move(url);
	request.headers = {"Content-Type: application/json"};
	request.body = std::move(body);
	return request;
}

} // namespace capi::http::testing
