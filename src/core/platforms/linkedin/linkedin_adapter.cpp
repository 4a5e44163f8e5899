#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include "core/sha256.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include <nlohmann/json.hpp>

#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/error.hpp"
#include "core/platforms/linkedin/linkedin_bag_values.hpp"
#include "core/platforms/linkedin/linkedin_user_object.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

std::string Days(std::int64_t ms) {
	return std::to_string(ms / kLinkedInDayMs);
}

// The event's own columns: the reason LinkedIn would reject it, or nullopt.
std::optional<std::string> CheckTime(const OutboxEvent &event, std::int64_t now_ms) {
	if (event.event_time_ms <= 0)
		return std::string("event_time must be a positive Unix time");
	const std::int64_t age_ms = now_ms - event.event_time_ms;
	if (age_ms > kLinkedInMaxAgeMs - kLinkedInAgeMarginMs)
		return "event_time is " + Days(age_ms) + " days old; LinkedIn rejects conversions older than 90 days";
	if (-age_ms > kLinkedInMaxFutureMs)
		return "event_time is " + std::to_string(-age_ms / 1000) +
		       " s in the future; pg_capi refuses more than 10 minutes ahead for LinkedIn";
	return std::nullopt;
}

// A decimal amount as LinkedIn wants it: a string ("123.45").
bool IsDecimalText(std::string_view text) {
	std::size_t i = 0, digits = 0;
	while (i < text.size() && text[i] >= '0' && text[i] <= '9')
		++i, ++digits;
	if (i < text.size() && text[i] == '.') {
		++i;
		while (i < text.size() && text[i] >= '0' && text[i] <= '9')
			++i, ++digits;
	}
	return digits > 0 && i == text.size() && text.size() <= 32;
}

// conversionValue from custom_data {value, currency}: "" when there is no value, else the object's
// JSON text; a failure when the value cannot be sent.
std::optional<std::string> ConversionValue(std::string_view custom_data_json, std::string &out) {
	out.clear();
	if (custom_data_json.empty())
		return std::nullopt;
	const json data = json::parse(custom_data_json.begin(), custom_data_json.end(), nullptr, false);
	if (!data.is_object())
		return std::nullopt; // EventFields::Read checked it is an object
	auto value = data.find("value");
	if (value == data.end() || value->is_null())
		return std::nullopt;
	std::string amount;
	if (value->is_number_integer() || value->is_number_unsigned()) {
		if (value->is_number_integer() && value->get<std::int64_t>() < 0)
			return std::string("custom_data.value must not be negative for LinkedIn");
		amount = value->dump();
	} else if (value->is_number_float()) {
		const double number = value->get<double>();
		if (!std::isfinite(number) || number < 0)
			return std::string("custom_data.value must not be negative for LinkedIn");
		std::array<char, 64> text{};
		auto [end, error] = std::to_chars(text.data(), text.data() + text.size(), number);
		if (error != std::errc())
			return std::string("custom_data.value cannot be written as a decimal");
		amount.assign(text.data(), end);
		if (amount.find_first_of("eE") != std::string::npos) {
			auto fixed =
			    std::to_chars(text.data(), text.data() + text.size(), number, std::chars_format::fixed);
			amount.assign(text.data(), fixed.ptr);
		}
	} else if (value->is_string() && IsDecimalText(value->get_ref<const std::string &>())) {
		amount = value->get<std::string>();
	} else {
		return std::string("custom_data.value must be a number or a decimal string for LinkedIn");
	}
	auto currency = data.find("currency");
	if (currency == data.end() || !currency->is_string())
		return std::string(
		    "custom_data.currency (ISO 4217, e.g. \"USD\") is required with custom_data.value for "
		    "LinkedIn");
	std::string code = currency->get<std::string>();
	if (code.size() != 3 || !std::all_of(code.begin(), code.end(), [](char c) {
		    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	    }))
		return std::string("custom_data.currency must be a three-letter ISO 4217 code for LinkedIn");
	for (char &c : code)
		c = static_cast<char>(c >= 'a' ? c - 'a' + 'A' : c);
	out = "{\"currencyCode\":\"" + code + "\",\"amount\":";
	AppendJsonString(&out, amount);
	out.push_back('}');
	return std::nullopt;
}

// The element's "user" object as JSON text, or why the event cannot be sent. LinkedIn needs at least
// one userIds entry or a userInfo with both names; userIds is required even when empty.
std::optional<Refusal> UserObject(const EventFields &fields, bool send_user_info, std::string &out) {
	for (std::string_view value : fields.identity().Values(identity::Field::kEmail))
		if (!IsLowercaseSha256Hex(value))
			return Refusal("user_data: an email value for LinkedIn is not a lowercase SHA-256 hex digest");
	json user = platforms::kLinkedInUserObject.build(BagUserValues(fields.identity()));
	if (!send_user_info)
		user.erase("userInfo");
	const bool has_ids = !user["userIds"].empty() || user.contains("userInfo");
	if (!has_ids) {
		if (AdUserDataDenied(fields))
			return Refusal::Skip(
			    "consent: ad_user_data is denied, and without identifiers LinkedIn cannot take the "
			    "conversion, so the event is not sent");
		return Refusal(
		    "LinkedIn needs an identifier: user_data email, li_fat_id or an IPv4 client_ip_address");
	}
	out = user.dump();
	return std::nullopt;
}

// What one event contributes: its rules, its user object and its conversion value, all checked.
struct EventParts {
	const std::vector<std::string> *rules = nullptr;
	std::string user_json;
	std::string value_json;
};

std::optional<Refusal> CheckEvent(const OutboxEvent &event, std::int64_t now_ms,
                                  const LinkedInSettings &settings, const CommonSettings &common,
                                  const ConsentRule &consent, EventFields &fields, EventParts &parts) {
	if (event.event_name.empty())
		return Refusal("event_name is empty");
	parts.rules = LinkedInRulesFor(settings, common, event.event_name);
	if (parts.rules == nullptr)
		return Refusal::Skip(LinkedInUnmappedReason(event.event_name));
	if (std::optional<std::string> problem = CheckTime(event, now_ms))
		return Refusal(std::move(*problem));
	if (std::optional<std::string> problem = fields.Read(event, identity::Platform::kLinkedIn))
		return Refusal(std::move(*problem));
	if (std::optional<Refusal> skip = ApplyConsent(fields, consent))
		return skip;
	// LinkedIn has no field to pass these on (UNCONFIRMED: none is documented): not sent at all.
	if (fields.consent().opt_out.value_or(false))
		return Refusal::Skip(
		    "consent: opt_out is true and LinkedIn has no opt-out field, so the event is not sent");
	if (fields.consent().limited_data_use)
		return Refusal::Skip("consent: ldu (limited data use) is set and LinkedIn has no such field, so the "
		                     "event is not sent");
	if (std::optional<Refusal> problem = UserObject(fields, settings.send_user_info, parts.user_json))
		return problem;
	if (std::optional<std::string> problem = ConversionValue(fields.custom_data_json(), parts.value_json))
		return Refusal(std::move(*problem));
	return std::nullopt;
}

void AppendElement(std::string *out, const OutboxEvent &event, std::string_view rule,
                   const EventParts &parts) {
	out->append("{\"conversion\":");
	AppendJsonString(out, rule);
	out->append(",\"conversionHappenedAt\":");
	AppendJsonInt(out, event.event_time_ms); // epoch milliseconds
	if (!parts.value_json.empty()) {
		out->append(",\"conversionValue\":");
		out->append(parts.value_json);
	}
	if (!event.event_id.empty()) {
		out->append(",\"eventId\":");
		AppendJsonString(out, event.event_id);
	}
	out->append(",\"user\":");
	out->append(parts.user_json);
	out->push_back('}');
}

ConsentRule LinkedInConsentRule(const CommonSettings &common) {
	// LinkedIn has no consent field: an event whose person denied ad_user_data is not sent by default.
	return ConsentRuleFor(common, DeniedAdUserData::kSkip);
}

std::string BaseUrl(const Destination &destination, std::string_view default_base,
                    std::string_view override_base) {
	return ResolveBaseUrl(destination, default_base,
	                      override_base.empty() ? std::string_view(destination.endpoint_override)
	                                            : override_base);
}

class LinkedInRequestBuilder final : public RequestBuilder {
public:
	LinkedInRequestBuilder(const Destination &destination, const RequestContext &context)
	    : settings_(ReadLinkedInSettings(destination)), common_(ReadCommonSettings(destination)),
	      consent_(LinkedInConsentRule(common_)), destination_(destination) {
		request_.url = BaseUrl(destination, kLinkedInDefaultBaseUrl, context.base_url_override) +
		               std::string(kLinkedInEventsPath);
		std::string token(context.access_token.empty() ? std::string_view(settings_.access_token)
		                                               : context.access_token);
		if (token.empty())
			throw Error(sqlstate::kInternalError, "destination " + destination.name +
			                                          ": no OAuth access token was obtained for LinkedIn");
		request_.headers = {"Content-Type: application/json", "Authorization: Bearer " + token,
		                    "LinkedIn-Version: " + settings_.api_version, "X-Restli-Protocol-Version: 2.0.0",
		                    "X-RestLi-Method: BATCH_CREATE"};
		request_.secrets.push_back(std::move(token));
		request_.body.append("{\"elements\":[");
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full())
			throw Error(sqlstate::kInternalError, "LinkedIn request has no room for another event");
		EventParts parts;
		if (std::optional<Refusal> problem =
		        CheckEvent(event, now_ms, settings_, common_, consent_, fields_, parts))
			return problem;
		for (const std::string &rule : *parts.rules) {
			if (!request_.element_events.empty())
				request_.body.push_back(',');
			AppendElement(&request_.body, event, rule, parts);
			request_.element_events.push_back(size_);
		}
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	// Full when the next event might not fit: every event may fan out to the longest rule list.
	bool full() const noexcept override {
		return request_.element_events.size() + settings_.max_rules_per_event > kLinkedInMaxElements;
	}

	HttpRequest Finish() override {
		if (size_ == 0 || finished_)
			throw Error(sqlstate::kInternalError, "LinkedIn request finished twice or without events");
		finished_ = true;
		request_.body.append("]}");
		for (std::string &secret : CredentialSecrets(destination_))
			request_.secrets.push_back(std::move(secret));
		return std::move(request_);
	}

private:
	LinkedInSettings settings_;
	CommonSettings common_;
	ConsentRule consent_;
	const Destination &destination_;
	EventFields fields_;
	HttpRequest request_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

void LinkedInAdapter::Validate(const Destination &destination) const {
	ReadLinkedInSettings(destination);
	ReadCommonSettings(destination);
	BaseUrl(destination, kLinkedInDefaultBaseUrl, {});
}

std::optional<std::string> LinkedInAdapter::Preflight(const Destination &destination,
                                                      const OutboxEvent &event, std::int64_t now_ms) const {
	const LinkedInSettings settings = ReadLinkedInSettings(destination);
	const CommonSettings common = ReadCommonSettings(destination);
	EventParts parts;
	std::optional<Refusal> refusal =
	    CheckEvent(event, now_ms, settings, common, LinkedInConsentRule(common), ThreadEventFields(), parts);
	if (!refusal)
		return std::nullopt;
	return std::move(refusal->reason);
}

std::string LinkedInAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	// Token and version are per destination; each element names its own rule (and so its ad account).
	return std::string();
}

std::optional<HttpRequest> LinkedInAdapter::TokenRequest(const Destination &destination,
                                                         std::string_view base_url_override) const {
	LinkedInSettings settings = ReadLinkedInSettings(destination);
	if (!settings.grant)
		return std::nullopt;
	// With an endpoint override every request, the token's included, goes to that host; real paths kept.
	return RefreshTokenRequest(BaseUrl(destination, kLinkedInDefaultTokenBaseUrl, base_url_override) +
	                               std::string(kLinkedInTokenPath),
	                           *settings.grant);
}

std::unique_ptr<RequestBuilder> LinkedInAdapter::StartRequest(const Destination &destination,
                                                              const RequestContext &context) const {
	return std::make_unique<LinkedInRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
