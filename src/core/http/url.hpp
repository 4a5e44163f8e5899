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

} // namespace capi::http

#include "core/cpp_only.hpp"
