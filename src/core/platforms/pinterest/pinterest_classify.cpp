// PinterestAdapter::Classify: Pinterest's replies to outcomes
// (https://developers.pinterest.com/docs/api/v5/events-create, responses 200, 400, 401, 403, 429, 503).
//   200 {"num_events_received":N,"num_events_processed":M,"events":[{"status":"processed"|"failed",
//        "error_message":...,"warning_message":...}, ...]} in request order: failed events are
//        per-event failures (kPartial) with their own message;
//   4xx/5xx {"code":<int>,"message":"..."}.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/platforms/pinterest/pinterest_adapter.hpp"
#include "core/platforms/pinterest/pinterest_cut_reply.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Event positions named in an error text: "data[3]", "data.3", "index 3", "index: 3".
void FindIndexes(std::string_view text, std::size_t batch_size, std::vector<std::size_t> *out) {
	for (std::string_view marker :
	     {std::string_view("data["), std::string_view("data."), std::string_view("index ")}) {
		for (std::size_t at = text.find(marker); at != std::string_view::npos;
		     at = text.find(marker, at + 1)) {
			if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_'))
				continue; // "user_data.", "reindex 2": another word
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
	std::sort(out->begin(), out->end());
	out->erase(std::unique(out->begin(), out->end()), out->end());
}

BatchOutcome FromReply(const json &reply, std::size_t batch_size, bool own_host) {
	BatchOutcome outcome;
	auto events = reply.find("events");
	if (events == reply.end() || !events->is_array() || events->size() != batch_size) {
		outcome.kind = OutcomeKind::kRetry;
		outcome.message = "Pinterest answered HTTP 200 without one status per event (" +
		                  std::to_string(batch_size) + " sent)";
		return outcome;
	}
	std::string warnings;
	for (std::size_t i = 0; i < batch_size; ++i) {
		const json &event = (*events)[i];
		std::string status = event.is_object() ? StringMember(event, "status") : std::string();
		if (status == "failed") {
			std::string error = StringMember(event, "error_message");
			outcome.bad_indexes.push_back(i);
			outcome.bad_messages.push_back(error.empty() ? "Pinterest: failed" : "Pinterest: " + error);
		} else if (status != "processed") {
			outcome.bad_indexes.push_back(i);
			outcome.bad_messages.push_back("Pinterest gave no status \"processed\" for this event");
		}
		std::string warning = event.is_object() ? StringMember(event, "warning_message") : std::string();
		if (!warning.empty() && warnings.size() < kMaxOutcomeMessageBytes)
			warnings += (warnings.empty() ? "" : " | ") + ("data[" + std::to_string(i) + "]: " + warning);
	}
	if (outcome.bad_indexes.empty()) {
		outcome.kind = OutcomeKind::kDelivered;
		outcome.message = std::move(warnings);
	} else {
		outcome.kind = OutcomeKind::kPartial;
		outcome.message = std::to_string(outcome.bad_indexes.size()) + " of " + std::to_string(batch_size) +
		                  " events failed at Pinterest";
	}
	return outcome;
}

BatchOutcome FromError(long status, const json *error, std::string_view body, std::size_t batch_size,
                       bool own_host) {
	BatchOutcome outcome;
	std::string text;
	if (error != nullptr) {
		auto code = error->find("code");
		text = "(code " +
		       (code != error->end() && code->is_number_integer() ? code->dump() : std::string("?")) + ") " +
		       StringMember(*error, "message");
	} else {
		text = QuotableBody(body, own_host);
	}
	outcome.message = "HTTP " + std::to_string(status) + ": " + text;
	if (status == 401) {
		outcome.kind = OutcomeKind::kAuthFailed;
	} else if (status == 403 || status == 404 || (status >= 300 && status < 400)) {
		outcome.kind = OutcomeKind::kPermanent; // no access to the ad account, or no such account
	} else if (status == 408 || status == 429 || status >= 500 || status < 200) {
		outcome.kind = OutcomeKind::kRetry; // 503: "the endpoint has been ramped down"
	} else {
		if (error != nullptr)
			FindIndexes(StringMember(*error, "message"), batch_size, &outcome.bad_indexes);
		outcome.kind =
		    outcome.bad_indexes.empty() ? OutcomeKind::kRejectedBatch : OutcomeKind::kRejectedEvents;
	}
	return outcome;
}

} // namespace

BatchOutcome PinterestAdapter::Classify(const Destination &destination, std::size_t batch_size,
                                        long http_status, std::string_view body,
                                        const ResponseHeaders &headers) const {
	json reply = json::parse(body.begin(), body.end(), nullptr, false);
	const bool own_host = ReachesOwnHost(destination, *this);
	BatchOutcome outcome;
	if (http_status >= 200 && http_status < 300) {
		std::optional<BatchOutcome> cut;
		if (reply.is_object())
			outcome = FromReply(reply, batch_size, own_host);
		else if (reply.is_discarded() && (cut = ClassifyCutPinterestReply(body, batch_size)))
			outcome = std::move(*cut);
		else {
			outcome.kind = OutcomeKind::kRetry;
			outcome.message = "HTTP " + std::to_string(http_status) +
			                  " without a JSON reply: " + QuotableBody(body, own_host);
		}
	} else {
		// From another host (an endpoint override), only Pinterest's structure is quoted.
		const json *error =
		    reply.is_object() && reply.contains("message") && (own_host || reply.contains("code")) ? &reply
		                                                                                           : nullptr;
		outcome = FromError(http_status, error, body, batch_size, own_host);
	}
	if (outcome.kind == OutcomeKind::kRetry && headers.retry_after_ms)
		outcome.retry_after_ms = std::max<std::int64_t>(*headers.retry_after_ms, 0);
	std::vector<std::string> secrets = CredentialSecrets(destination);
	outcome.message = OutcomeMessage(outcome.message, secrets);
	for (std::string &message : outcome.bad_messages)
		message = OutcomeMessage(message, secrets);
	return outcome;
}

} // namespace capi::dispatch
