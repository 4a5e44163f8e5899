// Where a destination's requests may go (issue 8, "endpoints as a probe").
//
// A destination's endpoint override may point at one of its platform's own API hosts
// (PlatformAdapter::OwnHosts) or at a host a superuser listed in capi.allowed_endpoint_hosts:
// "host" or "host:port" entries, comma-separated, IPv6 in brackets. Hosts are compared exactly
// (no suffix matching), case-insensitively, in http::CanonicalHost form; an endpoint whose host has
// more than one reading (numeric IPv4 forms, percent-encoding, a trailing dot, user info) is
// refused. The scheme rule (http:// only to loopback) is the HTTP client's (http/url.hpp) and
// applies as well.
//
// The check runs when a destination is saved (capi.destinations' trigger) and before each request
// (DestinationPipeline), since the setting may have been narrowed since.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/destination.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kAllowedEndpointHostsSetting = "capi.allowed_endpoint_hosts";

struct AllowedEndpoint {
	std::string host; // http::CanonicalHost form
	int port = 0;     // 0 = any port
};

// Parses the setting. Blank entries are skipped. Throws capi::Error 22023 naming the first bad entry.
std::vector<AllowedEndpoint> ParseAllowedEndpoints(std::string_view setting);

// "" when the setting parses, else why not (for the setting's check hook). Never throws.
std::string AllowedEndpointsProblem(std::string_view setting) noexcept;

// Throws unless destination.endpoint_override is empty, leads to one of adapter.OwnHosts(), or matches
// an entry of allowed_setting (the host, and the port when the entry names one; without a port in
// the endpoint, its scheme's default). capi::Error 42501 names the host and the setting; 22023 when
// the endpoint is not stated unambiguously or the setting does not parse. Messages never quote
// anything but the host.
void RequireAllowedEndpoint(const Destination &destination, const PlatformAdapter &adapter,
                            std::string_view allowed_setting);

// True when destination's requests go to its platform's own host (no override, or an override to one
// of adapter.OwnHosts()). Only then may the platform's response bodies be quoted. Never throws.
bool ReachesOwnHost(const Destination &destination, const PlatformAdapter &adapter) noexcept;

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
