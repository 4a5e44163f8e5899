#include "server/net/event_loop.hpp"

#include "server/net/connection.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <algorithm>
#include <functional>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <queue>
#include <stdexcept>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <vector>

namespace capi::testserver {
namespace {

constexpr uint64_t kListenerKey = 0;
constexpr uint64_t kStopKey = 1;
constexpr size_t kScratchBytes = 256 * 1024;
constexpr int kMaxEvents = 256;

bool IsLoopback(const std::string &host, sockaddr_storage *address, socklen_t *length) {
	std::memset(address, 0, sizeof(*address));
	auto *v4 = reinterpret_cast<sockaddr_in *>(address);
	if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		*length = sizeof(sockaddr_in);
		return (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
	}
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(address);
	if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		*length = sizeof(sockaddr_in6);
		return IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
	}
	return false;
}

std::string Errno(const char *what) {
	return std::string(what) + ": " + std::strerror(errno);
}

} // namespace

int64_t MonotonicMs() {
	timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
}

struct EventLoop::State {
	RequestHandler &handler;
	const TlsContext *tls;
	size_t max_body_bytes;
	int epoll_fd = -1;
	int stop_fd = -1;
	int listen_fd = -1;
	uint64_t next_key = 2;
	std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections;
	using Timer = std::pair<int64_t, uint64_t>; // deadline, connection key
	std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers;
	std::vector<char> scratch = std::vector<char>(kScratchBytes);

	State(RequestHandler &h, const TlsContext *t, size_t max_body)
	    : handler(h), tls(t), max_body_bytes(max_body) {}

	void Register(int fd, uint64_t key, uint32_t events, int op) {
		epoll_event event = {};
		event.events = events;
		event.data.u64 = key;
		if (epoll_ctl(epoll_fd, op, fd, &event) != 0 && op != EPOLL_CTL_DEL) {
			std::fprintf(stderr, "capi_test_server: %s\n", Errno("epoll_ctl").c_str());
		}
	}

	void AcceptAll() {
		for (;;) {
			int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0) {
				if (errno == EINTR || errno == ECONNABORTED) {
					continue;
				}
				if (errno != EAGAIN && errno != EWOULDBLOCK) {
					std::fprintf(stderr, "capi_test_server: %s\n", Errno("accept").c_str());
				}
				return;
			}
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			SSL *ssl = nullptr;
			if (tls != nullptr) {
				ssl = tls->NewSession(fd);
				if (ssl == nullptr) {
					close(fd);
					continue;
				}
			}
			uint64_t key = next_key++;
			auto connection = std::make_unique<Connection>(fd, ssl, handler, max_body_bytes, scratch);
			connection->registered_events = connection->wanted_events();
			Register(fd, key, connection->registered_events, EPOLL_CTL_ADD);
			connections.emplace(key, std::move(connection));
			handler.OnConnectionOpened();
		}
	}

	// Applies what a connection wants after it ran: removal, new epoll mask, new timer.
	void Update(uint64_t key, Connection *connection, bool alive) {
		if (!alive) {
			connections.erase(key); // closes the socket, which also removes it from epoll
			handler.OnConnectionClosed();
			return;
		}
		uint32_t wanted = connection->wanted_events();
		if (wanted != connection->registered_events) {
			connection->registered_events = wanted;
			Register(connection->fd(), key, wanted, EPOLL_CTL_MOD);
		}
		int64_t deadline = connection->timer_deadline_ms();
		if (deadline != 0 && deadline != connection->queued_deadline_ms) {
			connection->queued_deadline_ms = deadline;
			timers.emplace(deadline, key);
		}
	}

	void RunTimers(int64_t now) {
		while (!timers.empty() && timers.top().first <= now) {
			Timer timer = timers.top();
			timers.pop();
			auto found = connections.find(timer.second);
			if (found == connections.end() || found->second->timer_deadline_ms() != timer.first) {
				continue; // connection gone or timer superseded
			}
			Connection *connection = found->second.get();
			connection->queued_deadline_ms = 0;
			Update(timer.second, connection, connection->OnTimer(now));
		}
	}

	int NextTimeoutMs() const {
		if (timers.empty()) {
			return -1;
		}
		int64_t wait = timers.top().first - MonotonicMs();
		return wait < 0 ? 0 : static_cast<int>(std::min<int64_t>(wait, 60000));
	}
};

EventLoop::EventLoop(RequestHandler &handler, const TlsContext *tls, size_t max_body_bytes)
    : state_(std::make_unique<State>(handler, tls, max_body_bytes)) {
	state_->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	state_->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (state_->epoll_fd < 0 || state_->stop_fd < 0) {
		throw std::runtime_error(Errno("epoll_create1/eventfd"));
	}
	state_->Register(state_->stop_fd, kStopKey, EPOLLIN, EPOLL_CTL_ADD);
}

EventLoop::~EventLoop() {
	state_->connections.clear();
	if (state_->listen_fd >= 0) {
		close(state_->listen_fd);
	}
	close(state_->stop_fd);
	close(state_->epoll_fd);
}

uint16_t EventLoop::Listen(const std::string &host, uint16_t port) {
	sockaddr_storage address;
	socklen_t length = 0;
	if (!IsLoopback(host, &address, &length)) {
		throw std::runtime_error("--host must be a loopback address (127.0.0.0/8 or ::1), got '" + host +
		                         "'");
	}
	if (address.ss_family == AF_INET) {
		reinterpret_cast<sockaddr_in *>(&address)->sin_port = htons(port);
	} else {
		reinterpret_cast<sockaddr_in6 *>(&address)->sin6_port = htons(port);
	}
	int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		throw std::runtime_error(Errno("socket"));
	}
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, reinterpret_cast<sockaddr *>(&address), length) != 0 || listen(fd, 1024) != 0) {
		std::string error = Errno("bind/listen");
		close(fd);
		throw std::runtime_error(error + " (" + host + ":" + std::to_string(port) + ")");
	}
	sockaddr_storage bound;
	socklen_t bound_length = sizeof(bound);
	getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &bound_length);
	state_->listen_fd = fd;
	state_->Register(fd, kListenerKey, EPOLLIN, EPOLL_CTL_ADD);
	return ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in *>(&bound)->sin_port
	                                        : reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);
}

void EventLoop::Run() {
	State &state = *state_;
	epoll_event events[kMaxEvents];
	for (;;) {
		int count = epoll_wait(state.epoll_fd, events, kMaxEvents, state.NextTimeoutMs());
		if (count < 0) {
			if (errno == EINTR) {
				continue;
			}
			throw std::runtime_error(Errno("epoll_wait"));
		}
		int64_t now = MonotonicMs();
		for (int i = 0; i < count; ++i) {
			uint64_t key = events[i].data.u64;
			if (key == kStopKey) {
				state.connections.clear();
				return;
			}
			if (key == kListenerKey) {
				state.AcceptAll();
				continue;
			}
			auto found = state.connections.find(key);
			if (found == state.connections.end()) {
				continue;
			}
			Connection *connection = found->second.get();
			state.Update(key, connection, connection->OnSocketReady(events[i].events, now));
		}
		state.RunTimers(MonotonicMs());
	}
}

void EventLoop::RequestStop() noexcept {
	uint64_t one = 1;
	ssize_t ignored = write(state_->stop_fd, &one, sizeof(one));
	(void)ignored;
}

} // namespace capi::testserver
