#include "server/net/tls_context.hpp"

#include <openssl/err.h>

#include <stdexcept>
#include <string_view>
#include <utility>

namespace capi::testserver {
namespace {

// ALPN: we speak HTTP/1.1 only; picking nothing for h2-only clients lets them fall back. arg is the
// context's AlpnObserver, or null when nobody watches the offers.
int SelectAlpn(SSL *, const unsigned char **out, unsigned char *outlen, const unsigned char *in,
               unsigned int inlen, void *arg) {
	std::vector<std::string> offered;
	const unsigned char *http11 = nullptr; // its length byte in the client's list
	for (unsigned int i = 0; i < inlen && i + 1 + in[i] <= inlen; i += 1 + in[i]) {
		std::string_view protocol(reinterpret_cast<const char *>(in + i + 1), in[i]);
		offered.emplace_back(protocol);
		if (protocol == "http/1.1" && http11 == nullptr) {
			http11 = in + i;
		}
	}
	if (arg != nullptr) {
		(*static_cast<const TlsContext::AlpnObserver *>(arg))(offered);
	}
	if (http11 == nullptr) {
		return SSL_TLSEXT_ERR_NOACK;
	}
	*out = http11 + 1;
	*outlen = http11[0];
	return SSL_TLSEXT_ERR_OK;
}

} // namespace

std::string TakeOpenSslError() {
	unsigned long code = ERR_get_error();
	ERR_clear_error();
	if (code == 0) {
		return "unknown OpenSSL error";
	}
	char text[256];
	ERR_error_string_n(code, text, sizeof(text));
	return text;
}

TlsContext::TlsContext(const std::string &cert_path, const std::string &key_path, AlpnObserver observe_alpn)
    : observe_alpn_(std::move(observe_alpn)) {
	ctx_ = SSL_CTX_new(TLS_server_method());
	if (ctx_ == nullptr) {
		throw std::runtime_error("SSL_CTX_new: " + TakeOpenSslError());
	}
	SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
	SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_use_certificate_chain_file(ctx_, cert_path.c_str()) != 1) {
		std::string error = TakeOpenSslError();
		SSL_CTX_free(ctx_);
		throw std::runtime_error("cannot load TLS certificate " + cert_path + ": " + error);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx_, key_path.c_str(), SSL_FILETYPE_PEM) != 1 ||
	    SSL_CTX_check_private_key(ctx_) != 1) {
		std::string error = TakeOpenSslError();
		SSL_CTX_free(ctx_);
		throw std::runtime_error("cannot load TLS key " + key_path + ": " + error);
	}
	SSL_CTX_set_alpn_select_cb(ctx_, &SelectAlpn, observe_alpn_ ? &observe_alpn_ : nullptr);
}

TlsContext::~TlsContext() {
	SSL_CTX_free(ctx_);
}

SSL *TlsContext::NewSession(int fd) const {
	SSL *ssl = SSL_new(ctx_);
	if (ssl == nullptr) {
		return nullptr;
	}
	SSL_set_fd(ssl, fd);
	SSL_set_accept_state(ssl);
	return ssl;
}

} // namespace capi::testserver
