// Non-blocking byte transport over an accepted socket: plain TCP or OpenSSL TLS.
#pragma once

#include <openssl/ssl.h>

#include <cstddef>

namespace capi::testserver {

class Transport {
public:
	enum class Result { kOk, kWouldBlock, kEof, kError };

	// Takes ownership of `fd` and of `ssl` (nullptr for plain TCP).
	Transport(int fd, SSL *ssl);
	~Transport();
	Transport(const Transport &) = delete;
	Transport &operator=(const Transport &) = delete;

	// Completes the TLS handshake (kOk at once for plain TCP).
	Result Handshake();
	Result Read(char *buffer, size_t capacity, size_t *read);
	Result Write(const char *data, size_t len, size_t *written);
	// True when the last TLS operation needs the socket to become writable before it can go on.
	bool wants_write() const { return wants_write_; }
	bool handshake_done() const { return handshake_done_; }
	// Sends TLS close_notify (if TLS) and a TCP FIN; reading stays possible.
	void ShutdownWrite();
	// Closes with SO_LINGER 0 so the peer sees a TCP RST instead of an orderly close.
	void Abort();

	int fd() const { return fd_; }

private:
	Result TlsResult(int ret);

	int fd_;
	SSL *ssl_;
	bool handshake_done_;
	bool wants_write_ = false;
};

} // namespace capi::testserver
