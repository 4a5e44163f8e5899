// RedditAdapter::Classify: Reddit's replies to outcomes. Reddit does not publish the v3 reply bodies
// (docs/platforms/reddit.md); what is known: any 2xx is success; a request with one invalid event is
// refused whole with HTTP 400 {"message": "There were 1 invalid conversion events. None were
// processed.", "invalid_events": [{"error_message": ...}]}; 401 means the token is invalid
// ({"error": {"reason": "UNAUTHORIZED", ...}}); 429 and 5xx are transient.
#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/platforms/reddit/reddit_adapter.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Event positions named in a text: "events[3]", "index 3", "index: 3".
void FindIndexes(std::string_view text, std::size_t batch_size, std::vector<std::size_t> *out) {
	for (std::string_view marker : {std::string_view("events["), std::string_view("index ")}) {
		for (std::size_t at = text.find(marker); at != std::string_view::npos;
		     at = text.find(marker, at + 1)) {
			if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_'))
				continue;
			std::size_t i = at + marker.size();
			if (i < text.size() && text[i] == ':')
				++i;
			while (i < text.size() && text[i] == ' ')
				++i;
			std::size_t start = i, value = 0;
			while (i < text.size() && i - start < 9 && text[i] >= '0' && text[i] <= '9')
				value = value * 10 + static_cast<std::size_t>(text[i++] - '0');
			if (i > start && value < batch_size)
				out->push_back(value);
		}
	}
}

// Reddit's words from an error body of one of its shapes; "" when the body has none.
std::string ErrorText(const json &reply, std::size_t batch_size, std::vector<std::size_t> *indexes) {
	if (!reply.is_object())
		return std::string();
	std::string text = StringMember(reply, "message");
	FindIndexes(text, batch_size, indexes);
	if (auto error = reply.find("error"); error != reply.end()) {
		if (error->is_string()) {
			text += (text.empty() ? "" : " | ") + error->get<std::string>();
		} else if (error->is_object()) {
			for (const char *key : {"reason", "explanation", "message"}) {
				std::string part = StringMember(*error, key);
				if (!part.empty())
					text += (text.empty() ? "" : " | ") + part;
			}
		}
	}
	if (auto invalid = reply.find("invalid_events"); invalid != reply.end() && invalid->is_array()) {
		for (const json &event : *invalid) {
			if (!event.is_object())
				continue;
			std::string message = StringMember(event, "error_message");
			FindIndexes(message, batch_size, indexes);
			for (const char *key : {"index", "event_index"}) {
				auto index = event.find(key);
				if (index != event.end() && index->is_number_unsigned() &&
				    index->get<std::size_t>() < batch_size)
					indexes->push_back(index->get<std::size_t>());
			}
			if (!message.empty() && text.size() < kMaxOutcomeMessageBytes)
				text += (text.empty() ? "" : " | ") + message;
		}
	}
	std::sort(indexes->begin(), indexes->end());
	indexes->erase(std::unique(indexes->begin(), indexes->end()), indexes->end());
	return text;
}

} // namespace

BatchOutcome RedditAdapter::Classify(const Destination &destination, std::size_t batch_size, long http_status,
                                     std::string_view body, const ResponseHeaders &headers) const {
	json reply = json::parse(body.begin(), body.end(), nullptr, false);
	const bool own_host = ReachesOwnHost(destination, *this);
	BatchOutcome outcome;
	if (http_status >= 200 && http_status < 300) {
		outcome.kind = OutcomeKind::kDelivered;
	} else {
		std::vector<std::size_t> indexes;
		std::string text = ErrorText(reply, batch_size, &indexes);
		// From another host (an endpoint override), only Reddit's structures are quoted, never raw text.
		outcome.message = "HTTP " + std::to_string(http_status) + ": " +
		                  (text.empty() ? QuotableBody(body, own_host) : text);
		if (http_status == 401) {
			outcome.kind = OutcomeKind::kAuthFailed;
		} else if (http_status == 403 || http_status == 404 || (http_status >= 300 && http_status < 400)) {
			outcome.kind = OutcomeKind::kPermanent; // no such pixel, or the token may not use it
		} else if (http_status == 408 || http_status == 429 || http_status >= 500 || http_status < 200) {
			outcome.kind = OutcomeKind::kRetry;
		} else if (!indexes.empty()) {
			outcome.kind = OutcomeKind::kRejectedEvents;
			outcome.bad_indexes = std::move(indexes);
		} else {
			outcome.kind = OutcomeKind::kRejectedBatch; // one invalid event sinks the request: split it
		}
	}
	if (outcome.kind == OutcomeKind::kRetry && headers.retry_after_ms)
		outcome.retry_after_ms = std::max<std::int64_t>(*headers.retry_after_ms, 0);
	outcome.message = OutcomeMessage(outcome.message, CredentialSecrets(destination));
	return outcome;
}

} // namespace capi::dispatch
