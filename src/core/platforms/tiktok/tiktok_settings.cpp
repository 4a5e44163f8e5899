#include "core/platforms/tiktok/tiktok_adapter.hpp"

#include "core/dispatch/value_checks.hpp"

namespace capi::dispatch {
namespace {

constexpr std::size_t kMaxIdBytes = 64;

bool IsAlphanumeric(std::string_view text) {
	if (text.empty() || text.size() > kMaxIdBytes) {
		return false;
	}
	for (char c : text) {
		bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
		if (!ok) {
			return false;
		}
	}
	return true;
}

// A header value must not carry CR, LF or other control characters.

} // namespace

TikTokSettings ReadTikTokSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys({"pixel_code", "test_event_code"});
	TikTokSettings settings;
	settings.pixel_code = config.RequiredString("pixel_code");
	if (!IsAlphanumeric(settings.pixel_code)) {
		config.Fail("pixel_code",
		            "must be 1 to 64 letters and digits (the pixel code from TikTok Events Manager)");
	}
	settings.test_event_code = config.OptionalString("test_event_code");
	if (settings.test_event_code && settings.test_event_code->size() > kMaxIdBytes) {
		config.Fail("test_event_code", "must be at most 64 bytes");
	}

	SettingsReader credentials(destination, "credentials", destination.credentials_json,
	                           SettingsReader::Secrecy::kSecret);
	credentials.RejectUnknownKeys({"access_token"});
	settings.access_token = credentials.RequiredString("access_token");
	if (HasControlCharacter(settings.access_token)) {
		credentials.Fail("access_token", "must not contain control characters");
	}
	settings.common = ReadCommonSettings(destination);
	return settings;
}

std::string_view TikTokEventSource(std::string_view action_source) {
	if (action_source == "website") {
		return "web";
	}
	if (action_source == "app") {
		return "app";
	}
	if (action_source == "system_generated") {
		return "crm";
	}
	return "offline";
}

} // namespace capi::dispatch
