#include "core/platforms/pinterest/pinterest_adapter.hpp"

#include "core/dispatch/value_checks.hpp"
#include "core/sha256.hpp"

#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/dispatch/user_object_json.hpp"
#include "core/error.hpp"
#include "core/platforms/pinterest/pinterest_user_object.hpp"

namespace capi::dispatch {
namespace {

// What Pinterest needs of the event's columns; the reason otherwise.
std::optional<std::string> CheckColumns(const OutboxEvent &event) {
	if (event.event_id.empty())
		return std::string("Pinterest requires event_id (its deduplication key)");
	if (event.event_time_ms <= 0)
		return std::string("event_time must be a positive Unix time");
	return std::nullopt;
}

// The identifiers Pinterest would receive; never quotes one (they are personal data).
std::optional<Refusal> CheckIdentity(const IdentityBag &bag, bool denied) {
	for (const platforms::UserKey &key : platforms::kPinterestUserObject) {
		if (key.form == platforms::UserKeyForm::kPlain)
			continue;
		for (std::string_view value : bag.Values(key.field))
			if (!IsLowercaseSha256Hex(value))
				return Refusal("user_data: a " + std::string(identity::FieldName(key.field)) +
				               " value for Pinterest is not a lowercase SHA-256 hex digest");
	}
	std::string_view ip = bag.Plain(PlainKey::kClientIpAddress);
	if (!ip.empty() && !IsIpAddress(ip))
		return Refusal("user_data.client_ip_address is not an IPv4 or IPv6 address");
	bool has_email = !bag.Values(identity::Field::kEmail).empty();
	bool has_network = !ip.empty() && !bag.Plain(PlainKey::kClientUserAgent).empty();
	if (!has_email && !has_network) {
		if (denied)
			return Refusal::Skip("consent: ad_user_data is denied and Pinterest requires an email or "
			                     "client_ip_address with client_user_agent, so the event is not sent");
		return Refusal("Pinterest requires user_data.email, or client_ip_address with client_user_agent");
	}
	return std::nullopt;
}

void AppendStringMember(std::string *out, std::string_view key, std::string_view value) {
	out->push_back('"');
	out->append(key);
	out->append("\":");
	AppendJsonString(out, value);
}

// Reads, checks and (when it may be sent) writes one event into *out. Nothing is appended when the
// event is refused.
class EventWriter {
public:
	std::optional<Refusal> Write(const OutboxEvent &event, const PinterestSettings &settings,
	                             const ConsentRule &consent, std::string *out) {
		if (std::optional<std::string> problem = CheckColumns(event))
			return Refusal(std::move(*problem));
		std::optional<std::string_view> name = PinterestEventName(settings.common, event.event_name);
		if (!name)
			return Refusal::Skip(UnmappedEventReason("Pinterest", event.event_name));
		if (std::optional<std::string> problem = fields_.Read(event, identity::Platform::kPinterest))
			return Refusal(std::move(*problem));
		std::optional<std::string_view> source =
		    PinterestActionSource(event.action_source, fields_.identity().Plain(PlainKey::kClientUserAgent));
		if (std::optional<Refusal> skip = ApplyConsent(fields_, consent))
			return skip;
		if (!source)
			return Refusal("Pinterest needs app_android or app_ios for an app event, and the user agent "
			               "names neither Android nor iOS");
		if (std::optional<Refusal> problem = CheckIdentity(fields_.identity(), AdUserDataDenied(fields_)))
			return problem;

		std::size_t start = out->size();
		out->push_back('{');
		AppendStringMember(out, "event_name", *name);
		out->push_back(',');
		AppendStringMember(out, "action_source", *source);
		out->append(",\"event_time\":");
		AppendJsonInt(out, event.event_time_ms / 1000);
		out->push_back(',');
		AppendStringMember(out, "event_id", event.event_id);
		if (!event.event_source_url.empty()) {
			out->push_back(',');
			AppendStringMember(out, "event_source_url", event.event_source_url);
		}
		// Pinterest's own privacy flag carries both opt_out and LDU (docs/platforms/pinterest.md).
		const Consent &signals = fields_.consent();
		if (signals.opt_out || signals.limited_data_use) {
			bool opted_out = signals.opt_out.value_or(false) || signals.limited_data_use;
			out->append(opted_out ? ",\"opt_out\":true" : ",\"opt_out\":false");
		}
		out->append(",\"user_data\":");
		AppendUserObject(out, platforms::kPinterestUserObject, fields_.identity());
		if (std::optional<std::string> problem = custom_data_.Append(out, fields_.custom_data_json())) {
			out->resize(start);
			return Refusal(std::move(*problem));
		}
		out->push_back('}');
		return std::nullopt;
	}

private:
	EventFields fields_;
	PinterestCustomDataWriter custom_data_;
};

EventWriter &ThreadEventWriter() {
	thread_local EventWriter *writer = nullptr; // leaked on purpose: no thread-exit destructor
	if (writer == nullptr)
		writer = new EventWriter();
	return *writer;
}

ConsentRule PinterestConsentRule(const PinterestSettings &settings) {
	return ConsentRuleFor(settings.common, DeniedAdUserData::kSkip);
}

class PinterestRequestBuilder final : public RequestBuilder {
public:
	PinterestRequestBuilder(const Destination &destination, const RequestContext &context)
	    : settings_(ReadPinterestSettings(destination)), consent_(PinterestConsentRule(settings_)) {
		std::string base =
		    ResolveBaseUrl(destination, kPinterestDefaultBaseUrl,
		                   context.base_url_override.empty() ? std::string_view(destination.endpoint_override)
		                                                     : context.base_url_override);
		request_.url = base + "/v5/ad_accounts/" + settings_.ad_account_id + "/events";
		if (settings_.test)
			request_.url += "?test=true";
		request_.headers.push_back("Content-Type: application/json");
		request_.headers.push_back("Authorization: Bearer " + settings_.access_token);
		request_.secrets.push_back(settings_.access_token);
		request_.body.append("{\"data\":[");
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full())
			throw Error(sqlstate::kInternalError, "Pinterest request already holds 1000 events");
		std::size_t before = request_.body.size();
		if (size_ > 0)
			request_.body.push_back(',');
		if (std::optional<Refusal> refusal = writer_.Write(event, settings_, consent_, &request_.body)) {
			request_.body.resize(before);
			return refusal;
		}
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kPinterestMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_)
			throw Error(sqlstate::kInternalError, "Pinterest request finished twice or without events");
		finished_ = true;
		request_.body.append("]}");
		return std::move(request_);
	}

private:
	PinterestSettings settings_;
	ConsentRule consent_;
	EventWriter writer_;
	HttpRequest request_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

void PinterestAdapter::Validate(const Destination &destination) const {
	ReadPinterestSettings(destination);
	ResolveBaseUrl(destination, kPinterestDefaultBaseUrl, destination.endpoint_override);
}

std::optional<std::string> PinterestAdapter::Preflight(const Destination &destination,
                                                       const OutboxEvent &event, std::int64_t now_ms) const {
	PinterestSettings settings = ReadPinterestSettings(destination);
	std::string scratch;
	std::optional<Refusal> refusal =
	    ThreadEventWriter().Write(event, settings, PinterestConsentRule(settings), &scratch);
	if (!refusal)
		return std::nullopt;
	return std::move(refusal->reason);
}

std::string PinterestAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	// Ad account, token and ?test=true are per destination: all its events may share a request.
	return std::string();
}

std::unique_ptr<RequestBuilder> PinterestAdapter::StartRequest(const Destination &destination,
                                                               const RequestContext &context) const {
	return std::make_unique<PinterestRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
