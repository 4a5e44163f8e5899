// Google Ads API: POST {base}/{version}/customers/{operating_account_id}:uploadClickConversions
// (https://developers.google.com/google-ads/api/docs/conversions/upload-clicks), headers
// developer-token and login-customer-id, body
//   {"conversions":[{"conversionAction":"customers/{id}/conversionActions/{action id}",
//     "conversionDateTime":"yyyy-mm-dd hh:mm:ss+00:00","gclid":"...","orderId":"...",
//     "conversionValue":1.5,"currencyCode":"USD","userIdentifiers":[{"hashedEmail":"..."}],
//     "consent":{"adUserData":"GRANTED"}}, ...],
//    "partialFailure":true,"validateOnly":true}
// Each conversion names its own action, so all events of a destination share a request.
#include "core/dispatch/json_writer.hpp"
#include "core/error.hpp"
#include "core/platforms/google/google_request.hpp"
#include "core/platforms/google/google_time.hpp"

namespace capi::dispatch {
namespace {

// Only hashed email and phone are accepted on a click conversion, at most 5. With only an iOS click
// id (gbraid, wbraid) the identifiers are left out: Google's rule for that mix is UNCONFIRMED and
// the click id alone identifies the click (docs/platforms/google.md).
void AppendUserIdentifiers(std::string *out, const GoogleEvent &google) {
	if (google.click_id_key == "gbraid" || google.click_id_key == "wbraid")
		return;
	std::size_t count = 0;
	for (const nlohmann::json &identifier : google.user_identifiers) {
		const char *key = nullptr;
		auto value = identifier.find("emailAddress");
		if (value != identifier.end()) {
			key = "hashedEmail";
		} else if ((value = identifier.find("phoneNumber")) != identifier.end()) {
			key = "hashedPhoneNumber";
		} else {
			continue; // address: not taken by click conversions
		}
		if (count == kGoogleAdsMaxUserIdentifiers)
			break;
		out->append(count == 0 ? ",\"userIdentifiers\":[{" : ",{");
		out->append("\"userIdentifierSource\":\"FIRST_PARTY\",");
		AppendJsonStringMember(out, key, value->get_ref<const std::string &>());
		out->push_back('}');
		++count;
	}
	if (count > 0)
		out->push_back(']');
}

void AppendConversion(std::string *out, const OutboxEvent &event, const GoogleEvent &google,
                      const GoogleSettings &settings) {
	out->push_back('{');
	AppendJsonStringMember(out, "conversionAction",
	                       "customers/" + settings.operating_account_id + "/conversionActions/" +
	                           google.action_id);
	out->push_back(',');
	AppendJsonStringMember(out, "conversionDateTime", GoogleAdsDateTime(event.event_time_ms));
	if (!google.click_id.empty()) {
		out->push_back(',');
		AppendJsonStringMember(out, google.click_id_key, google.click_id);
	}
	if (!google.transaction_id.empty()) {
		out->push_back(',');
		AppendJsonStringMember(out, "orderId", google.transaction_id);
	}
	if (google.value) {
		out->push_back(',');
		AppendJsonNumberMember(out, "conversionValue", *google.value);
	}
	if (!google.currency.empty()) {
		out->push_back(',');
		AppendJsonStringMember(out, "currencyCode", google.currency);
	}
	AppendUserIdentifiers(out, google);
	// Consent.ad_personalization is not for click conversions (Google Ads API Consent message).
	if (google.ad_user_data != ConsentStatus::kUnspecified) {
		out->append(",\"consent\":{");
		AppendJsonStringMember(out, "adUserData",
		                       google.ad_user_data == ConsentStatus::kGranted ? "GRANTED" : "DENIED");
		out->push_back('}');
	}
	out->push_back('}');
}

class AdsRequestBuilder final : public RequestBuilder {
public:
	AdsRequestBuilder(const Destination &destination, const RequestContext &context)
	    : rules_(ReadGoogleEventRules(destination)) {
		const GoogleSettings &settings = rules_.settings;
		request_.url = GoogleBaseUrl(destination, kGoogleAdsBaseUrl, context.base_url_override) + "/" +
		               std::string(kGoogleAdsApiVersion) + "/customers/" + settings.operating_account_id +
		               ":uploadClickConversions";
		request_.headers.push_back("Content-Type: application/json");
		AddGoogleAuthorization(destination, settings, context, &request_);
		request_.headers.push_back("developer-token: " + settings.developer_token);
		if (settings.login_account_id)
			request_.headers.push_back("login-customer-id: " + *settings.login_account_id);
		request_.body.reserve(kGoogleMaxBatchSize * 512);
		request_.body.append("{\"conversions\":[");
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full())
			throw Error(sqlstate::kInternalError, "Google request already holds 2000 events");
		if (std::optional<Refusal> refusal = ReadGoogleEvent(rules_, event, now_ms, fields_, &event_))
			return refusal;
		if (size_ > 0)
			request_.body.push_back(',');
		AppendConversion(&request_.body, event, event_, rules_.settings);
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kGoogleMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_)
			throw Error(sqlstate::kInternalError, "Google request finished twice or without events");
		finished_ = true;
		// "partial_failure ... should always be set to true" (ClickConversion upload docs).
		request_.body.append("],\"partialFailure\":true");
		if (rules_.settings.validate_only)
			request_.body.append(",\"validateOnly\":true");
		request_.body.push_back('}');
		return std::move(request_);
	}

private:
	GoogleEventRules rules_;
	EventFields fields_;
	GoogleEvent event_;
	HttpRequest request_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

std::unique_ptr<RequestBuilder> StartAdsRequest(const Destination &destination,
                                                const RequestContext &context) {
	return std::make_unique<AdsRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
