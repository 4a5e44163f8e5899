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

// What is known about a timed-out transfer besides its Timings.
struct TimeoutContext {
	long limit_ms = 0;          // the limit that applied (connect or total)
	bool with_tls = false;      // a TLS handshake was expected (https)
	bool reused = false;        // ran on an already open connection
	bool tcp_connected = false; // TCP was up even though libcurl reports no connect time yet (libcurl
	                            // 7.88 records it only when TLS is done too)
};

// Where a timed-out transfer got to, e.g.
// "timeout after 301 ms (limit 300 ms): connected in 0.2 ms, TLS in 3.1 ms, no response".
std::string DescribeTimeout(const TimeoutContext &context, const Timings &timings);

} // namespace capi::http

#include "core/cpp_only.hpp"
