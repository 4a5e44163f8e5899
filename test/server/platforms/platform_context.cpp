#include "server/platforms/platform_context.hpp"

#include <algorithm>

namespace capi::testserver {

bool PlatformContext::AcceptsToken(std::string_view platform, std::string_view token, int64_t now_ms) const {
	switch (tokens_.Check(platform, token, now_ms)) {
	case TokenRegistry::State::kValid:
		return true;
	case TokenRegistry::State::kExpired:
		return false;
	case TokenRegistry::State::kUnknown:
		break;
	}
	auto listed = static_tokens_.find(platform);
	if (listed == static_tokens_.end() || listed->second.empty()) {
		return !token.empty();
	}
	return std::find(listed->second.begin(), listed->second.end(), token) != listed->second.end();
}

} // namespace capi::testserver
