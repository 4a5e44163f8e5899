// One accepted client connection: reads and parses requests in order, hands each to the
// RequestHandler, and writes the replies in order (a delayed reply holds back the later ones).
#pragma once

#include "server/http/request_reader.hpp"
#include "server/net/request_handler.hpp"
#include "server/net/transport.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace capi::testserver {

class Connection {
public:
	// `scratch` is a read buffer shared by all connections of one event loop (single-threaded).
	Connection(int fd, SSL *ssl, RequestHandler &handler, size_t max_body_bytes, std::vector<char> &scratch);
	Connection(const Connection &) = delete;
	Connection &operator=(const Connection &) = delete;

	// Handles epoll `events` on the socket. Returns false when the connection is finished and must
	// be destroyed.
	bool OnSocketReady(uint32_t events, int64_t now_ms);
	// Handles the expiry of timer_deadline_ms(). Same return value.
	bool OnTimer(int64_t now_ms);

	// The EPOLLIN/EPOLLOUT mask this connection currently waits for.
	uint32_t wanted_events() const;
	// Monotonic ms at which OnTimer must run, or 0 when no reply is delayed.
	int64_t timer_deadline_ms() const;
	int fd() const { return transport_.fd(); }

	// Bookkeeping of the event loop: the mask registered with epoll and the last timer queued.
	uint32_t registered_events = 0;
	int64_t queued_deadline_ms = 0;

private:
	bool paused() const;
	bool ReadAvailable(int64_t now_ms);
	void Consume(const char *data, size_t len, int64_t now_ms);
	void ProcessPending(int64_t now_ms);
	size_t ParseRequests(const char *data, size_t len, int64_t now_ms);
	void HandleRequest(int64_t now_ms);
	bool Flush();
	bool Finish(int64_t now_ms);
	bool DiscardInput();

	Transport transport_;
	RequestHandler &handler_;
	RequestReader reader_;
	std::vector<char> &scratch_;
	Reply reply_;
	std::string pending_; // received bytes not parsed yet (only while paused)
	std::string out_;
	size_t out_sent_ = 0;
	bool peer_closed_ = false;
	bool close_after_flush_ = false;
	bool reset_now_ = false;
	// After the last reply of a closing connection: FIN sent, unread request bytes are drained
	// until the peer closes or the deadline passes, so that the peer sees the reply and not a RST.
	bool lingering_ = false;
	int64_t linger_deadline_ms_ = 0;

	// A reply held back by a delay fault.
	bool delayed_ = false;
	bool delayed_reset_ = false;
	bool delayed_close_ = false;
	int64_t delay_deadline_ms_ = 0;
	std::string delayed_out_;
};

} // namespace capi::testserver
