#include "core/platforms/meta/meta_adapter.hpp"

#include "core/dispatch/value_checks.hpp"

#include "core/platforms/meta/hmac_sha256.hpp"

namespace capi::dispatch {
namespace {

// "v25.0"
bool IsApiVersion(std::string_view text) {
	size_t dot = text.find('.');
	return text.size() >= 4 && text[0] == 'v' && dot != std::string_view::npos &&
	       IsDigits(text.substr(1, dot - 1)) && IsDigits(text.substr(dot + 1));
}

} // namespace

MetaSettings ReadMetaSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys({"pixel_id", "api_version", "test_event_code", "partner_agent"});
	MetaSettings settings;
	settings.pixel_id = config.RequiredString("pixel_id");
	if (!IsDigits(settings.pixel_id) || settings.pixel_id.size() > 32) {
		config.Fail("pixel_id", "must be a string of digits");
	}
	settings.api_version = config.OptionalString("api_version").value_or(std::string(kMetaDefaultApiVersion));
	if (!IsApiVersion(settings.api_version)) {
		config.Fail("api_version", "must look like \"v25.0\"");
	}
	settings.test_event_code = config.OptionalString("test_event_code");
	settings.partner_agent = config.OptionalString("partner_agent");

	SettingsReader credentials(destination, "credentials", destination.credentials_json,
	                           SettingsReader::Secrecy::kSecret);
	credentials.RejectUnknownKeys({"access_token", "app_secret"});
	settings.access_token = credentials.RequiredString("access_token");
	if (HasControlCharacter(settings.access_token)) {
		credentials.Fail("access_token", "must not contain control characters");
	}
	if (std::optional<std::string> app_secret = credentials.OptionalString("app_secret")) {
		settings.appsecret_proof = HmacSha256Hex(*app_secret, settings.access_token);
	}
	return settings;
}

} // namespace capi::dispatch
