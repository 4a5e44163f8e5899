#include "core/http/url.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <memory>
#include <vector>

#include "core/error.hpp"

namespace capi::http {
namespace {

struct CurlUrlDeleter {
	void operator()(CURLU *u) const noexcept { curl_url_cleanup(u); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

struct CurlStringDeleter {
	void operator()(char *s) const noexcept { curl_free(s); }
};

// A URL parsed by curl, or the reason it could not be.
struct Parsed {
	CurlUrl url;
	std::string error;
};

Parsed Parse(std::string_view text) {
	Parsed parsed;
	if (text.empty()) {
		parsed.error = "the URL is empty";
		return parsed;
	}
	parsed.url.reset(curl_url());
	if (!parsed.url)
		throw Error(sqlstate::kInternalError, "libcurl could not allocate a URL handle");
	// Unknown schemes are parsed so that the rejection can name them.
	std::string copy(text);
	CURLUcode rc = curl_url_set(parsed.url.get(), CURLUPART_URL, copy.c_str(), CURLU_NON_SUPPORT_SCHEME);
	if (rc != CURLUE_OK) {
		parsed.url.reset();
		parsed.error = std::string("not a valid URL (") + curl_url_strerror(rc) + ")";
	}
	return parsed;
}

// The part, or nullopt-like empty string with present=false when the URL has none.
struct Part {
	bool present = false;
	std::string value;
};

Part GetPart(CURLU *url, CURLUPart which, unsigned int flags = 0) {
	char *raw = nullptr;
	Part part;
	if (curl_url_get(url, which, &raw, flags) == CURLUE_OK && raw != nullptr) {
		std::unique_ptr<char, CurlStringDeleter> owned(raw);
		part.present = true;
		part.value = raw;
	}
	return part;
}

UrlVerdict Reject(std::string reason) {
	UrlVerdict verdict;
	verdict.reason = std::move(reason);
	return verdict;
}

// The policy checks on an already parsed URL.
UrlVerdict CheckParsed(CURLU *url) {
	std::string scheme = GetPart(url, CURLUPART_SCHEME).value;
	if (scheme != "https" && scheme != "http")
		return Reject("URL scheme \"" + scheme +
		              "\" is not allowed: use https:// (http:// only to a loopback host)");
	if (GetPart(url, CURLUPART_USER).present || GetPart(url, CURLUPART_PASSWORD).present)
		return Reject("credentials in the URL (user:password@host) are not allowed");
	Part host = GetPart(url, CURLUPART_HOST);
	if (!host.present || host.value.empty())
		return Reject("the URL has no host");
	if (scheme == "http" && !IsLoopbackHost(host.value))
		return Reject("http:// is allowed only to a loopback host (127.0.0.0/8, ::1, localhost), not to \"" +
		              host.value + "\": use https://");
	return UrlVerdict{true, {}};
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) noexcept {
	if (a.size() != b.size())
		return false;
	for (std::size_t i = 0; i < a.size(); i++) {
		char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
		char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
		if (x != y)
			return false;
	}
	return true;
}

bool IsAsciiAlnum(char c) noexcept {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool AllDigits(std::string_view text) noexcept {
	return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// A last label that URL parsers read as a number makes the whole host an IPv4 address (WHATWG URL,
// and libcurl since 7.77): "127.1", "0x7f.1", "2130706433".
bool LooksNumeric(std::string_view label) noexcept {
	return AllDigits(label) || (label.size() >= 2 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X'));
}

std::string CanonicalIpv6(std::string_view inner, std::string *problem) {
	char buffer[INET6_ADDRSTRLEN];
	in6_addr address;
	if (inner.find('%') != std::string_view::npos) {
		*problem = "an IPv6 zone (%) is not allowed in the host";
		return {};
	}
	if (inner.empty() || inner.size() >= sizeof buffer) {
		*problem = "the host is not a valid IPv6 address";
		return {};
	}
	inner.copy(buffer, inner.size());
	buffer[inner.size()] = '\0';
	if (inet_pton(AF_INET6, buffer, &address) != 1 ||
	    inet_ntop(AF_INET6, &address, buffer, sizeof buffer) == nullptr) {
		*problem = "the host is not a valid IPv6 address";
		return {};
	}
	return std::string("[") + buffer + "]";
}

// Four decimal parts 0-255 without leading zeros.
bool IsDottedDecimal(const std::vector<std::string_view> &labels) noexcept {
	if (labels.size() != 4)
		return false;
	for (std::string_view label : labels) {
		if (!AllDigits(label) || label.size() > 3 || (label.size() > 1 && label[0] == '0'))
			return false;
		int value = 0;
		for (char c : label)
			value = value * 10 + (c - '0');
		if (value > 255)
			return false;
	}
	return true;
}

} // namespace

std::string CanonicalHost(std::string_view host, std::string *problem) {
	if (host.empty()) {
		*problem = "the host is empty";
		return {};
	}
	if (host.front() == '[') {
		if (host.size() < 3 || host.back() != ']') {
			*problem = "the host is not a valid IPv6 address";
			return {};
		}
		return CanonicalIpv6(host.substr(1, host.size() - 2), problem);
	}
	for (char c : host) {
		if (IsAsciiAlnum(c) || c == '-' || c == '.')
			continue;
		if (c == '%')
			*problem = "percent-encoding is not allowed in the host";
		else if (c == ':')
			*problem = "an IPv6 address must be written in brackets, e.g. [::1]";
		else
			*problem = "the host may hold only ASCII letters, digits, '-' and '.'";
		return {};
	}
	if (host.size() > 253) {
		*problem = "the host is longer than 253 characters";
		return {};
	}
	std::vector<std::string_view> labels;
	for (std::size_t start = 0;;) {
		std::size_t dot = host.find('.', start);
		labels.push_back(
		    host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
		if (dot == std::string_view::npos)
			break;
		start = dot + 1;
	}
	for (std::string_view label : labels) {
		if (label.empty()) {
			*problem = "the host has an empty label (a leading, trailing or doubled dot)";
			return {};
		}
		if (label.size() > 63) {
			*problem = "a label of the host is longer than 63 characters";
			return {};
		}
	}
	if (LooksNumeric(labels.back()) && !IsDottedDecimal(labels)) {
		*problem = "an IPv4 address must be written as four decimal numbers without leading zeros (a.b.c.d)";
		return {};
	}
	std::string canonical(host);
	for (char &c : canonical)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
	return canonical;
}

bool ExactTarget(std::string_view url, UrlTarget *target, std::string *problem) {
	Parsed parsed = Parse(url);
	if (!parsed.url) {
		*problem = parsed.error;
		return false;
	}
	CURLU *u = parsed.url.get();
	const std::string kUserInfo = "user info (user:password@) is not allowed in the URL";
	if (GetPart(u, CURLUPART_USER).present || GetPart(u, CURLUPART_PASSWORD).present) {
		*problem = kUserInfo;
		return false;
	}
	if (GetPart(u, CURLUPART_ZONEID).present) {
		*problem = "an IPv6 zone (%) is not allowed in the host";
		return false;
	}
	// The host as written: between "scheme://" and the port, path, query or fragment.
	std::size_t scheme_end = url.find("://");
	if (scheme_end == std::string_view::npos) {
		*problem = "the URL does not have the form scheme://host";
		return false;
	}
	std::string_view authority = url.substr(scheme_end + 3);
	authority = authority.substr(0, authority.find_first_of("/?#\\"));
	if (authority.find('@') != std::string_view::npos) {
		*problem = kUserInfo;
		return false;
	}
	std::string_view written;
	if (!authority.empty() && authority.front() == '[') {
		std::size_t close = authority.find(']');
		written = authority.substr(0, close == std::string_view::npos ? authority.size() : close + 1);
	} else {
		written = authority.substr(0, authority.find(':'));
	}
	std::string canonical = CanonicalHost(written, problem);
	if (canonical.empty())
		return false;
	std::string ignored;
	if (CanonicalHost(GetPart(u, CURLUPART_HOST).value, &ignored) != canonical) {
		*problem = "the host is not written in a plain form (libcurl reads it differently)";
		return false;
	}
	target->scheme = GetPart(u, CURLUPART_SCHEME).value;
	target->host = std::move(canonical);
	Part port = GetPart(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	target->port =
	    port.present && AllDigits(port.value) && port.value.size() <= 5 ? std::stoi(port.value) : 0;
	return true;
}

bool IsLoopbackHost(std::string_view host) noexcept {
	if (EqualsIgnoringCase(host, "localhost"))
		return true;
	if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
		host = host.substr(1, host.size() - 2);
	char buffer[64];
	if (host.empty() || host.size() >= sizeof buffer)
		return false;
	host.copy(buffer, host.size());
	buffer[host.size()] = '\0';

	in_addr v4;
	if (inet_pton(AF_INET, buffer, &v4) == 1)
		return (ntohl(v4.s_addr) >> 24) == 127;
	in6_addr v6;
	if (inet_pton(AF_INET6, buffer, &v6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&v6))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
	}
	return false;
}

UrlVerdict CheckUrl(std::string_view url) {
	Parsed parsed = Parse(url);
	if (!parsed.url)
		return Reject(parsed.error);
	return CheckParsed(parsed.url.get());
}

void RequireAllowedUrl(std::string_view url) {
	UrlVerdict verdict = CheckUrl(url);
	if (!verdict.allowed)
		throw Error(sqlstate::kInvalidParameterValue, "URL rejected: " + verdict.reason);
}

std::string ApplyEndpointOverride(std::string_view endpoint, std::string_view url) {
	const std::string hint =
	    "an endpoint override has the form scheme://host[:port], e.g. http://127.0.0.1:8080";
	Parsed base = Parse(endpoint);
	if (!base.url)
		throw Error(sqlstate::kInvalidParameterValue, "invalid endpoint override: " + base.error, hint);
	UrlVerdict base_verdict = CheckParsed(base.url.get());
	if (!base_verdict.allowed)
		throw Error(sqlstate::kInvalidParameterValue, "invalid endpoint override: " + base_verdict.reason,
		            hint);
	Part base_path = GetPart(base.url.get(), CURLUPART_PATH);
	if ((base_path.present && base_path.value != "/" && !base_path.value.empty()) ||
	    GetPart(base.url.get(), CURLUPART_QUERY).present ||
	    GetPart(base.url.get(), CURLUPART_FRAGMENT).present)
		throw Error(sqlstate::kInvalidParameterValue,
		            "invalid endpoint override: only scheme, host and port may be given, not a path or query",
		            hint);

	Parsed target = Parse(url);
	if (!target.url)
		throw Error(sqlstate::kInvalidParameterValue, "invalid URL: " + target.error);
	Part port = GetPart(base.url.get(), CURLUPART_PORT);
	CURLU *t = target.url.get();
	if (curl_url_set(t, CURLUPART_SCHEME, GetPart(base.url.get(), CURLUPART_SCHEME).value.c_str(),
	                 CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_set(t, CURLUPART_HOST, GetPart(base.url.get(), CURLUPART_HOST).value.c_str(), 0) !=
	        CURLUE_OK ||
	    curl_url_set(t, CURLUPART_PORT, port.present ? port.value.c_str() : nullptr, 0) != CURLUE_OK)
		throw Error(sqlstate::kInvalidParameterValue, "could not apply the endpoint override to the URL");
	Part result = GetPart(t, CURLUPART_URL);
	if (!result.present)
		throw Error(sqlstate::kInvalidParameterValue, "could not apply the endpoint override to the URL");
	RequireAllowedUrl(result.value);
	return result.value;
}

} // namespace capi::http
