// SnapAdapter::Classify. Snap answers {"status": "VALID"} for an accepted request and
// {"status": "INVALID", "reason": "...", "errors": ...} for a rejected one
// (https://developers.snap.com/api/marketing-api/Conversions-API/UsingTheAPI). Whether an INVALID
// answer rejected the whole batch or only some events is UNCONFIRMED: it is taken as the whole batch,
// which the pipeline splits to find the culprit (a reply naming the event's index isolates it).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/platforms/snap/snap_adapter.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// "reason" and the error texts, for the message.
std::string Explain(const json &response) {
	std::string text = StringMember(response, "reason");
	auto errors = response.find("errors");
	if (errors != response.end()) {
		text +=
		    (text.empty() ? "" : " | ") + (errors->is_string() ? errors->get<std::string>() : errors->dump());
	}
	return text;
}

// The text says the token is the problem.
bool NamesToken(std::string_view text) {
	return text.find("access_token") != std::string_view::npos ||
	       text.find("Unauthorized") != std::string_view::npos ||
	       text.find("unauthorized") != std::string_view::npos;
}

BatchOutcome ByStatus(long status, std::string message) {
	BatchOutcome outcome;
	outcome.message = std::move(message);
	if (status == 401) {
		outcome.kind = OutcomeKind::kAuthFailed;
	} else if (status == 403 || status == 404 || (status >= 300 && status < 400)) {
		outcome.kind = OutcomeKind::kPermanent;
	} else if (status == 408 || status == 429 || status >= 500 || status < 200) {
		outcome.kind = OutcomeKind::kRetry;
	} else {
		outcome.kind = OutcomeKind::kRejectedBatch;
	}
	return outcome;
}

} // namespace

BatchOutcome SnapAdapter::Classify(const Destination &destination, std::size_t batch_size, long http_status,
                                   std::string_view body, const ResponseHeaders &headers) const {
	json response = json::parse(body.begin(), body.end(), nullptr, false);
	const bool own_host = ReachesOwnHost(destination, *this);
	std::string status = response.is_object() ? StringMember(response, "status") : std::string();
	BatchOutcome outcome;
	if (status == "VALID" && http_status >= 200 && http_status < 300) {
		outcome.kind = OutcomeKind::kDelivered;
	} else if (status == "INVALID" && http_status != 401 && http_status != 429 && http_status < 500) {
		std::string explained = Explain(response);
		outcome.message = "HTTP " + std::to_string(http_status) + ": Snap: INVALID: " + explained;
		auto index = response.find("event");
		if (NamesToken(explained) || http_status == 403) {
			outcome.kind = http_status == 403 ? OutcomeKind::kPermanent : OutcomeKind::kAuthFailed;
		} else if (index != response.end() && index->is_number_unsigned() &&
		           index->get<std::size_t>() < batch_size) {
			outcome.kind = OutcomeKind::kRejectedEvents;
			outcome.bad_indexes.push_back(index->get<std::size_t>());
		} else {
			outcome.kind = OutcomeKind::kRejectedBatch;
		}
	} else if (http_status >= 200 && http_status < 300) {
		outcome.kind = OutcomeKind::kRetry;
		outcome.message = "HTTP " + std::to_string(http_status) + " without Snap's status VALID: " +
		                  (status.empty() ? QuotableBody(body, own_host) : status);
	} else {
		std::string text = status.empty() ? QuotableBody(body, own_host) : status + ": " + Explain(response);
		outcome = ByStatus(http_status, "HTTP " + std::to_string(http_status) + ": " + text);
	}
	if (response.is_object()) {
		outcome.trace_id = StringMember(response, "request_id");
	}
	if (outcome.kind == OutcomeKind::kRetry && headers.retry_after_ms) {
		outcome.retry_after_ms = std::max<std::int64_t>(*headers.retry_after_ms, 0);
	}
	outcome.message = OutcomeMessage(outcome.message, CredentialSecrets(destination));
	return outcome;
}

} // namespace capi::dispatch
