#include <nlohmann/json.hpp>

#include "core/dispatch/value_checks.hpp"

#include "core/platforms/snap/snap_adapter.hpp"

namespace capi::dispatch {
namespace {

// Snap pixel ids are UUIDs; letters, digits and '-' (at most 64) keep the URL path plain.
bool IsPixelId(std::string_view text) {
	if (text.empty() || text.size() > 64) {
		return false;
	}
	for (char c : text) {
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-')) {
			return false;
		}
	}
	return true;
}

} // namespace

SnapSettings ReadSnapSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys({"pixel_id", "validate"});
	SnapSettings settings;
	settings.pixel_id = config.RequiredString("pixel_id");
	if (!IsPixelId(settings.pixel_id)) {
		config.Fail("pixel_id", "must be Snap's pixel id (letters, digits and '-', at most 64)");
	}
	// SettingsReader reads strings; validate is a boolean (the text is an object: checked above).
	nlohmann::json object = nlohmann::json::parse(destination.config_json, nullptr, false);
	if (auto validate = object.find("validate"); validate != object.end() && !validate->is_null()) {
		if (!validate->is_boolean()) {
			config.Fail("validate", "must be true or false");
		}
		settings.validate = validate->get<bool>();
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

std::string_view SnapActionSource(std::string_view action_source) {
	if (action_source == "website") {
		return "WEB";
	}
	if (action_source == "app") {
		return "MOBILE_APP";
	}
	return "OFFLINE";
}

} // namespace capi::dispatch
