// libFuzzer target: the URL and endpoint parsers (http/url.hpp, dispatch ResolveBaseUrl).
//
// Input: the first line is an endpoint override ("scheme://host[:port]"), the rest a URL.
// Contract checked: CheckUrl, IsLoopbackHost, CanonicalHost and ExactTarget never throw;
// RequireAllowedUrl, ApplyEndpointOverride and ResolveBaseUrl throw only capi::Error 22023; an allowed
// URL is https, or http to a loopback host; a reason is given exactly when a URL is refused; the
// result of ApplyEndpointOverride is allowed; CanonicalHost is idempotent.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "core/dispatch/destination.hpp"
#include "core/http/url.hpp"
#include "fuzz_input.hpp"

namespace {

void RequireInvalidParameter(const capi::Error &error) {
	if (std::strcmp(error.sqlstate(), capi::sqlstate::kInvalidParameterValue) != 0)
		capi::fuzz::ContractBroken("a URL error with another SQLSTATE than 22023");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
	const std::string_view text = capi::fuzz::AsText(data, size);
	const std::size_t newline = text.find('\n');
	const std::string_view endpoint = text.substr(0, newline);
	const std::string_view url = newline == std::string_view::npos ? text : text.substr(newline + 1);

	const capi::http::UrlVerdict verdict = capi::http::CheckUrl(url);
	if (verdict.allowed != verdict.reason.empty())
		capi::fuzz::ContractBroken("a verdict with a reason when allowed, or none when refused");
	capi::http::UrlTarget target;
	std::string problem;
	const bool exact = capi::http::ExactTarget(url, &target, &problem);
	if (exact && verdict.allowed && target.scheme != "https" &&
	    !(target.scheme == "http" && capi::http::IsLoopbackHost(target.host)))
		capi::fuzz::ContractBroken("an allowed URL that is neither https nor http to loopback");
	try {
		capi::http::RequireAllowedUrl(url);
		if (!verdict.allowed)
			capi::fuzz::ContractBroken("RequireAllowedUrl accepted what CheckUrl refused");
	} catch (const capi::Error &error) {
		RequireInvalidParameter(error);
	}
	try {
		const std::string overridden = capi::http::ApplyEndpointOverride(endpoint, url);
		if (!capi::http::CheckUrl(overridden).allowed)
			capi::fuzz::ContractBroken("ApplyEndpointOverride gave a URL CheckUrl refuses");
	} catch (const capi::Error &error) {
		RequireInvalidParameter(error);
	}
	capi::dispatch::Destination destination;
	destination.name = "fuzz";
	destination.endpoint_override = std::string(endpoint);
	try {
		(void)capi::dispatch::ResolveBaseUrl(destination, "https://graph.facebook.com", endpoint);
	} catch (const capi::Error &error) {
		RequireInvalidParameter(error);
	}
	std::string host_problem;
	const std::string host = capi::http::CanonicalHost(endpoint, &host_problem);
	if (!host.empty()) {
		std::string again_problem;
		if (capi::http::CanonicalHost(host, &again_problem) != host)
			capi::fuzz::ContractBroken("CanonicalHost is not idempotent");
	}
	(void)capi::http::IsLoopbackHost(endpoint);
	return 0;
}
