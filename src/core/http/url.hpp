// Which URLs the HTTP client may contact, and the per-destination endpoint override.
//
// Policy: https:// is always allowed; http:// only to a loopback host (127.0.0.0/8, ::1,
// localhost), for tests and local proxies. Everything else is rejected: other schemes, user:password@
// in the URL, text that is not a URL. URLs are parsed with libcurl's own URL parser (curl_url), the
// same one that later connects, so the host checked is the host contacted.
#pragma once

#include <string>
#include <string_view>

namespace capi::http {

struct UrlVerdict {
	bool allowed = false;
	// Why the URL is rejected; empty when allowed. Never repeats the URL itself (it may carry a
	// token in its query string), only its scheme or host.
	std::string reason;
};

UrlVerdict CheckUrl(std::string_view url);

// Throws capi::Error (22023 invalid_parameter_value) with the verdict's reason when not allowed.
void RequireAllowedUrl(std::string_view url);

// 127.0.0.0/8, ::1 (with or without brackets), ::ffff:127.0.0.0/104 and "localhost" (any case).
bool IsLoopbackHost(std::string_view host) noexcept;

// Returns url with its scheme, host and port replaced by those of endpoint
// ("scheme://host[:port]", a trailing slash allowed); the path and query of url are kept byte for
// byte. Without a port in endpoint the scheme's default port is used. Throws capi::Error (22023)
// when endpoint is not of that form (e.g. has a path or query) or the result is not allowed by
// CheckUrl.
std::string ApplyEndpointOverride(std::string_view endpoint, std::string_view url);

// The canonical form of a host name or address written alone (no port), for exact comparisons:
// names in lower case; IPv4 only in dotted-decimal form, four parts without leading zeros; IPv6 in
// brackets, as inet_ntop writes it ("[::1]"). Returns "" and sets *problem for anything that has
// more than one reading or is not plain: percent-encoding, a trailing or empty label, numeric IPv4
// forms (2130706433, 0x7f.1, 127.1, 0177.0.0.1), an IPv6 zone, characters other than ASCII
// letters, digits, '-' and '.'.
std::string CanonicalHost(std::string_view host, std::string *problem);

// Where url leads, exactly as libcurl (which connects) reads it.
struct UrlTarget {
	std::string scheme; // lower case
	std::string host;   // CanonicalHost form
	int port = 0;       // the URL's port, or its scheme's default
};

// The target of url, or false with *problem set when url is not a URL, carries user info, or its
// host as written is not CanonicalHost-plain or is not what libcurl reads (so that the host
// checked is the host contacted). *problem never quotes the URL (it may carry a secret).
bool ExactTarget(std::string_view url, UrlTarget *target, std::string *problem);

} // namespace capi::http

#include "core/cpp_only.hpp"
