#include "core/platforms/snap/snap_adapter.hpp"

#include "core/dispatch/value_checks.hpp"
#include "core/sha256.hpp"

#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/dispatch/user_object_json.hpp"
#include "core/error.hpp"
#include "core/platforms/snap/snap_user_object.hpp"

namespace capi::dispatch {
namespace {

// RFC 3986 unreserved characters stay, every other byte is %XX.
std::string PercentEncode(std::string_view text) {
	static constexpr char kHex[] = "0123456789ABCDEF";
	std::string out;
	for (char c : text) {
		auto byte = static_cast<unsigned char>(c);
		if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
		    c == '.' || c == '_' || c == '~') {
			out.push_back(c);
		} else {
			out.push_back('%');
			out.push_back(kHex[byte >> 4]);
			out.push_back(kHex[byte & 15]);
		}
	}
	return out;
}

std::optional<std::string> CheckColumns(const OutboxEvent &event, std::int64_t now_ms) {
	if (event.event_name.empty()) {
		return std::string("event_name is empty");
	}
	if (event.event_time_ms <= 0) {
		return std::string("event_time must be a positive Unix time");
	}
	std::int64_t age_ms = now_ms - event.event_time_ms;
	if (age_ms > kSnapMaxAgeMs - kSnapAgeMarginMs) {
		return "event_time is " + std::to_string(age_ms / kSnapDayMs) +
		       " days old; Snap takes events up to 37 days old";
	}
	if (-age_ms > kSnapMaxFutureMs) {
		return "event_time is " + std::to_string(-age_ms / 1000) + " s in the future; Snap rejects it";
	}
	return std::nullopt;
}

// The values Snap would receive; never quotes one (they are personal data).
std::optional<std::string> CheckIdentity(const IdentityBag &bag) {
	for (const platforms::UserKey &key : platforms::kSnapUserObject) {
		if (key.form == platforms::UserKeyForm::kPlain) {
			continue;
		}
		for (std::string_view value : bag.Values(key.field)) {
			if (!IsLowercaseSha256Hex(value)) {
				return "user_data: a " + std::string(identity::FieldName(key.field)) +
				       " value for Snap is not a lowercase SHA-256 hex digest";
			}
		}
	}
	std::string_view ip = bag.Plain(PlainKey::kClientIpAddress);
	if (!ip.empty() && !IsIpAddress(ip)) {
		return std::string("user_data.client_ip_address is not an IPv4 or IPv6 address");
	}
	return std::nullopt;
}

// Snap's minimum: em, ph, or client_ip_address with client_user_agent.
bool HasRequiredIdentifiers(const IdentityBag &bag) {
	return !bag.Values(identity::Field::kEmail).empty() || !bag.Values(identity::Field::kPhone).empty() ||
	       (!bag.Plain(PlainKey::kClientIpAddress).empty() && !bag.Plain(PlainKey::kClientUserAgent).empty());
}

void AppendStringMember(std::string *out, std::string_view key, std::string_view value) {
	out->push_back('"');
	out->append(key);
	out->append("\":");
	AppendJsonString(out, value);
}

std::optional<Refusal> CheckEvent(const OutboxEvent &event, std::int64_t now_ms, const CommonSettings &common,
                                  const ConsentRule &consent, EventFields &fields,
                                  std::string_view *snap_name) {
	if (std::optional<std::string> problem = CheckColumns(event, now_ms)) {
		return problem;
	}
	std::optional<std::string_view> name = SnapEventName(common, event.event_name);
	if (!name) {
		return Refusal::Skip(UnmappedEventReason("Snap", event.event_name));
	}
	*snap_name = *name;
	if (std::optional<std::string> problem = fields.Read(event, identity::Platform::kSnap)) {
		return problem;
	}
	if (std::optional<Refusal> skip = ApplyConsent(fields, consent)) {
		return skip;
	}
	if (std::optional<std::string> problem = CheckIdentity(fields.identity())) {
		return problem;
	}
	if (!HasRequiredIdentifiers(fields.identity())) {
		std::string why = "Snap requires em, ph, or client_ip_address with client_user_agent";
		if (AdUserDataDenied(fields)) {
			return Refusal::Skip("consent: ad_user_data is denied and " + why + ", so the event is not sent");
		}
		return why;
	}
	return std::nullopt;
}

void AppendEvent(std::string *out, const OutboxEvent &event, std::string_view snap_name,
                 const EventFields &fields) {
	out->push_back('{');
	AppendStringMember(out, "event_name", snap_name);
	out->append(",\"event_time\":");
	AppendJsonInt(out, event.event_time_ms / 1000);
	if (!event.event_id.empty()) {
		out->push_back(',');
		AppendStringMember(out, "event_id", event.event_id);
	}
	out->push_back(',');
	AppendStringMember(out, "action_source", SnapActionSource(event.action_source));
	if (!event.event_source_url.empty()) {
		out->push_back(',');
		AppendStringMember(out, "event_source_url", event.event_source_url);
	}
	const Consent &consent = fields.consent();
	if (consent.opt_out) {
		out->append(*consent.opt_out ? ",\"opt_out\":true" : ",\"opt_out\":false");
	}
	out->append(",\"user_data\":");
	AppendUserObject(out, platforms::kSnapUserObject, fields.identity());
	if (!fields.custom_data_json().empty()) {
		out->append(",\"custom_data\":");
		out->append(fields.custom_data_json()); // Meta-style custom_data is Snap's shape
	}
	if (consent.limited_data_use) {
		out->append(",\"data_processing_options\":[\"LDU\"],\"data_processing_options_country\":");
		AppendJsonInt(out, consent.ldu_country);
		out->append(",\"data_processing_options_state\":");
		AppendJsonInt(out, consent.ldu_state);
	}
	out->push_back('}');
}

ConsentRule SnapConsentRule(const CommonSettings &common) {
	return ConsentRuleFor(common, DeniedAdUserData::kSkip);
}

class SnapRequestBuilder final : public RequestBuilder {
public:
	SnapRequestBuilder(const Destination &destination, const RequestContext &context)
	    : settings_(ReadSnapSettings(destination)), consent_(SnapConsentRule(settings_.common)) {
		std::string base =
		    ResolveBaseUrl(destination, kSnapDefaultBaseUrl,
		                   context.base_url_override.empty() ? std::string_view(destination.endpoint_override)
		                                                     : context.base_url_override);
		std::string encoded = PercentEncode(settings_.access_token);
		request_.url = base + "/v3/" + settings_.pixel_id +
		               (settings_.validate ? "/events/validate" : "/events") + "?access_token=" + encoded;
		request_.headers.push_back("Content-Type: application/json");
		request_.secrets.push_back(settings_.access_token);
		if (encoded != settings_.access_token) {
			request_.secrets.push_back(std::move(encoded));
		}
		request_.body.reserve(kSnapMaxBatchSize * 1024);
		request_.body.append("{\"data\":[");
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full()) {
			throw Error(sqlstate::kInternalError, "Snap request already holds 2000 events");
		}
		std::string_view snap_name;
		if (std::optional<Refusal> problem =
		        CheckEvent(event, now_ms, settings_.common, consent_, fields_, &snap_name)) {
			return problem;
		}
		if (size_ > 0) {
			request_.body.push_back(',');
		}
		AppendEvent(&request_.body, event, snap_name, fields_);
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kSnapMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_) {
			throw Error(sqlstate::kInternalError, "Snap request finished twice or without events");
		}
		finished_ = true;
		request_.body.append("]}");
		return std::move(request_);
	}

private:
	SnapSettings settings_;
	ConsentRule consent_;
	EventFields fields_;
	HttpRequest request_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

void SnapAdapter::Validate(const Destination &destination) const {
	ReadSnapSettings(destination);
	ResolveBaseUrl(destination, kSnapDefaultBaseUrl, destination.endpoint_override);
}

std::optional<std::string> SnapAdapter::Preflight(const Destination &destination, const OutboxEvent &event,
                                                  std::int64_t now_ms) const {
	CommonSettings common = ReadCommonSettings(destination);
	std::string_view snap_name;
	std::optional<Refusal> refusal =
	    CheckEvent(event, now_ms, common, SnapConsentRule(common), ThreadEventFields(), &snap_name);
	if (!refusal) {
		return std::nullopt;
	}
	return std::move(refusal->reason);
}

std::string SnapAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	// One pixel and token per destination; action_source is per event: all may share a request.
	return std::string();
}

std::unique_ptr<RequestBuilder> SnapAdapter::StartRequest(const Destination &destination,
                                                          const RequestContext &context) const {
	return std::make_unique<SnapRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
