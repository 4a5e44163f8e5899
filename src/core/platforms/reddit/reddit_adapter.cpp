#include "core/platforms/reddit/reddit_adapter.hpp"

#include "core/dispatch/value_checks.hpp"
#include "core/sha256.hpp"

#include "core/dispatch/consent_policy.hpp"
#include "core/dispatch/event_fields.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/dispatch/user_object_json.hpp"
#include "core/error.hpp"
#include "core/platforms/reddit/reddit_user_object.hpp"

namespace capi::dispatch {
namespace {

// Reddit's action sources: WEBSITE, APP, PHYSICAL_STORE, OTHER.
std::string_view ActionSource(std::string_view outbox) {
	if (outbox == "website")
		return "WEBSITE";
	if (outbox == "app")
		return "APP";
	if (outbox == "physical_store")
		return "PHYSICAL_STORE";
	return "OTHER";
}

std::string Hours(std::int64_t ms) {
	return std::to_string(ms / (60 * 60 * 1000));
}

std::optional<std::string> CheckTime(const OutboxEvent &event, std::int64_t now_ms) {
	if (event.event_time_ms <= 0)
		return std::string("event_time must be a positive Unix time");
	std::int64_t age_ms = now_ms - event.event_time_ms;
	if (age_ms > kRedditMaxAgeMs - kRedditAgeMarginMs)
		return "event_time is " + Hours(age_ms) + " hours old; Reddit rejects events 168 hours (7 days) old";
	if (-age_ms > kRedditMaxFutureMs)
		return "event_time is " + std::to_string(-age_ms / 1000) +
		       " s in the future; Reddit rejects more than 5 minutes ahead";
	return std::nullopt;
}

// The identifiers Reddit would receive; never quotes one (they are personal data).
std::optional<std::string> CheckIdentity(const IdentityBag &bag) {
	for (const platforms::UserKey &key : platforms::kRedditUserObject) {
		if (key.form == platforms::UserKeyForm::kPlain)
			continue;
		for (std::string_view value : bag.Values(key.field))
			if (!IsLowercaseSha256Hex(value))
				return "user: a " + std::string(identity::FieldName(key.field)) +
				       " value for Reddit is not a lowercase SHA-256 hex digest";
	}
	std::string_view ip = bag.Plain(PlainKey::kClientIpAddress);
	if (!ip.empty() && !IsIpAddress(ip))
		return std::string("user.ip_address is not an IPv4 or IPv6 address");
	return std::nullopt;
}

// Meta's LDU codes (country 1 = the United States, state 1000 = California) as Reddit's ISO codes.
void AppendDataProcessingOptions(std::string *out, const Consent &consent) {
	out->append("\"data_processing_options\":{\"modes\":[\"LDU\"]");
	if (consent.ldu_country == 1) {
		out->append(",\"country\":\"US\"");
		if (consent.ldu_state == 1000)
			out->append(",\"region\":\"US-CA\"");
	}
	out->push_back('}');
}

// The user object: Reddit's keys from the identity bag, plus LDU.
void AppendUser(std::string *out, const EventFields &fields, std::string *scratch) {
	scratch->clear();
	AppendUserObject(scratch, platforms::kRedditUserObject, fields.identity());
	const Consent &consent = fields.consent();
	if (consent.limited_data_use || consent.opt_out.value_or(false)) {
		scratch->pop_back(); // '}'
		if (scratch->size() > 1)
			scratch->push_back(',');
		AppendDataProcessingOptions(scratch, consent);
		scratch->push_back('}');
	}
	if (*scratch == "{}")
		return;
	out->append(",\"user\":");
	out->append(*scratch);
}

// Reads, checks and (when it may be sent) writes one event into *out; nothing is appended when the
// event is refused.
class EventWriter {
public:
	std::optional<Refusal> Write(const OutboxEvent &event, std::int64_t now_ms,
	                             const RedditSettings &settings, const ConsentRule &consent,
	                             std::string *out) {
		std::optional<RedditEventType> type = RedditEventTypeFor(settings.common, event.event_name);
		if (!type)
			return Refusal::Skip(UnmappedEventReason("Reddit", event.event_name));
		if (type->custom_event_name.size() > kRedditMaxCustomEventName)
			return Refusal("Reddit takes custom event names of at most 64 characters");
		if (std::optional<std::string> problem = CheckTime(event, now_ms))
			return Refusal(std::move(*problem));
		if (std::optional<std::string> problem = fields_.Read(event, identity::Platform::kReddit))
			return Refusal(std::move(*problem));
		if (std::optional<Refusal> skip = ApplyConsent(fields_, consent))
			return skip;
		if (std::optional<std::string> problem = CheckIdentity(fields_.identity()))
			return Refusal(std::move(*problem));

		std::size_t start = out->size();
		out->append("{\"event_at\":");
		AppendJsonInt(out, event.event_time_ms);
		out->append(",\"action_source\":\"");
		out->append(ActionSource(event.action_source));
		out->push_back('"');
		std::string_view click_id = fields_.identity().Plain(PlainKey::kRdtClickId);
		if (!click_id.empty()) {
			out->append(",\"click_id\":");
			AppendJsonString(out, click_id);
		}
		out->append(",\"type\":{\"tracking_type\":\"");
		out->append(type->tracking_type);
		out->push_back('"');
		if (!type->custom_event_name.empty()) {
			out->append(",\"custom_event_name\":");
			AppendJsonString(out, type->custom_event_name);
		}
		out->push_back('}');
		AppendUser(out, fields_, &user_);
		if (std::optional<std::string> problem =
		        metadata_.Append(out, event.event_id, fields_.custom_data_json())) {
			out->resize(start);
			return Refusal(std::move(*problem));
		}
		out->push_back('}');
		return std::nullopt;
	}

private:
	EventFields fields_;
	RedditMetadataWriter metadata_;
	std::string user_;
};

EventWriter &ThreadEventWriter() {
	thread_local EventWriter *writer = nullptr; // leaked on purpose: no thread-exit destructor
	if (writer == nullptr)
		writer = new EventWriter();
	return *writer;
}

ConsentRule RedditConsentRule(const RedditSettings &settings) {
	return ConsentRuleFor(settings.common, DeniedAdUserData::kSkip);
}

class RedditRequestBuilder final : public RequestBuilder {
public:
	RedditRequestBuilder(const Destination &destination, const RequestContext &context)
	    : settings_(ReadRedditSettings(destination)), consent_(RedditConsentRule(settings_)) {
		std::string base =
		    ResolveBaseUrl(destination, kRedditDefaultBaseUrl,
		                   context.base_url_override.empty() ? std::string_view(destination.endpoint_override)
		                                                     : context.base_url_override);
		request_.url = base + "/api/v3/pixels/" + settings_.pixel_id + "/conversion_events";
		request_.headers.push_back("Content-Type: application/json");
		request_.headers.push_back("Authorization: Bearer " + settings_.access_token);
		request_.secrets.push_back(settings_.access_token);
		request_.body.append("{\"data\":{");
		if (settings_.test_id) {
			request_.body.append("\"test_id\":");
			AppendJsonString(&request_.body, *settings_.test_id);
			request_.body.push_back(',');
		}
		request_.body.append("\"events\":[");
	}

	std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) override {
		if (full())
			throw Error(sqlstate::kInternalError, "Reddit request already holds 1000 events");
		std::size_t before = request_.body.size();
		if (size_ > 0)
			request_.body.push_back(',');
		if (std::optional<Refusal> refusal =
		        writer_.Write(event, now_ms, settings_, consent_, &request_.body)) {
			request_.body.resize(before);
			return refusal;
		}
		++size_;
		return std::nullopt;
	}

	std::size_t size() const noexcept override { return size_; }
	bool full() const noexcept override { return size_ >= kRedditMaxBatchSize; }

	HttpRequest Finish() override {
		if (size_ == 0 || finished_)
			throw Error(sqlstate::kInternalError, "Reddit request finished twice or without events");
		finished_ = true;
		request_.body.append("]}}");
		return std::move(request_);
	}

private:
	RedditSettings settings_;
	ConsentRule consent_;
	EventWriter writer_;
	HttpRequest request_;
	std::size_t size_ = 0;
	bool finished_ = false;
};

} // namespace

void RedditAdapter::Validate(const Destination &destination) const {
	ReadRedditSettings(destination);
	ResolveBaseUrl(destination, kRedditDefaultBaseUrl, destination.endpoint_override);
}

std::optional<std::string> RedditAdapter::Preflight(const Destination &destination, const OutboxEvent &event,
                                                    std::int64_t now_ms) const {
	RedditSettings settings = ReadRedditSettings(destination);
	std::string scratch;
	std::optional<Refusal> refusal =
	    ThreadEventWriter().Write(event, now_ms, settings, RedditConsentRule(settings), &scratch);
	if (!refusal)
		return std::nullopt;
	return std::move(refusal->reason);
}

std::string RedditAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	// Pixel, token and test_id are per destination: all its events may share a request.
	return std::string();
}

std::unique_ptr<RequestBuilder> RedditAdapter::StartRequest(const Destination &destination,
                                                            const RequestContext &context) const {
	return std::make_unique<RedditRequestBuilder>(destination, context);
}

} // namespace capi::dispatch
