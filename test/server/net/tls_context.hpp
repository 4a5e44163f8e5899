// The OpenSSL server context of both loopback test servers: capi_test_server (--tls-cert/--tls-key)
// and the HTTP client's unit-test server (test/unit/http_test_fixture.hpp). TLS 1.2+, ALPN answering
// "http/1.1" only (clients that offer h2 fall back to HTTP/1.1 over TLS).
#pragma once

#include <openssl/ssl.h>

#include <functional>
#include <string>
#include <vector>

namespace capi::testserver {

class TlsContext {
public:
	// Called during each handshake that offers ALPN, with the offered protocols, e.g. {"h2", "http/1.1"}.
	using AlpnObserver = std::function<void(const std::vector<std::string> &offered)>;

	// Loads the PEM certificate chain and private key; throws std::runtime_error on failure.
	TlsContext(const std::string &cert_path, const std::string &key_path, AlpnObserver observe_alpn = {});
	~TlsContext();
	TlsContext(const TlsContext &) = delete;
	TlsContext &operator=(const TlsContext &) = delete;

	// A new server-side SSL object for an accepted socket (owned by the caller), in accept state.
	SSL *NewSession(int fd) const;

private:
	SSL_CTX *ctx_ = nullptr;
	AlpnObserver observe_alpn_;
};

// The first queued OpenSSL error as text (and clears the queue).
std::string TakeOpenSslError();

} // namespace capi::testserver
