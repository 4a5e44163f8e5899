#include "core/platforms/google/google_event.hpp"

#include <cmath>

#include "core/platforms/google/google_user_object.hpp"
#include "core/sha256.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;
using platforms::Field;

// The stored identity bag as the user-object builder reads it.
class BagValues final : public platforms::UserValues {
public:
	explicit BagValues(const IdentityBag &bag) : bag_(bag) {}
	std::vector<std::string> Values(Field field) const override {
		std::vector<std::string> values;
		for (std::string_view value : bag_.Values(field))
			values.emplace_back(value);
		return values;
	}
	std::vector<std::string> PlainValues(PlainKey key, bool /*ipv4_only*/) const override {
		std::string_view value = bag_.Plain(key);
		return value.empty() ? std::vector<std::string>() : std::vector<std::string>{std::string(value)};
	}

private:
	const IdentityBag &bag_;
};

bool IsLowercaseSha256Hex(const json &value) {
	return value.is_string() && capi::IsLowercaseSha256Hex(value.get_ref<const std::string &>());
}

bool IsRegionCode(const json &value) {
	if (!value.is_string())
		return false;
	const std::string &text = value.get_ref<const std::string &>();
	return text.size() == 2 && text[0] >= 'A' && text[0] <= 'Z' && text[1] >= 'A' && text[1] <= 'Z';
}

bool IsPostalCode(const json &value) {
	if (!value.is_string())
		return false;
	const std::string &text = value.get_ref<const std::string &>();
	if (text.empty() || text.size() > 16)
		return false;
	for (char c : text)
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == ' ' ||
		      c == '-'))
			return false;
	return true;
}

// What Google would reject in the identifiers (HEX encoding: lowercase SHA-256 hex digests; address
// region and postal code in clear). Never quotes a value: they are personal data.
std::optional<std::string> CheckIdentifiers(const json &identifiers) {
	const char *kHashProblem = " value for Google is not a lowercase SHA-256 hex digest";
	for (const json &identifier : identifiers) {
		if (auto email = identifier.find("emailAddress");
		    email != identifier.end() && !IsLowercaseSha256Hex(*email))
			return std::string("user_data: an email") + kHashProblem;
		if (auto phone = identifier.find("phoneNumber");
		    phone != identifier.end() && !IsLowercaseSha256Hex(*phone))
			return std::string("user_data: a phone") + kHashProblem;
		auto address = identifier.find("address");
		if (address == identifier.end())
			continue;
		auto part = [&](const char *key) { return address->value(key, json()); };
		if (!IsLowercaseSha256Hex(part("givenName")))
			return std::string("user_data: a first_name") + kHashProblem;
		if (!IsLowercaseSha256Hex(part("familyName")))
			return std::string("user_data: a last_name") + kHashProblem;
		if (!IsRegionCode(part("regionCode")))
			return std::string("user_data: country for Google must be an ISO 3166-1 alpha-2 code");
		if (!IsPostalCode(part("postalCode")))
			return std::string(
			    "user_data: zip for Google must be a postal code (letters, digits, spaces, '-')");
	}
	return std::nullopt;
}

// order_id, value and currency from custom_data (checked at INSERT to be a JSON object).
std::optional<std::string> ReadCustomData(std::string_view text, GoogleEvent *out) {
	if (text.empty())
		return std::nullopt;
	json custom = json::parse(text.begin(), text.end(), nullptr, false);
	if (!custom.is_object())
		return std::string("custom_data is not a JSON object");
	if (auto order = custom.find("order_id"); order != custom.end() && !order->is_null()) {
		if (order->is_string())
			out->transaction_id = order->get<std::string>();
		else if (order->is_number_integer())
			out->transaction_id = order->dump();
		else
			return std::string("custom_data.order_id must be a string or an integer for Google");
	}
	if (auto value = custom.find("value"); value != custom.end() && !value->is_null()) {
		if (!value->is_number() || !std::isfinite(value->get<double>()) || value->get<double>() < 0)
			return std::string("custom_data.value must be a number of at least 0 for Google");
		out->value = value->get<double>();
	}
	if (auto currency = custom.find("currency"); currency != custom.end() && !currency->is_null()) {
		std::string code = currency->is_string() ? currency->get<std::string>() : std::string();
		bool letters = code.size() == 3;
		for (char &c : code) {
			if (c >= 'a' && c <= 'z')
				c = static_cast<char>(c - 'a' + 'A');
			letters = letters && c >= 'A' && c <= 'Z';
		}
		if (!letters)
			return std::string("custom_data.currency must be a three-letter ISO 4217 code for Google");
		out->currency = std::move(code);
	}
	return std::nullopt;
}

std::optional<std::string> CheckTime(const OutboxEvent &event, std::int64_t now_ms) {
	if (event.event_time_ms <= 0)
		return std::string("event_time must be a positive Unix time");
	const std::int64_t age_ms = now_ms - event.event_time_ms;
	if (age_ms > kGoogleMaxAgeMs - kGoogleAgeMarginMs)
		return "event_time is " + std::to_string(age_ms / kGoogleDayMs) +
		       " days old; Google attributes conversions up to 90 days after the click";
	if (-age_ms > kGoogleMaxFutureMs)
		return "event_time is " + std::to_string(-age_ms / 1000) + " s in the future; Google rejects it";
	return std::nullopt;
}

// gclid wins; without it, the iOS click id of the event's kind (wbraid: web, gbraid: app), since
// Google refuses a conversion carrying several.
void ChooseClickId(const OutboxEvent &event, const IdentityBag &bag, GoogleEvent *out) {
	std::string_view gclid = bag.Plain(PlainKey::kGclid);
	std::string_view gbraid = bag.Plain(PlainKey::kGbraid);
	std::string_view wbraid = bag.Plain(PlainKey::kWbraid);
	if (!gclid.empty()) {
		out->click_id_key = "gclid";
		out->click_id = gclid;
	} else if (!gbraid.empty() && (wbraid.empty() || event.action_source == "app")) {
		out->click_id_key = "gbraid";
		out->click_id = gbraid;
	} else if (!wbraid.empty()) {
		out->click_id_key = "wbraid";
		out->click_id = wbraid;
	}
}

bool HasEmailOrPhone(const json &identifiers) {
	for (const json &identifier : identifiers)
		if (identifier.contains("emailAddress") || identifier.contains("phoneNumber"))
			return true;
	return false;
}

} // namespace

GoogleEventRules ReadGoogleEventRules(const Destination &destination) {
	GoogleEventRules rules{ReadGoogleSettings(destination), ReadCommonSettings(destination), {}};
	// Consent Mode v2: a denied ad_user_data travels as DENIED, without identifiers, click ids kept.
	rules.consent =
	    ConsentRuleFor(rules.common, DeniedAdUserData::kSendWithoutIdentifiers, /*keep_click_ids=*/true);
	return rules;
}

std::optional<Refusal> ReadGoogleEvent(const GoogleEventRules &rules, const OutboxEvent &event,
                                       std::int64_t now_ms, EventFields &fields, GoogleEvent *out) {
	*out = GoogleEvent();
	std::optional<std::string> action = GoogleConversionAction(rules, event.event_name);
	if (!action) {
		std::string reason = "no Google conversion action for \"";
		reason.append(event.event_name.substr(0, 200));
		reason.append("\": add it to the destination's config.conversion_actions to send it");
		return Refusal::Skip(std::move(reason));
	}
	out->action_id = std::move(*action);
	if (std::optional<std::string> problem = CheckTime(event, now_ms))
		return problem;
	if (std::optional<std::string> problem = fields.Read(event, identity::Platform::kGoogle))
		return problem;
	if (std::optional<Refusal> skip = ApplyConsent(fields, rules.consent))
		return skip;
	if (std::optional<std::string> problem = ReadCustomData(fields.custom_data_json(), out))
		return problem;
	if (out->transaction_id.empty())
		out->transaction_id = event.event_id;

	const IdentityBag &bag = fields.identity();
	ChooseClickId(event, bag, out);
	out->user_identifiers = platforms::kGoogleUserObject.build(BagValues(bag))["userIdentifiers"];
	if (std::optional<std::string> problem = CheckIdentifiers(out->user_identifiers))
		return problem;
	out->user_agent = bag.Plain(PlainKey::kClientUserAgent);
	out->ip_address = bag.Plain(PlainKey::kClientIpAddress);
	out->ad_user_data = fields.consent().ad_user_data;
	out->ad_personalization = fields.consent().ad_personalization;

	// The Google Ads API matches click conversions by click id, email or phone only.
	const bool ads = rules.settings.api == GoogleApi::kAds;
	const bool matchable = !out->click_id.empty() ||
	                       (ads ? HasEmailOrPhone(out->user_identifiers) : !out->user_identifiers.empty());
	if (!matchable) {
		if (AdUserDataDenied(fields))
			return Refusal::Skip(
			    "consent: ad_user_data is denied, so no identifier is sent, and the event has no click id "
			    "(gclid, gbraid, wbraid): Google cannot match it");
		return Refusal::Skip(
		    ads ? "Google cannot match the event: it has no click id (gclid, gbraid, wbraid), "
		          "email or phone"
		        : "Google cannot match the event: it has no click id (gclid, gbraid, wbraid) "
		          "and no email, phone or address");
	}
	return std::nullopt;
}

} // namespace capi::dispatch
