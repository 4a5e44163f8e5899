#include "core/platforms/pinterest/pinterest_adapter.hpp"

#include "core/dispatch/value_checks.hpp"

#include <nlohmann/json.hpp>

namespace capi::dispatch {
namespace {

// config.test: absent, null, true or false.
bool ReadTestFlag(const Destination &destination, const SettingsReader &config) {
	const std::string &text = destination.config_json;
	if (text.find_first_not_of(" \t\r\n") == std::string::npos)
		return false;
	nlohmann::json object = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	auto test = object.find("test");
	if (test == object.end() || test->is_null())
		return false;
	if (!test->is_boolean())
		config.Fail("test", "must be true or false");
	return test->get<bool>();
}

} // namespace

PinterestSettings ReadPinterestSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys({"ad_account_id", "test"});
	PinterestSettings settings;
	settings.ad_account_id = config.RequiredString("ad_account_id");
	if (!IsDigits(settings.ad_account_id) || settings.ad_account_id.size() > 32)
		config.Fail("ad_account_id", "must be a string of digits (the ad account id in Ads Manager)");
	settings.test = ReadTestFlag(destination, config);
	settings.common = ReadCommonSettings(destination);

	SettingsReader credentials(destination, "credentials", destination.credentials_json,
	                           SettingsReader::Secrecy::kSecret);
	credentials.RejectUnknownKeys({"access_token"});
	settings.access_token = credentials.RequiredString("access_token");
	if (HasControlCharacter(settings.access_token))
		credentials.Fail("access_token", "must not contain control characters");
	return settings;
}

} // namespace capi::dispatch
