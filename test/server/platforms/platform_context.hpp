// What platform handlers share: the access tokens the server accepts, static (--token) and issued
// by its OAuth token endpoints.
#pragma once

#include "server/platforms/oauth/token_registry.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace capi::testserver {

class PlatformContext {
public:
	// platform -> tokens listed with --token platform=TOKEN
	explicit PlatformContext(std::map<std::string, std::vector<std::string>, std::less<>> static_tokens)
	    : static_tokens_(std::move(static_tokens)) {}

	// An OAuth-issued token is valid until it expires; any other token when listed for the platform,
	// or, when none is listed, when it is not empty.
	bool AcceptsToken(std::string_view platform, std::string_view token, int64_t now_ms) const;

	TokenRegistry &tokens() { return tokens_; }
	const TokenRegistry &tokens() const { return tokens_; }

private:
	std::map<std::string, std::vector<std::string>, std::less<>> static_tokens_;
	TokenRegistry tokens_;
};

} // namespace capi::testserver
