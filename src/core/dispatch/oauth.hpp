// OAuth2 access tokens from a refresh token (RFC 6749 section 6,
// https://datatracker.ietf.org/doc/html/rfc6749#section-6), for Google and LinkedIn. The adapter
// says where and with what (PlatformAdapter::TokenRequest, built with RefreshTokenRequest); the
// pipeline sends it, reads the reply with ReadTokenReply, caches the token until shortly before it
// expires and hands it to StartRequest.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/dispatch/adapter.hpp"

namespace capi::dispatch {

struct RefreshGrant {
	std::string client_id;
	std::string client_secret;
	std::string refresh_token;
};

// POST token_url, form-encoded grant_type=refresh_token&refresh_token=...&client_id=...&client_secret=...
// Every value of the grant is listed in secrets.
HttpRequest RefreshTokenRequest(std::string token_url, const RefreshGrant &grant);

struct TokenReply {
	enum class Kind {
		kToken,    // access_token, valid for expires_in_s
		kRejected, // the grant or the client is refused (invalid_grant, invalid_client, 401): pause
		kRetry,    // transient (429, 5xx, a reply that is not a token)
	};
	Kind kind = Kind::kRetry;
	std::string access_token;
	std::int64_t expires_in_s = 0;
	std::string message; // the endpoint's error and description (never a token), for the pause reason
	std::optional<std::int64_t> retry_after_ms;
};

// Reads the token endpoint's reply. Tokens without expires_in count as valid for one hour.
TokenReply ReadTokenReply(long http_status, std::string_view body);

// Form encoding of one value (application/x-www-form-urlencoded).
std::string FormEncode(std::string_view value);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
