#include "core/http/transport_error.hpp"

#include <curl/curl.h>

#include <cstdio>

#include "core/http/request.hpp"

namespace capi::http {
namespace {

std::string Ms(double ms) {
	char buffer[32];
	std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
	return buffer;
}

} // namespace

std::string_view TransportErrorName(TransportError error) noexcept {
	switch (error) {
	case TransportError::kNone:
		return "none";
	case TransportError::kConnect:
		return "connect";
	case TransportError::kDns:
		return "dns";
	case TransportError::kTls:
		return "tls";
	case TransportError::kTimeout:
		return "timeout";
	case TransportError::kReset:
		return "reset";
	case TransportError::kOther:
		return "other";
	}
	return "other";
}

TransportError ClassifyCurlCode(int curl_code) noexcept {
	switch (static_cast<CURLcode>(curl_code)) {
	case CURLE_OK:
		return TransportError::kNone;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return TransportError::kDns;
	case CURLE_COULDNT_CONNECT:
		return TransportError::kConnect;
	case CURLE_OPERATION_TIMEDOUT:
		return TransportError::kTimeout;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_SHUTDOWN_FAILED:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return TransportError::kTls;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
		return TransportError::kReset;
	default:
		return TransportError::kOther;
	}
}

std::string DescribeTimeout(const TimeoutContext &context, const Timings &t) {
	std::string text = "timeout after " + std::to_string(static_cast<long>(t.total_ms + 0.5)) +
	                   " ms (limit " + std::to_string(context.limit_ms) + " ms): ";
	if (context.reused) {
		text += "on a reused connection";
	} else if (t.connect_ms <= 0) {
		if (t.dns_ms <= 0)
			return text + "host name not resolved";
		text += "resolved in " + Ms(t.dns_ms);
		if (!context.tcp_connected)
			return text + ", not connected";
		return text + (context.with_tls ? ", TCP connected, TLS handshake not finished" : ", TCP connected");
	} else {
		text += "connected in " + Ms(t.connect_ms);
		if (context.with_tls) {
			if (t.tls_ms <= 0)
				return text + ", TLS handshake not finished";
			text += ", TLS in " + Ms(t.tls_ms - t.connect_ms);
		}
	}
	if (t.first_byte_ms <= 0)
		return text + ", no response";
	return text + ", response started after " + Ms(t.first_byte_ms) + " but not finished";
}

} // namespace capi::http
