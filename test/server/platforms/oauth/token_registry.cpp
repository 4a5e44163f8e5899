#include "server/platforms/oauth/token_registry.hpp"

#include <algorithm>

namespace capi::testserver {
namespace {

std::string Key(std::string_view platform, std::string_view token) {
	std::string key(platform);
	key.push_back(' ');
	key.append(token);
	return key;
}

} // namespace

std::string TokenRegistry::Issue(std::string_view platform, int64_t now_ms) {
	std::string token = "ya29.test-" + std::string(platform) + "-" + std::to_string(++issued_);
	expiry_ms_[Key(platform, token)] = now_ms + lifetime_s_ * 1000;
	return token;
}

TokenRegistry::State TokenRegistry::Check(std::string_view platform, std::string_view token,
                                          int64_t now_ms) const {
	auto found = expiry_ms_.find(Key(platform, token));
	if (found == expiry_ms_.end()) {
		return State::kUnknown;
	}
	return now_ms < found->second ? State::kValid : State::kExpired;
}

void TokenRegistry::ExpireAll(int64_t now_ms) {
	for (auto &[key, expiry] : expiry_ms_) {
		expiry = std::min(expiry, now_ms);
	}
}

} // namespace capi::testserver
