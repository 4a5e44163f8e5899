#include "server/platforms/oauth/oauth_endpoint.hpp"

#include "server/http/url_encoding.hpp"

#include <string>

namespace capi::testserver {
namespace {

HttpResponse OAuthError(int status, const char *error, const char *description) {
	HttpResponse response =
	    JsonResponse(status, nlohmann::json({{"error", error}, {"error_description", description}}).dump());
	response.headers.emplace_back("Cache-Control", "no-store");
	return response;
}

std::string Param(std::string_view body, std::string_view name) {
	std::string_view raw;
	std::string value;
	if (!FindFormParam(body, name, &raw) || !PercentDecode(raw, &value)) {
		return std::string();
	}
	return value;
}

} // namespace

std::string_view OAuthEndpoint::PlatformOf(const HttpRequest &request) const {
	if (request.path == "/token") {
		return "google";
	}
	if (request.path == "/oauth/v2/accessToken") {
		return "linkedin";
	}
	return {};
}

HttpResponse OAuthEndpoint::Handle(const HttpRequest &request, std::string_view platform, int64_t now_ms) {
	if (request.method != "POST") {
		++invalid_requests_;
		return OAuthError(405, "invalid_request", "the token endpoint takes POST");
	}
	const std::string *type = request.Header("content-type");
	if (type == nullptr || type->rfind("application/x-www-form-urlencoded", 0) != 0) {
		++invalid_requests_;
		return OAuthError(400, "invalid_request", "Content-Type must be application/x-www-form-urlencoded");
	}
	std::string_view body = request.body.view();
	if (Param(body, "grant_type") != "refresh_token") {
		++invalid_requests_;
		return OAuthError(400, "unsupported_grant_type", "grant_type must be refresh_token");
	}
	if (Param(body, "client_id").empty() || Param(body, "client_secret").empty()) {
		++invalid_requests_;
		return OAuthError(401, "invalid_client", "The OAuth client was not found.");
	}
	const std::string refresh_token = Param(body, "refresh_token");
	if (refresh_token.empty()) {
		++invalid_requests_;
		return OAuthError(400, "invalid_request", "Missing required parameter: refresh_token");
	}
	if (refresh_token.rfind("revoked", 0) == 0) {
		++invalid_grant_;
		return OAuthError(400, "invalid_grant", "Token has been expired or revoked.");
	}
	++tokens_issued_;
	nlohmann::json reply = {{"access_token", context_.tokens().Issue(platform, now_ms)},
	                        {"expires_in", context_.tokens().lifetime_s()},
	                        {"token_type", "Bearer"}};
	if (platform == "google") {
		reply["scope"] =
		    "https://www.googleapis.com/auth/datamanager https://www.googleapis.com/auth/adwords";
	}
	HttpResponse response = JsonResponse(200, reply.dump());
	response.headers.emplace_back("Cache-Control", "no-store");
	return response;
}

} // namespace capi::testserver
