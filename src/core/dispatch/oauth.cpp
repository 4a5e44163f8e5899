#include "core/dispatch/oauth.hpp"

#include <nlohmann/json.hpp>

#include "core/dispatch/message_text.hpp"

namespace capi::dispatch {
namespace {

constexpr std::int64_t kDefaultLifetimeS = 3600;

std::string Member(const nlohmann::json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

} // namespace

std::string FormEncode(std::string_view value) {
	static const char kHex[] = "0123456789ABCDEF";
	std::string out;
	out.reserve(value.size());
	for (unsigned char c : value) {
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			out.push_back(static_cast<char>(c));
		} else {
			out.push_back('%');
			out.push_back(kHex[c >> 4]);
			out.push_back(kHex[c & 15]);
		}
	}
	return out;
}

HttpRequest RefreshTokenRequest(std::string token_url, const RefreshGrant &grant) {
	HttpRequest request;
	request.url = std::move(token_url);
	request.headers.push_back("Content-Type: application/x-www-form-urlencoded");
	request.headers.push_back("Accept: application/json");
	request.body = "grant_type=refresh_token&refresh_token=" + FormEncode(grant.refresh_token) +
	               "&client_id=" + FormEncode(grant.client_id) +
	               "&client_secret=" + FormEncode(grant.client_secret);
	request.secrets = {grant.refresh_token, grant.client_secret, FormEncode(grant.refresh_token),
	                   FormEncode(grant.client_secret)};
	return request;
}

TokenReply ReadTokenReply(long http_status, std::string_view body) {
	TokenReply reply;
	nlohmann::json json = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
	const bool object = !json.is_discarded() && json.is_object();
	if (http_status >= 200 && http_status < 300) {
		reply.access_token = object ? Member(json, "access_token") : std::string();
		if (reply.access_token.empty()) {
			reply.message = "the OAuth token endpoint answered " + std::to_string(http_status) +
			                " without an access_token";
			return reply; // kRetry
		}
		reply.kind = TokenReply::Kind::kToken;
		reply.expires_in_s = kDefaultLifetimeS;
		if (auto expires = json.find("expires_in"); expires != json.end()) {
			if (expires->is_number_integer())
				reply.expires_in_s = expires->get<std::int64_t>();
			else if (expires->is_string())
				reply.expires_in_s = std::strtoll(expires->get<std::string>().c_str(), nullptr, 10);
		}
		return reply;
	}
	const std::string error = object ? Member(json, "error") : std::string();
	std::string description = object ? Member(json, "error_description") : std::string();
	reply.message = "OAuth token refresh failed (HTTP " + std::to_string(http_status) +
	                (error.empty() ? "" : ", " + error) + ")" +
	                (description.empty() ? "" : ": " + QuotableBody(description, true));
	// RFC 6749 section 5.2: invalid_grant (refresh token expired or revoked), invalid_client,
	// unauthorized_client, invalid_scope need a person; so does a 401 or 403 from the endpoint.
	if (error == "invalid_grant" || error == "invalid_client" || error == "unauthorized_client" ||
	    error == "invalid_scope" || error == "invalid_request" || http_status == 401 || http_status == 403) {
		reply.kind = TokenReply::Kind::kRejected;
		reply.message += ". Obtain a new refresh token and UPDATE the destination's credentials.";
		return reply;
	}
	if (http_status == 400 && !error.empty()) {
		reply.kind = TokenReply::Kind::kRejected;
		return reply;
	}
	return reply; // 429, 5xx, anything else: kRetry
}

} // namespace capi::dispatch
