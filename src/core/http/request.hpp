// What the HTTP client sends and what it hands back. Plain data, no libcurl types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/http/transport_error.hpp"

namespace capi::http {

enum class Method { kPost, kGet };

struct Request {
	std::uint64_t id = 0; // the caller's; echoed in the Response
	Method method = Method::kPost;
	std::string url;                  // must pass CheckUrl (url.hpp)
	std::vector<std::string> headers; // "Name: value"
	std::string body;                 // sent as is, with Content-Length
	long timeout_ms = 0;              // whole transfer; 0 = ClientOptions::timeout_ms
	// Extra strings to scrub from the error text, besides the values of sensitive headers and of
	// the URL's query string, which are registered automatically.
	std::vector<std::string> secrets;
};

// Points in time, in milliseconds since the transfer started (libcurl's CURLINFO_*_TIME_T);
// 0 = that point was never reached. On a reused connection, connect and TLS are about 0.
struct Timings {
	double total_ms = 0;
	double dns_ms = 0;        // name resolved
	double connect_ms = 0;    // TCP connected
	double tls_ms = 0;        // TLS handshake done (0 for http://)
	double first_byte_ms = 0; // first byte of the response received
};

struct Response {
	std::uint64_t id = 0;
	long status = 0;  // HTTP status; 0 when no response was received
	std::string body; // at most ClientOptions::max_body_bytes
	bool body_truncated = false;
	std::optional<long> retry_after_seconds; // Retry-After, as seconds from now
	TransportError error = TransportError::kNone;
	int curl_code = 0;             // CURLcode
	std::string error_text;        // empty when error is kNone; secrets redacted
	std::string request_id_header; // which of ClientOptions::request_id_headers was present
	std::string request_id;        // its value
	std::string http_version;      // "HTTP/1.1", "HTTP/2", ...; empty without a response
	Timings timings;
	bool reused_connection = false; // sent over a connection opened by an earlier transfer

	// A 2xx status received in full.
	bool Succeeded() const noexcept {
		return error == TransportError::kNone && status >= 200 && status < 300;
	}
};

// A socket libcurl wants watched. Both flags false cannot happen.
struct SocketWatch {
	int fd = -1;
	bool want_read = false;
	bool want_write = false;
};

} // namespace capi::http

#include "core/cpp_only.hpp"
