#include "core/dispatch/endpoint_policy.hpp"

#include "core/error.hpp"
#include "core/http/url.hpp"

namespace capi::dispatch {
namespace {

std::string_view Trim(std::string_view text) {
	const std::size_t start = text.find_first_not_of(" \t\r\n");
	if (start == std::string_view::npos)
		return {};
	const std::size_t end = text.find_last_not_of(" \t\r\n");
	return text.substr(start, end - start + 1);
}

[[noreturn]] void BadEntry(std::string_view entry, std::string_view problem) {
	throw Error(sqlstate::kInvalidParameterValue,
	            std::string(kAllowedEndpointHostsSetting) + ": entry \"" + std::string(entry) +
	                "\": " + std::string(problem),
	            "Entries are host or host:port, comma-separated, IPv6 in brackets: 127.0.0.1, "
	            "localhost:8080, [::1], proxy.internal:443.");
}

// "host", "host:port", "[v6]" or "[v6]:port".
AllowedEndpoint ParseEntry(std::string_view entry) {
	if (entry.find('/') != std::string_view::npos)
		BadEntry(entry, "an entry is a host or host:port, not a URL");
	std::string_view host = entry;
	std::string_view port;
	if (!entry.empty() && entry.front() == '[') {
		const std::size_t close = entry.find(']');
		if (close == std::string_view::npos)
			BadEntry(entry, "an IPv6 address needs its closing bracket");
		host = entry.substr(0, close + 1);
		std::string_view rest = entry.substr(close + 1);
		if (!rest.empty()) {
			if (rest.front() != ':')
				BadEntry(entry, "only :port may follow the host");
			port = rest.substr(1);
			if (port.empty())
				BadEntry(entry, "the port is empty");
		}
	} else if (const std::size_t colon = entry.find(':'); colon != std::string_view::npos) {
		host = entry.substr(0, colon);
		port = entry.substr(colon + 1);
		if (port.empty())
			BadEntry(entry, "the port is empty");
	}
	AllowedEndpoint allowed;
	std::string problem;
	allowed.host = http::CanonicalHost(host, &problem);
	if (allowed.host.empty())
		BadEntry(entry, problem);
	if (!port.empty()) {
		if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos)
			BadEntry(entry, "the port must be a number from 1 to 65535");
		for (char c : port)
			allowed.port = allowed.port * 10 + (c - '0');
		if (allowed.port < 1 || allowed.port > 65535)
			BadEntry(entry, "the port must be a number from 1 to 65535");
	}
	return allowed;
}

bool IsOwnHost(const PlatformAdapter &adapter, const std::string &host) {
	for (std::string_view own : adapter.OwnHosts())
		if (host == own)
			return true;
	return false;
}

std::string OwnHostList(const PlatformAdapter &adapter) {
	std::string list;
	for (std::string_view own : adapter.OwnHosts())
		list.append(list.empty() ? "" : ", ").append(own);
	return list;
}

} // namespace

std::vector<AllowedEndpoint> ParseAllowedEndpoints(std::string_view setting) {
	std::vector<AllowedEndpoint> allowed;
	while (true) {
		const std::size_t comma = setting.find(',');
		std::string_view entry = Trim(setting.substr(0, comma));
		if (!entry.empty())
			allowed.push_back(ParseEntry(entry));
		if (comma == std::string_view::npos)
			break;
		setting.remove_prefix(comma + 1);
	}
	return allowed;
}

std::string AllowedEndpointsProblem(std::string_view setting) noexcept {
	try {
		ParseAllowedEndpoints(setting);
		return {};
	} catch (const std::exception &error) {
		try {
			return error.what();
		} catch (...) {
			return "invalid value";
		}
	}
}

void RequireAllowedEndpoint(const Destination &destination, const PlatformAdapter &adapter,
                            std::string_view allowed_setting) {
	if (destination.endpoint_override.empty())
		return;
	const std::string prefix = "destination " + destination.name + ": ";
	http::UrlTarget target;
	std::string problem;
	if (!http::ExactTarget(destination.endpoint_override, &target, &problem))
		throw Error(sqlstate::kInvalidParameterValue, prefix + "endpoint override refused: " + problem,
		            "Write the host plainly: a lower-case name, a.b.c.d, or [IPv6].");
	if (IsOwnHost(adapter, target.host))
		return;
	for (const AllowedEndpoint &allowed : ParseAllowedEndpoints(allowed_setting))
		if (allowed.host == target.host && (allowed.port == 0 || allowed.port == target.port))
			return;
	const std::string where = target.host + ":" + std::to_string(target.port);
	throw Error(sqlstate::kInsufficientPrivilege,
	            prefix + "endpoint " + where + " is not allowed by " +
	                std::string(kAllowedEndpointHostsSetting),
	            "Hosts other than the platform's own (" + OwnHostList(adapter) +
	                ") are a superuser's decision: add \"" + target.host + "\" or \"" + where + "\" to " +
	                std::string(kAllowedEndpointHostsSetting) +
	                " (postgresql.conf or ALTER SYSTEM, then SELECT pg_reload_conf()).");
}

bool ReachesOwnHost(const Destination &destination, const PlatformAdapter &adapter) noexcept {
	if (destination.endpoint_override.empty())
		return true;
	try {
		http::UrlTarget target;
		std::string problem;
		return http::ExactTarget(destination.endpoint_override, &target, &problem) &&
		       IsOwnHost(adapter, target.host);
	} catch (...) {
		return false;
	}
}

} // namespace capi::dispatch
