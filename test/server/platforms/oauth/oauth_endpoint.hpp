// The platforms' OAuth2 token endpoints (RFC 6749 section 6, refresh_token grant):
//   POST /token                  Google (https://oauth2.googleapis.com/token)
//   POST /oauth/v2/accessToken   LinkedIn (https://www.linkedin.com/oauth/v2/accessToken)
// Form body grant_type=refresh_token&refresh_token=...&client_id=...&client_secret=...
// 200 {"access_token", "expires_in", "token_type": "Bearer"}; a refresh token starting with "revoked"
// gets 400 {"error": "invalid_grant"}; a missing client id or secret 401 {"error": "invalid_client"}.
#pragma once

#include "server/http/http_message.hpp"
#include "server/platforms/platform_context.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>

namespace capi::testserver {

class OAuthEndpoint {
public:
	explicit OAuthEndpoint(PlatformContext &context) : context_(context) {}

	// The platform whose token path this is ("google", "linkedin"), or "" when none.
	std::string_view PlatformOf(const HttpRequest &request) const;
	HttpResponse Handle(const HttpRequest &request, std::string_view platform, int64_t now_ms);

	nlohmann::json Stats() const {
		return {{"token_requests", token_requests_},
		        {"tokens_issued", tokens_issued_},
		        {"invalid_grant", invalid_grant_},
		        {"invalid_requests", invalid_requests_}};
	}
	void Reset() { token_requests_ = tokens_issued_ = invalid_grant_ = invalid_requests_ = 0; }
	void CountRequest() { ++token_requests_; }

private:
	PlatformContext &context_;
	uint64_t token_requests_ = 0;
	uint64_t tokens_issued_ = 0;
	uint64_t invalid_grant_ = 0;
	uint64_t invalid_requests_ = 0;
};

} // namespace capi::testserver
