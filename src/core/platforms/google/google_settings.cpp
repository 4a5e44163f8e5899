#include "core/platforms/google/google_adapter.hpp"

#include "core/dispatch/value_checks.hpp"

#include <nlohmann/json.hpp>

namespace capi::dispatch {
namespace {

// Google customer ids are sent as digits, without the hyphens the UI shows (123-456-7890).
bool IsAccountId(std::string_view text) {
	if (text.empty() || text.size() > 20)
		return false;
	for (char c : text)
		if (c < '0' || c > '9')
			return false;
	return true;
}

std::string AccountId(const SettingsReader &config, std::string_view key, std::string value) {
	if (!IsAccountId(value))
		config.Fail(key, "must be a Google Ads customer id: digits only, without hyphens");
	return value;
}

void ReadConversionActions(const SettingsReader &config, const nlohmann::json &object,
                           GoogleSettings *settings) {
	auto actions = object.find("conversion_actions");
	if (actions == object.end() || actions->is_null())
		config.Fail("conversion_actions",
		            "is required: an object {\"<event name>\": \"<conversion action id>\"}");
	if (!actions->is_object() || actions->empty())
		config.Fail("conversion_actions",
		            "must be a non-empty object {\"<event name>\": \"<conversion action id>\"}");
	if (actions->size() > 1000)
		config.Fail("conversion_actions", "has more than 1000 entries");
	for (auto item = actions->begin(); item != actions->end(); ++item) {
		std::string id;
		if (item.value().is_string())
			id = item.value().get<std::string>();
		else if (item.value().is_number_unsigned())
			id = std::to_string(item.value().get<std::uint64_t>());
		if (item.key().empty() || item.key().size() > 200 || !IsAccountId(id))
			config.Fail("conversion_actions",
			            "maps event names (1 to 200 bytes) to conversion action ids (digits)");
		settings->conversion_actions.emplace(item.key(), std::move(id));
	}
}

void ReadCredentials(const Destination &destination, GoogleSettings *settings) {
	SettingsReader credentials(destination, "credentials", destination.credentials_json,
	                           SettingsReader::Secrecy::kSecret);
	const bool ads = settings->api == GoogleApi::kAds;
	if (ads)
		credentials.RejectUnknownKeys(
		    {"client_id", "client_secret", "refresh_token", "access_token", "developer_token"});
	else
		credentials.RejectUnknownKeys({"client_id", "client_secret", "refresh_token", "access_token"});
	std::optional<std::string> token = credentials.OptionalString("access_token");
	std::optional<std::string> client_id = credentials.OptionalString("client_id");
	std::optional<std::string> client_secret = credentials.OptionalString("client_secret");
	std::optional<std::string> refresh_token = credentials.OptionalString("refresh_token");
	const bool any_grant = client_id || client_secret || refresh_token;
	if (token && any_grant)
		credentials.Fail("access_token",
		                 "is for a static token: give either access_token or client_id, client_secret and "
		                 "refresh_token, not both");
	if (token) {
		if (HasControlCharacter(*token))
			credentials.Fail("access_token", "must not contain control characters");
		settings->access_token = std::move(*token);
	} else {
		if (!client_id)
			credentials.Fail("client_id",
			                 "is required (with client_secret and refresh_token), or give access_token");
		if (!client_secret)
			credentials.Fail("client_secret", "is required with client_id and refresh_token");
		if (!refresh_token)
			credentials.Fail("refresh_token", "is required with client_id and client_secret");
		settings->grant =
		    RefreshGrant{std::move(*client_id), std::move(*client_secret), std::move(*refresh_token)};
	}
	if (ads) {
		settings->developer_token = credentials.RequiredString("developer_token");
		if (HasControlCharacter(settings->developer_token))
			credentials.Fail("developer_token", "must not contain control characters");
	}
}

} // namespace

GoogleSettings ReadGoogleSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys(
	    {"api", "operating_account_id", "login_account_id", "conversion_actions", "validate_only"});
	GoogleSettings settings;
	std::string api = config.OptionalString("api").value_or("data_manager");
	if (api == "ads")
		settings.api = GoogleApi::kAds;
	else if (api != "data_manager")
		config.Fail("api", "must be \"data_manager\" (the default) or \"ads\"");
	settings.operating_account_id =
	    AccountId(config, "operating_account_id", config.RequiredString("operating_account_id"));
	if (std::optional<std::string> login = config.OptionalString("login_account_id"))
		settings.login_account_id = AccountId(config, "login_account_id", std::move(*login));

	// SettingsReader checked that the text is a JSON object.
	const std::string &text = destination.config_json;
	nlohmann::json object = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	ReadConversionActions(config, object, &settings);
	if (auto validate = object.find("validate_only"); validate != object.end() && !validate->is_null()) {
		if (!validate->is_boolean())
			config.Fail("validate_only", "must be true or false");
		settings.validate_only = validate->get<bool>();
	}
	ReadCredentials(destination, &settings);
	return settings;
}

} // namespace capi::dispatch
