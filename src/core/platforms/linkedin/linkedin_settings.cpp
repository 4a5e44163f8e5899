#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include "core/dispatch/value_checks.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace capi::dispatch {
namespace {

constexpr std::string_view kRulePrefix = "urn:lla:llaPartnerConversion:";
constexpr std::size_t kMaxRuleEntries = 1000;
constexpr std::size_t kMaxEventNameBytes = 200;

// "202607", or a patch release "202508.02".
bool IsApiVersion(std::string_view text) {
	std::string_view month = text.substr(0, 6);
	if (text.size() != 6 && !(text.size() == 9 && text[6] == '.' && IsDigits(text.substr(7))))
		return false;
	if (!IsDigits(month))
		return false;
	const int mm = (month[4] - '0') * 10 + (month[5] - '0');
	return mm >= 1 && mm <= 12 && month >= "202206"; // LinkedIn's first versioned release
}

bool IsRuleUrn(std::string_view text) {
	return text.size() > kRulePrefix.size() && text.size() <= kRulePrefix.size() + 19 &&
	       text.substr(0, kRulePrefix.size()) == kRulePrefix && IsDigits(text.substr(kRulePrefix.size()));
}

void ReadRules(const SettingsReader &config, const nlohmann::json &rules, LinkedInSettings &settings) {
	if (!rules.is_object() || rules.empty())
		config.Fail(
		    "conversion_rules",
		    "must be a non-empty JSON object {\"<event name>\": [\"urn:lla:llaPartnerConversion:<id>\", "
		    "...]}");
	if (rules.size() > kMaxRuleEntries)
		config.Fail("conversion_rules", "has more than 1000 entries");
	for (auto item = rules.begin(); item != rules.end(); ++item) {
		const std::string key = "conversion_rules." + item.key();
		if (item.key().empty() || item.key().size() > kMaxEventNameBytes)
			config.Fail("conversion_rules", "event names are 1 to 200 bytes");
		std::vector<std::string> urns;
		const nlohmann::json &value = item.value();
		if (value.is_string()) {
			urns.push_back(value.get<std::string>());
		} else if (value.is_array() && !value.empty() && value.size() <= kLinkedInMaxRulesPerEvent) {
			for (const nlohmann::json &urn : value) {
				if (!urn.is_string())
					config.Fail(key, "must hold strings \"urn:lla:llaPartnerConversion:<id>\"");
				urns.push_back(urn.get<std::string>());
			}
		} else {
			config.Fail(key, "must be an array of 1 to 50 conversion rule URNs");
		}
		for (std::size_t i = 0; i < urns.size(); ++i) {
			if (!IsRuleUrn(urns[i]))
				config.Fail(
				    key, "must hold conversion rule URNs \"urn:lla:llaPartnerConversion:<digits>\" (Campaign "
				         "Manager, Analyze > Conversion tracking)");
			if (std::find(urns.begin(), urns.begin() + static_cast<std::ptrdiff_t>(i), urns[i]) !=
			    urns.begin() + static_cast<std::ptrdiff_t>(i))
				config.Fail(key, "lists " + urns[i] + " twice");
		}
		settings.max_rules_per_event = std::max(settings.max_rules_per_event, urns.size());
		settings.conversion_rules.emplace(item.key(), std::move(urns));
	}
}

} // namespace

LinkedInSettings ReadLinkedInSettings(const Destination &destination) {
	SettingsReader config(destination, "config", destination.config_json, SettingsReader::Secrecy::kPlain);
	config.RejectUnknownKeys({"api_version", "conversion_rules", "send_user_info"});
	LinkedInSettings settings;
	std::optional<std::string> version = config.OptionalString("api_version");
	settings.api_version_configured = version.has_value();
	settings.api_version = version.value_or(std::string(kLinkedInDefaultApiVersion));
	if (!IsApiVersion(settings.api_version))
		config.Fail("api_version", "must be a LinkedIn-Version YYYYMM such as \"" +
		                               std::string(kLinkedInDefaultApiVersion) + "\"");

	// SettingsReader checked that the text is a JSON object.
	const nlohmann::json object = nlohmann::json::parse(
	    destination.config_json.empty() ? std::string("{}") : destination.config_json, nullptr, false);
	auto rules = object.find("conversion_rules");
	if (rules == object.end() || rules->is_null())
		config.Fail("conversion_rules",
		            "is required: {\"<event name>\": [\"urn:lla:llaPartnerConversion:<id>\", ...]}");
	ReadRules(config, *rules, settings);
	if (auto user_info = object.find("send_user_info"); user_info != object.end() && !user_info->is_null()) {
		if (!user_info->is_boolean())
			config.Fail("send_user_info", "must be true or false");
		settings.send_user_info = user_info->get<bool>();
	}

	SettingsReader credentials(destination, "credentials", destination.credentials_json,
	                           SettingsReader::Secrecy::kSecret);
	credentials.RejectUnknownKeys({"access_token", "client_id", "client_secret", "refresh_token"});
	std::optional<std::string> token = credentials.OptionalString("access_token");
	std::optional<std::string> refresh = credentials.OptionalString("refresh_token");
	if (token && refresh)
		credentials.Fail("access_token", "and refresh_token exclude each other: give {access_token} or "
		                                 "{client_id, client_secret, refresh_token}");
	if (token) {
		if (credentials.OptionalString("client_id") || credentials.OptionalString("client_secret"))
			credentials.Fail("client_id", "and client_secret go with refresh_token, not with access_token");
		if (HasControlCharacter(*token))
			credentials.Fail("access_token", "must not contain control characters");
		settings.access_token = std::move(*token);
		return settings;
	}
	if (!refresh)
		credentials.Fail(
		    "access_token",
		    "is required, or the OAuth2 refresh grant {client_id, client_secret, refresh_token}");
	RefreshGrant grant;
	grant.client_id = credentials.RequiredString("client_id");
	grant.client_secret = credentials.RequiredString("client_secret");
	grant.refresh_token = std::move(*refresh);
	settings.grant = std::move(grant);
	return settings;
}

} // namespace capi::dispatch
