#include "server/net/connection.hpp"

#include <sys/epoll.h>

namespace capi::testserver {
namespace {

constexpr size_t kMaxOutputBacklog = 1u << 20; // stop parsing while this much output is unsent
constexpr int kMaxReadsPerWakeup = 32;         // then let other connections run
constexpr int64_t kLingerMs = 2000;
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

Connection::Connection(int fd, SSL *ssl, RequestHandler &handler, size_t max_body_bytes,
                       std::vector<char> &scratch)
    : transport_(fd, ssl), handler_(handler), reader_(max_body_bytes), scratch_(scratch) {}

bool Connection::paused() const {
	return delayed_ || close_after_flush_ || reset_now_ || out_.size() - out_sent_ > kMaxOutputBacklog;
}

int64_t Connection::timer_deadline_ms() const {
	if (lingering_) {
		return linger_deadline_ms_;
	}
	return delayed_ ? delay_deadline_ms_ : 0;
}

uint32_t Connection::wanted_events() const {
	if (lingering_) {
		return EPOLLIN;
	}
	if (!transport_.handshake_done()) {
		return EPOLLIN | (transport_.wants_write() ? EPOLLOUT : 0u);
	}
	uint32_t events = 0;
	if (!paused() && !peer_closed_) {
		events |= EPOLLIN;
	}
	if (out_sent_ < out_.size() || transport_.wants_write()) {
		events |= EPOLLOUT;
	}
	return events;
}

bool Connection::OnSocketReady(uint32_t events, int64_t now_ms) {
	if ((events & (EPOLLERR | EPOLLHUP)) != 0 && !(events & EPOLLIN)) {
		return false; // the peer is gone: nothing can be delivered any more
	}
	if (lingering_) {
		return DiscardInput();
	}
	if (!transport_.handshake_done()) {
		Transport::Result result = transport_.Handshake();
		if (result == Transport::Result::kWouldBlock) {
			return true;
		}
		if (result != Transport::Result::kOk) {
			return false;
		}
	}
	if (!Flush()) {
		return false;
	}
	if (!paused()) {
		ProcessPending(now_ms);
	}
	if (!ReadAvailable(now_ms)) {
		return false;
	}
	return Finish(now_ms);
}

bool Connection::OnTimer(int64_t now_ms) {
	if (lingering_) {
		return now_ms < linger_deadline_ms_;
	}
	if (!delayed_ || now_ms < delay_deadline_ms_) {
		return true;
	}
	delayed_ = false;
	if (delayed_reset_) {
		delayed_reset_ = false;
		reset_now_ = true;
		return Finish(now_ms);
	}
	out_.append(delayed_out_);
	delayed_out_.clear();
	close_after_flush_ = delayed_close_;
	if (!Flush()) {
		return false;
	}
	ProcessPending(now_ms);
	if (!ReadAvailable(now_ms)) {
		return false;
	}
	return Finish(now_ms);
}

bool Connection::ReadAvailable(int64_t now_ms) {
	for (int reads = 0; reads < kMaxReadsPerWakeup && !paused() && !peer_closed_; ++reads) {
		size_t n = 0;
		switch (transport_.Read(scratch_.data(), scratch_.size(), &n)) {
		case Transport::Result::kOk:
			Consume(scratch_.data(), n, now_ms);
			break;
		case Transport::Result::kWouldBlock:
			return true;
		case Transport::Result::kEof:
			peer_closed_ = true;
			return true;
		case Transport::Result::kError:
			return false;
		}
	}
	return true;
}

void Connection::Consume(const char *data, size_t len, int64_t now_ms) {
	if (!pending_.empty()) {
		pending_.append(data, len);
		ProcessPending(now_ms);
		return;
	}
	size_t used = ParseRequests(data, len, now_ms);
	if (used < len) {
		pending_.assign(data + used, len - used);
	}
}

void Connection::ProcessPending(int64_t now_ms) {
	if (pending_.empty()) {
		return;
	}
	size_t used = ParseRequests(pending_.data(), pending_.size(), now_ms);
	pending_.erase(0, used);
}

size_t Connection::ParseRequests(const char *data, size_t len, int64_t now_ms) {
	size_t offset = 0;
	while (offset < len && !paused()) {
		size_t consumed = 0;
		RequestReader::Status status = reader_.Feed(data + offset, len - offset, &consumed);
		offset += consumed;
		switch (status) {
		case RequestReader::Status::kNeedMore:
			if (reader_.TakeContinueRequest()) {
				out_.append(kContinue, sizeof(kContinue) - 1);
			}
			return offset;
		case RequestReader::Status::kError: {
			HttpResponse response;
			response.status = reader_.error_status();
			response.content_type = "text/plain; charset=UTF-8";
			response.body = reader_.error_message() + "\n";
			AppendSerializedResponse(response, true, &out_);
			close_after_flush_ = true;
			return len;
		}
		case RequestReader::Status::kRequestReady:
			HandleRequest(now_ms);
			break;
		}
	}
	return offset;
}

void Connection::HandleRequest(int64_t now_ms) {
	reader_.TakeContinueRequest();
	reply_.response.status = 200;
	reply_.response.headers.clear();
	reply_.response.body.clear();
	reply_.response.content_type = "application/json; charset=UTF-8";
	reply_.delay_ms = 0;
	reply_.reset = false;
	reply_.close = false;
	handler_.Handle(reader_.request(), &reply_);
	bool close = reply_.close || !reader_.request().keep_alive;
	reader_.NextRequest();

	if (reply_.delay_ms > 0) {
		delayed_ = true;
		delayed_reset_ = reply_.reset;
		delayed_close_ = close;
		delay_deadline_ms_ = now_ms + reply_.delay_ms;
		delayed_out_.clear();
		if (!reply_.reset) {
			AppendSerializedResponse(reply_.response, close, &delayed_out_);
		}
		return;
	}
	if (reply_.reset) {
		reset_now_ = true;
		return;
	}
	AppendSerializedResponse(reply_.response, close, &out_);
	close_after_flush_ = close_after_flush_ || close;
}

bool Connection::Flush() {
	while (out_sent_ < out_.size()) {
		size_t written = 0;
		switch (transport_.Write(out_.data() + out_sent_, out_.size() - out_sent_, &written)) {
		case Transport::Result::kOk:
			out_sent_ += written;
			break;
		case Transport::Result::kWouldBlock:
			return true;
		case Transport::Result::kEof:
		case Transport::Result::kError:
			return false;
		}
	}
	out_.clear();
	out_sent_ = 0;
	return true;
}

bool Connection::DiscardInput() {
	for (int reads = 0; reads < kMaxReadsPerWakeup; ++reads) {
		size_t n = 0;
		Transport::Result result = transport_.Read(scratch_.data(), scratch_.size(), &n);
		if (result == Transport::Result::kWouldBlock) {
			return true;
		}
		if (result != Transport::Result::kOk) {
			return false;
		}
	}
	return true;
}

bool Connection::Finish(int64_t now_ms) {
	if (reset_now_) {
		transport_.Abort();
		return false;
	}
	if (!Flush()) {
		return false;
	}
	bool drained = out_sent_ == out_.size();
	if (drained && close_after_flush_) {
		if (peer_closed_) {
			return false;
		}
		transport_.ShutdownWrite();
		lingering_ = true;
		linger_deadline_ms_ = now_ms + kLingerMs;
		return DiscardInput();
	}
	if (drained && peer_closed_ && !delayed_) {
		return false;
	}
	return true;
}

} // namespace capi::testserver
