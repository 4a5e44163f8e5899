#include "core/platforms/meta/meta_adapter.hpp"

#include "core/dispatch/value_checks.hpp"
#include "core/sha256.hpp"

#include <array>

#include "core/dispatch/action_source.hpp"
#include "core/dispatch/common_settings.hpp"
#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/dispatch/user_object_json.hpp"
#include "core/error.hpp"
#include "core/platforms/meta/meta_user_object.hpp"

namespace capi::dispatch {
namespace {

std::string Days(std::int64_t ms) {
	return std::to_string(ms / kDayMs);
}

// Whether the event's own columns (not its JSON) can be sent; the reason otherwise.
std::optional<std::string> CheckColumns(const OutboxEvent &event, std::int64_t now_ms) {
	if (event.event_name.empty()) {
		return std::string("event_name is empty");
	}
	if (!IsActionSource(event.action_source)) {
		return "action_source must be one of " + ActionSourceList() + " for Meta";
	}
	if (event.event_time_ms <= 0) {
		return std::string("event_time must be a positive Unix time");
	}
	bool store = event.action_source == "physical_store";
	std::int64_t max_age_ms = store ? kMetaMaxAgePhysicalStoreMs : kMetaMaxAgeMs;
	std::int64_t age_ms = now_ms - event.event_time_ms;
	if (age_ms > max_age_ms - kMetaAgeMarginMs) {
		return "event_time is " + Days(age_ms) + " days old; Meta rejects events older than " +
		       Days(max_age_ms) + " days" + (store ? "" : " (62 for physical_store)");
	}
	if (-age_ms > kMetaMaxFutureMs) {
		return "event_time is " + std::to_string(-age_ms / 1000) + " s in the future; Meta rejects it";
	}
	if (event.action_source == "website" && event.event_source_url.empty()) {
		return std::string("Meta requires event_source_url for website events");
	}
	return std::nullopt;
}

// The values Meta would receive; never quotes one (they are personal data).
std::optional<std::string> CheckIdentity(const OutboxEvent &event, const IdentityBag &bag) {
	for (const platforms::UserKey &key : platforms::kMetaUserObject) {
		if (key.form == platforms::UserKeyForm::kPlain) {
			continue;
		}
		for (std::string_view value : bag.Values(key.field)) {
			if (!IsLowercaseSha256Hex(value)) {
				return "user_data: a " + std::string(identity::FieldName(key.field)) +
				       " value for Meta is not a lowercase SHA-256 hex digest";
			}
		}
	}
	std::string_view ip = bag.Plain(PlainKey::kClientIpAddress);
	if (!ip.empty() && !IsIpAddress(ip)) {
		return std::string("user_data.client_ip_address is not an IPv4 or IPv6 address");
	}
	if (event.action_source == "website" && bag.Plain(PlainKey::kClientUserAgent).empty()) {
		return std::string("Meta requires user_data.client_user_agent for website events");
	}
	return std::nullopt;
}

void AppendStringMember(std::string *out, std::string_view key, std::string_view value) {
	out->push_back('"');
	out->append(key);
	out->append("\":");
	AppendJsonString(out, value);
}

void AppendEvent(std::string *out, const OutboxEvent &event, const EventFields &fields) {
	out->push_back('{');
	AppendStringMember(out, "event_name", event.event_name);
	out->append(",\"event_time\":");
	AppendJsonInt(out, event.event_time_ms / 1000);
	if (!event.event_id.empty()) {
		out->push_back(',');
		AppendStringMember(out, "event_id", event.event_id);
	}
	out->push_back(',');
	AppendStringMember(out, "action_source", event.action_source);
	if (!event.event_source_url.empty()) {
		out->push_back(',');
		AppendStringMember(out, "event_source_url", event.event_source_url);
	}
	const Consent &consent = fields.consent();
	if (consent.opt_out) {
		out->append(*consent.opt_out ? ",\"opt_out\":true" : ",\"opt_out\":false");
	}
	out->append(",\"user_data\":");
	AppendUserObject(out, platforms::kMetaUserObject, fields.identity());
	if (!fields.custom_data_json().empty()) {
		out->append(",\"custom_data\":");
		out->append(fields.custom_data_json()); // a JSON object, checked by EventFields::Read
	}
	if (consent.limited_data_use) {
		out->append(",\"data_processing_options\":[\"LDU\"],\"data_processing_options_country\":");
		AppendJsonInt(out, consent.ldu_country);
		out->append(",\"data_processing_options_state\":");
		AppendJsonInt(out, consent.ldu_state);
	}
	out->push_back('}');
}

// Every check of an event, for Preflight and RequestBuilder::Add, consent applied (consent_policy.hpp).
// fields is filled as a side effect.
std::optional<Refusal> CheckEvent(const OutboxEvent &event, std::int64_t now_ms, const ConsentRule &consent,
                                  EventFields &fields) {
	if (std::optional<std::string> problem = CheckColumns(event, now_ms)) {
		return problem;
	}
	if (std::optional<std::string> problem = fields.Read(event, identity::Platform::kMeta)) {
		return problem;
	}
	if (std::optional<Refusal> skip = ApplyConsent(fields, consent)) {
		return skip;
	}
	if (AdUserDataDenied(fields) && event.action_source == "website") {
		return Refusal::Skip(
		    "consent: ad_user_data is denied and Meta requires client_user_agent for website "
		    "events, so the event is not sent");
	}
	return CheckIdentity(event, fields.identity());
}

ConsentRule MetaConsentRule(const Destination &destination) {
	return ConsentRuleFor(ReadCommonSettings(destination), DeniedAdUserData::kSkip);
}

class MetaRequestBuilder final : public RequestBuilder {
public:
	MetaRequestBuilder(const Destination &destination, const RequestContext &context)
	    : settings_(ReadMetaSettings(destination)), consent_(MetaConsentRule(destination)),
	      destination_(destination) {
		std::string base =
		    ResolveBaseUrl(destination, kMetaDefaultBaseUrl,
		                   context.base_url_override.empty() ? std::string_view(destination.endpoint_override)
		                                                     : context.base_url_override);
		request_.url = base + "/" + settings_.api_version + "/" + settings_.pixel_id + "/events";
		request_.headers.push_back("Content-Type: application/json");
		// Room for a full batch of typical events (~1.2 KB each), so that the body is not copied as it
		// grows; pages never written are never touched.
		request_.body.reserve(kMetaMaxBatchSize * 1536);
		request_.body.append("{\"data\":[");
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full()) {
			throw Error(sqlstate::kInternalError, "Meta request already holds 1000 events");
		}
		if (std::optional<Refusal> problem = CheckEvent(event, now_ms, consent_, fields_)) {
			return problem;
		}
		if (size_ > 0) {
			request_.body.push_back(',');
		}
		AppendEvent(&request_.body, event, fields_);
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kMetaMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_) {
			throw Error(sqlstate::kInternalError, "Meta request finished twice or without events");
		}
		finished_ = true;
		std::string &body = request_.body;
		body.append("],");
		AppendStringMember(&body, "access_token", settings_.access_token);
		request_.secrets.push_back(settings_.access_token);
		if (settings_.appsecret_proof) {
			body.push_back(',');
			AppendStringMember(&body, "appsecret_proof", *settings_.appsecret_proof);
			request_.secrets.push_back(*settings_.appsecret_proof);
		}
		if (settings_.test_event_code) {
			body.push_back(',');
			AppendStringMember(&body, "test_event_code", *settings_.test_event_code);
		}
		if (settings_.partner_agent) {
			body.push_back(',');
			AppendStringMember(&body, "partner_agent", *settings_.partner_agent);
		}
		body.push_back('}');
		for (std::string &secret : CredentialSecrets(destination_)) {
			if (secret != settings_.access_token) {
				request_.secrets.push_back(
				    std::move(secret)); // app_secret: not sent, never to be logged either
			}
		}
		return std::move(request_);
	}

private:
	MetaSettings settings_;
	ConsentRule consent_;
	const Destination &destination_;
	EventFields fields_;
	HttpRequest request_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

void MetaAdapter::Validate(const Destination &destination) const {
	ReadMetaSettings(destination);
	ReadCommonSettings(destination);
	ResolveBaseUrl(destination, kMetaDefaultBaseUrl, destination.endpoint_override);
}

std::optional<std::string> MetaAdapter::Preflight(const Destination &destination, const OutboxEvent &event,
                                                  std::int64_t now_ms) const {
	std::optional<Refusal> refusal =
	    CheckEvent(event, now_ms, MetaConsentRule(destination), ThreadEventFields());
	if (!refusal) {
		return std::nullopt;
	}
	return std::move(refusal->reason);
}

std::string MetaAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	// Pixel, token and test_event_code are per destination: all its events may share a request.
	return std::string();
}

std::unique_ptr<RequestBuilder> MetaAdapter::StartRequest(const Destination &destination,
                                                          const RequestContext &context) const {
	return std::make_unique<MetaRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
