// Data Manager API: POST {base}/v1/events:ingest
// (https://developers.google.com/data-manager/api/reference/rest/v1/events/ingest):
//   {"destinations":[{"reference":"<action id>","operatingAccount":{"accountType":"GOOGLE_ADS",
//     "accountId":"..."},"loginAccount":{...},"productDestinationId":"<action id>"}, ...],
//    "events":[{"destinationReferences":["<action id>"], ...}, ...],
//    "encoding":"HEX","validateOnly":true}
// Several conversion actions share one request: each gets a destination whose reference is its id,
// and each event names its own (Event.destination_references, "If empty, the event will be sent to
// all destinations in the request"). No GroupingKey is needed.
#include <algorithm>
#include <vector>

#include "core/dispatch/json_writer.hpp"
#include "core/error.hpp"
#include "core/platforms/google/google_request.hpp"
#include "core/platforms/google/google_time.hpp"

namespace capi::dispatch {
namespace {

std::string_view EventSource(std::string_view action_source) {
	if (action_source == "website")
		return "WEB";
	if (action_source == "app")
		return "APP";
	if (action_source == "physical_store")
		return "IN_STORE";
	if (action_source == "phone_call")
		return "PHONE";
	return "OTHER";
}

std::string_view ConsentValue(ConsentStatus status) {
	return status == ConsentStatus::kGranted ? "CONSENT_GRANTED" : "CONSENT_DENIED";
}

void AppendAccount(std::string *out, std::string_view key, std::string_view id) {
	out->append("\"").append(key).append("\":{\"accountType\":\"GOOGLE_ADS\",");
	AppendJsonStringMember(out, "accountId", id);
	out->push_back('}');
}

void AppendEvent(std::string *out, const OutboxEvent &event, const GoogleEvent &google) {
	out->append("{\"destinationReferences\":[");
	AppendJsonString(out, google.action_id);
	out->append("],");
	if (!google.transaction_id.empty()) {
		AppendJsonStringMember(out, "transactionId", google.transaction_id);
		out->push_back(',');
	}
	AppendJsonStringMember(out, "eventTimestamp", GoogleRfc3339(event.event_time_ms));
	out->push_back(',');
	AppendJsonStringMember(out, "eventSource", EventSource(event.action_source));
	if (!google.user_identifiers.empty()) {
		out->append(",\"userData\":{\"userIdentifiers\":");
		out->append(google.user_identifiers.dump());
		out->push_back('}');
	}
	const bool user_data = google.ad_user_data != ConsentStatus::kUnspecified;
	const bool personalization = google.ad_personalization != ConsentStatus::kUnspecified;
	if (user_data || personalization) {
		out->append(",\"consent\":{");
		if (user_data)
			AppendJsonStringMember(out, "adUserData", ConsentValue(google.ad_user_data));
		if (personalization) {
			if (user_data)
				out->push_back(',');
			AppendJsonStringMember(out, "adPersonalization", ConsentValue(google.ad_personalization));
		}
		out->push_back('}');
	}
	if (!google.click_id.empty()) {
		out->append(",\"adIdentifiers\":{");
		AppendJsonStringMember(out, google.click_id_key, google.click_id);
		out->push_back('}');
	}
	if (!google.currency.empty()) {
		out->push_back(',');
		AppendJsonStringMember(out, "currency", google.currency);
	}
	if (google.value) {
		out->push_back(',');
		AppendJsonNumberMember(out, "conversionValue", *google.value);
	}
	if (!google.user_agent.empty() || !google.ip_address.empty()) {
		out->append(",\"eventDeviceInfo\":{");
		if (!google.user_agent.empty())
			AppendJsonStringMember(out, "userAgent", google.user_agent);
		if (!google.ip_address.empty()) {
			if (!google.user_agent.empty())
				out->push_back(',');
			AppendJsonStringMember(out, "ipAddress", google.ip_address);
		}
		out->push_back('}');
	}
	out->push_back('}');
}

class DataManagerRequestBuilder final : public RequestBuilder {
public:
	DataManagerRequestBuilder(const Destination &destination, const RequestContext &context)
	    : rules_(ReadGoogleEventRules(destination)) {
		request_.url = GoogleBaseUrl(destination, kGoogleDataManagerBaseUrl, context.base_url_override) +
		               std::string(kGoogleDataManagerPath);
		request_.headers.push_back("Content-Type: application/json");
		AddGoogleAuthorization(destination, rules_.settings, context, &request_);
		events_.reserve(kGoogleMaxBatchSize * 768);
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full())
			throw Error(sqlstate::kInternalError, "Google request already holds 2000 events");
		if (std::optional<Refusal> refusal = ReadGoogleEvent(rules_, event, now_ms, fields_, &event_))
			return refusal;
		if (std::find(actions_.begin(), actions_.end(), event_.action_id) == actions_.end())
			actions_.push_back(event_.action_id);
		if (size_ > 0)
			events_.push_back(',');
		AppendEvent(&events_, event, event_);
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kGoogleMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_)
			throw Error(sqlstate::kInternalError, "Google request finished twice or without events");
		finished_ = true;
		const GoogleSettings &settings = rules_.settings;
		std::string &body = request_.body;
		body.reserve(events_.size() + 256 + actions_.size() * 256);
		body.append("{\"destinations\":[");
		for (std::size_t i = 0; i < actions_.size(); ++i) {
			body.append(i == 0 ? "{" : ",{");
			AppendJsonStringMember(&body, "reference", actions_[i]);
			body.push_back(',');
			AppendAccount(&body, "operatingAccount", settings.operating_account_id);
			if (settings.login_account_id) {
				body.push_back(',');
				AppendAccount(&body, "loginAccount", *settings.login_account_id);
			}
			body.push_back(',');
			AppendJsonStringMember(&body, "productDestinationId", actions_[i]);
			body.push_back('}');
		}
		body.append("],\"events\":[");
		body.append(events_);
		body.append("],\"encoding\":\"HEX\"");
		if (settings.validate_only)
			body.append(",\"validateOnly\":true");
		body.push_back('}');
		return std::move(request_);
	}

private:
	GoogleEventRules rules_;
	EventFields fields_;
	GoogleEvent event_;
	HttpRequest request_;
	std::string events_;
	std::vector<std::string> actions_; // in order of first use
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

std::unique_ptr<RequestBuilder> StartDataManagerRequest(const Destination &destination,
                                                        const RequestContext &context) {
	return std::make_unique<DataManagerRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
