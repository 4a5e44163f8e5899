// Classes of transport failure (no HTTP status received, or not in full), for retry decisions
// and for messages.
#pragma once

#include <string>
#include <string_view>

namespace capi::http {

struct Timings;

enum class TransportError {
	kNone,
	kConnect, // TCP connection refused or unreachable
	kDns,     // host name not resolved
	kTls,     // handshake or certificate verification failed
	kTimeout, // connect or total timeout reached
	kReset,   // send or receive failed: connection reset, closed early, empty or broken reply
	kOther,   // anything else (bad options, out of memory, aborted)
};

// "none", "connect", "dns", "tls", "timeout", "reset", "other".
std::string_view TransportErrorName(TransportError error) noexcept;

// The class of a CURLcode (passed as int so that this header does not need curl.h).
TransportError ClassifyCurlCode(int curl_code) noexcept;

// Where a timed-out transfer got to, e.g.
// "timeout after 301 ms (limit 300 ms): connected in 0.2 ms, TLS in 3.1 ms, no response".
// limit_ms is the limit that applied; with_tls says whether a TLS handshake was expected; reused
// whether the transfer ran on an already open connection.
std::string DescribeTimeout(long limit_ms, const Timings &timings, bool with_tls, bool reused);

} // namespace capi::http

#include "core/cpp_only.hpp"
