#include "server/net/transport.hpp"

#include <openssl/err.h>

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace capi::testserver {

Transport::Transport(int fd, SSL *ssl) : fd_(fd), ssl_(ssl), handshake_done_(ssl == nullptr) {}

Transport::~Transport() {
	if (ssl_ != nullptr) {
		SSL_free(ssl_);
	}
	if (fd_ >= 0) {
		close(fd_);
	}
}

Transport::Result Transport::TlsResult(int ret) {
	int error = SSL_get_error(ssl_, ret);
	switch (error) {
	case SSL_ERROR_WANT_READ:
		wants_write_ = false;
		return Result::kWouldBlock;
	case SSL_ERROR_WANT_WRITE:
		wants_write_ = true;
		return Result::kWouldBlock;
	case SSL_ERROR_ZERO_RETURN:
		return Result::kEof;
	case SSL_ERROR_SYSCALL:
		ERR_clear_error();
		return ret == 0 ? Result::kEof : Result::kError;
	default:
		ERR_clear_error();
		return Result::kError;
	}
}

Transport::Result Transport::Handshake() {
	if (handshake_done_) {
		return Result::kOk;
	}
	int ret = SSL_do_handshake(ssl_);
	if (ret == 1) {
		handshake_done_ = true;
		wants_write_ = false;
		return Result::kOk;
	}
	return TlsResult(ret);
}

Transport::Result Transport::Read(char *buffer, size_t capacity, size_t *read) {
	*read = 0;
	if (ssl_ != nullptr) {
		size_t n = 0;
		int ret = SSL_read_ex(ssl_, buffer, capacity, &n);
		if (ret == 1) {
			wants_write_ = false;
			*read = n;
			return Result::kOk;
		}
		return TlsResult(ret);
	}
	for (;;) {
		ssize_t n = recv(fd_, buffer, capacity, 0);
		if (n > 0) {
			*read = static_cast<size_t>(n);
			return Result::kOk;
		}
		if (n == 0) {
			return Result::kEof;
		}
		if (errno == EINTR) {
			continue;
		}
		return errno == EAGAIN || errno == EWOULDBLOCK ? Result::kWouldBlock : Result::kError;
	}
}

Transport::Result Transport::Write(const char *data, size_t len, size_t *written) {
	*written = 0;
	if (ssl_ != nullptr) {
		size_t n = 0;
		int ret = SSL_write_ex(ssl_, data, len, &n);
		if (ret == 1) {
			wants_write_ = false;
			*written = n;
			return Result::kOk;
		}
		return TlsResult(ret);
	}
	for (;;) {
		ssize_t n = send(fd_, data, len, MSG_NOSIGNAL);
		if (n >= 0) {
			*written = static_cast<size_t>(n);
			return Result::kOk;
		}
		if (errno == EINTR) {
			continue;
		}
		return errno == EAGAIN || errno == EWOULDBLOCK ? Result::kWouldBlock : Result::kError;
	}
}

void Transport::ShutdownWrite() {
	if (ssl_ != nullptr && handshake_done_) {
		SSL_shutdown(ssl_);
		ERR_clear_error();
	}
	shutdown(fd_, SHUT_WR);
}

void Transport::Abort() {
	if (fd_ < 0) {
		return;
	}
	struct linger reset_on_close = {1, 0};
	setsockopt(fd_, SOL_SOCKET, SO_LINGER, &reset_on_close, sizeof(reset_on_close));
	close(fd_);
	fd_ = -1;
}

} // namespace capi::testserver
