// The OpenSSL server context for --tls-cert/--tls-key: TLS 1.2+, ALPN answering "http/1.1" only
// (clients that offer h2 fall back to HTTP/1.1 over TLS).
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace capi::testserver {

class TlsContext {
public:
	// Loads the PEM certificate chain and private key; throws std::runtime_error on failure.
	TlsContext(const std::string &cert_path, const std::string &key_path);
	~TlsContext();
	TlsContext(const TlsContext &) = delete;
	TlsContext &operator=(const TlsContext &) = delete;

	// A new server-side SSL object for an accepted socket (owned by the caller).
	SSL *NewSession(int fd) const;

private:
	SSL_CTX *ctx_ = nullptr;
};

// The first queued OpenSSL error as text (and clears the queue).
std::string TakeOpenSslError();

} // namespace capi::testserver
