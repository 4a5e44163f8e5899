// Access tokens issued by the test server's OAuth token endpoints, with their expiry, shared by the
// platform handlers that take OAuth tokens (Google, LinkedIn).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace capi::testserver {

class TokenRegistry {
public:
	enum class State { kUnknown, kValid, kExpired };

	// A new token for `platform`, valid for lifetime_s() seconds from now_ms.
	std::string Issue(std::string_view platform, int64_t now_ms);
	State Check(std::string_view platform, std::string_view token, int64_t now_ms) const;
	// Every token issued so far expires now.
	void ExpireAll(int64_t now_ms);
	void Clear() { expiry_ms_.clear(); }

	int64_t lifetime_s() const { return lifetime_s_; }
	void set_lifetime_s(int64_t seconds) { lifetime_s_ = seconds; }

private:
	std::unordered_map<std::string, int64_t> expiry_ms_; // "platform token" -> expiry
	int64_t lifetime_s_ = 3600;
	uint64_t issued_ = 0;
};

} // namespace capi::testserver
