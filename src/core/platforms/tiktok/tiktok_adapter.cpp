#include "core/platforms/tiktok/tiktok_adapter.hpp"

#include "core/dispatch/value_checks.hpp"
#include "core/sha256.hpp"

#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/dispatch/user_object_json.hpp"
#include "core/error.hpp"
#include "core/identity/wire_form.hpp"
#include "core/platforms/tiktok/tiktok_properties.hpp"
#include "core/platforms/tiktok/tiktok_user_object.hpp"

namespace capi::dispatch {
namespace {

std::optional<std::string> CheckColumns(const OutboxEvent &event, std::int64_t now_ms) {
	if (event.event_name.empty()) {
		return std::string("event_name is empty");
	}
	if (event.event_time_ms <= 0) {
		return std::string("event_time must be a positive Unix time");
	}
	// TikTok documents no maximum age: none is enforced here (docs/platforms/tiktok.md).
	if (event.event_time_ms - now_ms > kTikTokMaxFutureMs) {
		return "event_time is " + std::to_string((event.event_time_ms - now_ms) / 1000) +
		       " s in the future; TikTok rejects it";
	}
	return std::nullopt;
}

// The values TikTok would receive; never quotes one (they are personal data).
std::optional<std::string> CheckIdentity(const IdentityBag &bag) {
	for (const platforms::UserKey &key : platforms::kTikTokUserObject) {
		if (key.form == platforms::UserKeyForm::kPlain ||
		    !identity::WantsHashed(identity::Platform::kTikTok, key.field)) {
			continue;
		}
		for (std::string_view value : bag.Values(key.field)) {
			if (!IsLowercaseSha256Hex(value)) {
				return "user: a " + std::string(identity::FieldName(key.field)) +
				       " value for TikTok is not a lowercase SHA-256 hex digest";
			}
		}
	}
	std::string_view ip = bag.Plain(PlainKey::kClientIpAddress);
	if (!ip.empty() && !IsIpAddress(ip)) {
		return std::string("user.ip is not an IPv4 or IPv6 address");
	}
	return std::nullopt;
}

void AppendStringMember(std::string *out, std::string_view key, std::string_view value) {
	out->push_back('"');
	out->append(key);
	out->append("\":");
	AppendJsonString(out, value);
}

struct CheckedEvent {
	std::string_view tiktok_name;
};

// Every check of an event, for Preflight and RequestBuilder::Add, consent applied
// (consent_policy.hpp). fields and properties are filled as a side effect.
std::optional<Refusal> CheckEvent(const OutboxEvent &event, std::int64_t now_ms, const CommonSettings &common,
                                  const ConsentRule &consent, EventFields &fields,
                                  TikTokProperties &properties, std::string *properties_json,
                                  CheckedEvent *checked) {
	if (std::optional<std::string> problem = CheckColumns(event, now_ms)) {
		return problem;
	}
	std::optional<std::string_view> name = TikTokEventName(common, event.event_name);
	if (!name) {
		return Refusal::Skip(UnmappedEventReason("TikTok", event.event_name));
	}
	checked->tiktok_name = *name;
	if (std::optional<std::string> problem = fields.Read(event, identity::Platform::kTikTok)) {
		return problem;
	}
	if (std::optional<Refusal> skip = ApplyConsent(fields, consent)) {
		return skip;
	}
	if (std::optional<std::string> problem = CheckIdentity(fields.identity())) {
		return problem;
	}
	return properties.Write(fields.custom_data_json(), properties_json);
}

void AppendEvent(std::string *out, const OutboxEvent &event, std::string_view tiktok_name,
                 const EventFields &fields, std::string_view properties_json) {
	out->push_back('{');
	AppendStringMember(out, "event", tiktok_name);
	out->append(",\"event_time\":");
	AppendJsonInt(out, event.event_time_ms / 1000);
	if (!event.event_id.empty()) {
		out->push_back(',');
		AppendStringMember(out, "event_id", event.event_id);
	}
	out->append(",\"user\":");
	AppendUserObject(out, platforms::kTikTokUserObject, fields.identity());
	out->append(",\"properties\":");
	out->append(properties_json);
	if (!event.event_source_url.empty()) {
		out->append(",\"page\":{");
		AppendStringMember(out, "url", event.event_source_url);
		out->push_back('}');
	}
	if (fields.consent().limited_data_use) {
		out->append(",\"limited_data_use\":true");
	}
	out->push_back('}');
}

ConsentRule TikTokConsentRule(const CommonSettings &common) {
	return ConsentRuleFor(common, DeniedAdUserData::kSkip);
}

class TikTokRequestBuilder final : public RequestBuilder {
public:
	TikTokRequestBuilder(const Destination &destination, const RequestContext &context)
	    : settings_(ReadTikTokSettings(destination)), consent_(TikTokConsentRule(settings_.common)) {
		base_ =
		    ResolveBaseUrl(destination, kTikTokDefaultBaseUrl,
		                   context.base_url_override.empty() ? std::string_view(destination.endpoint_override)
		                                                     : context.base_url_override);
		events_.reserve(kTikTokMaxBatchSize * 1024);
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full()) {
			throw Error(sqlstate::kInternalError, "TikTok request already holds 1000 events");
		}
		CheckedEvent checked;
		if (std::optional<Refusal> problem = CheckEvent(event, now_ms, settings_.common, consent_, fields_,
		                                                properties_, &properties_json_, &checked)) {
			return problem;
		}
		std::string_view source = TikTokEventSource(event.action_source);
		if (size_ == 0) {
			event_source_ = std::string(source);
		} else if (source != event_source_) {
			throw Error(sqlstate::kInternalError, "TikTok request mixes event sources (GroupingKey)");
		}
		if (size_ > 0) {
			events_.push_back(',');
		}
		AppendEvent(&events_, event, checked.tiktok_name, fields_, properties_json_);
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kTikTokMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_) {
			throw Error(sqlstate::kInternalError, "TikTok request finished twice or without events");
		}
		finished_ = true;
		HttpRequest request;
		request.url = base_ + std::string(kTikTokTrackPath);
		request.headers.push_back("Content-Type: application/json");
		request.headers.push_back("Access-Token: " + settings_.access_token);
		request.secrets.push_back(settings_.access_token);
		std::string &body = request.body;
		body.reserve(events_.size() + 256);
		body.push_back('{');
		AppendStringMember(&body, "event_source", event_source_);
		body.push_back(',');
		AppendStringMember(&body, "event_source_id", settings_.pixel_code);
		if (settings_.test_event_code) {
			body.push_back(',');
			AppendStringMember(&body, "test_event_code", *settings_.test_event_code);
		}
		body.append(",\"data\":[");
		body.append(events_);
		body.append("]}");
		return request;
	}

private:
	TikTokSettings settings_;
	ConsentRule consent_;
	std::string base_;
	EventFields fields_;
	TikTokProperties properties_;
	std::string properties_json_;
	std::string event_source_;
	std::string events_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

void TikTokAdapter::Validate(const Destination &destination) const {
	ReadTikTokSettings(destination);
	ResolveBaseUrl(destination, kTikTokDefaultBaseUrl, destination.endpoint_override);
}

std::optional<std::string> TikTokAdapter::Preflight(const Destination &destination, const OutboxEvent &event,
                                                    std::int64_t now_ms) const {
	CommonSettings common = ReadCommonSettings(destination);
	// This thread's own, created on first use and never freed (no static destructor), as ThreadEventFields.
	thread_local TikTokProperties *properties = new TikTokProperties();
	thread_local std::string *properties_json = new std::string();
	CheckedEvent checked;
	std::optional<Refusal> refusal = CheckEvent(event, now_ms, common, TikTokConsentRule(common),
	                                            ThreadEventFields(), *properties, properties_json, &checked);
	if (!refusal) {
		return std::nullopt;
	}
	return std::move(refusal->reason);
}

std::string TikTokAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	return std::string(TikTokEventSource(event.action_source));
}

std::unique_ptr<RequestBuilder> TikTokAdapter::StartRequest(const Destination &destination,
                                                            const RequestContext &context) const {
	return std::make_unique<TikTokRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
