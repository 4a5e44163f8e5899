// TikTokAdapter::Classify. TikTok answers HTTP 200 with a body {"code": N, "message": "...",
// "request_id": "...", "data": {}}; only code 0 is success
// (TikTok API for Business, "Return codes": https://business-api.tiktok.com/portal/docs).
#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/platforms/tiktok/tiktok_adapter.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

constexpr std::int64_t kOk = 0;
constexpr std::int64_t kPartialOk = 20001; // meaning undocumented; the request was accepted
constexpr std::int64_t kNoPermission = 40001;
constexpr std::int64_t kParameterError = 40002;
constexpr std::int64_t kTooManyRequests = 40100;

// Access token problems: 40102 expired, 40104 empty, 40105 incorrect or revoked (and the other
// 401xx codes of TikTok's authentication range but 40100).
bool IsAuthCode(std::int64_t code) {
	return code > kTooManyRequests && code < 40200;
}

// 5xxxx: TikTok's own failures (50000 system error, 50002 ...), worth a retry.
bool IsServerCode(std::int64_t code) {
	return code >= 50000 && code < 60000;
}

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Event positions TikTok names in a parameter error: "Batch.3.properties..." or "data.3." / "data[3]".
void FindIndexes(std::string_view text, std::size_t batch_size, std::vector<std::size_t> *out) {
	for (std::string_view marker : {std::string_view("Batch."), std::string_view("batch."),
	                                std::string_view("data."), std::string_view("data[")}) {
		for (std::size_t at = text.find(marker); at != std::string_view::npos;
		     at = text.find(marker, at + 1)) {
			if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) {
				continue;
			}
			std::size_t i = at + marker.size();
			std::size_t value = 0;
			std::size_t digits = 0;
			while (i < text.size() && digits < 9 && text[i] >= '0' && text[i] <= '9') {
				value = value * 10 + static_cast<std::size_t>(text[i] - '0');
				++i;
				++digits;
			}
			if (digits > 0 && value < batch_size) {
				out->push_back(value);
			}
		}
	}
	std::sort(out->begin(), out->end());
	out->erase(std::unique(out->begin(), out->end()), out->end());
}

// A parameter error about a request-level setting of the destination: splitting cannot help.
bool NamesRequestParameter(std::string_view text) {
	for (std::string_view parameter :
	     {std::string_view("event_source_id"), std::string_view("test_event_code"),
	      std::string_view("pixel_code"), std::string_view("event_source")}) {
		if (text.find(parameter) != std::string_view::npos) {
			return true;
		}
	}
	return false;
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

BatchOutcome FromCode(std::int64_t code, std::string_view text, long status, std::size_t batch_size) {
	BatchOutcome outcome;
	outcome.message = "TikTok code " + std::to_string(code) + ": " + std::string(text);
	if (code == kOk) {
		outcome.kind = OutcomeKind::kDelivered;
		outcome.message.clear();
	} else if (code == kPartialOk) {
		outcome.kind = OutcomeKind::kDelivered; // accepted; TikTok's words kept
	} else if (code == kTooManyRequests || IsServerCode(code)) {
		outcome.kind = OutcomeKind::kRetry;
	} else if (IsAuthCode(code)) {
		outcome.kind = OutcomeKind::kAuthFailed;
	} else if (code == kNoPermission) {
		outcome.kind = OutcomeKind::kPermanent; // the token may not send to this pixel
	} else if (code == kParameterError) {
		FindIndexes(text, batch_size, &outcome.bad_indexes);
		if (!outcome.bad_indexes.empty()) {
			outcome.kind = OutcomeKind::kRejectedEvents;
		} else if (NamesRequestParameter(text)) {
			outcome.kind = OutcomeKind::kPermanent;
		} else {
			outcome.kind = OutcomeKind::kRejectedBatch;
		}
	} else if (status == 429 || status >= 500) {
		outcome.kind = OutcomeKind::kRetry;
	} else {
		outcome.kind = OutcomeKind::kRejectedBatch; // an unknown refusal: splitting finds the culprit
	}
	return outcome;
}

} // namespace

BatchOutcome TikTokAdapter::Classify(const Destination &destination, std::size_t batch_size, long http_status,
                                     std::string_view body, const ResponseHeaders &headers) const {
	json response = json::parse(body.begin(), body.end(), nullptr, false);
	const bool own_host = ReachesOwnHost(destination, *this);
	BatchOutcome outcome;
	auto code = response.is_object() ? response.find("code") : response.end();
	if (code != response.end() && code->is_number_integer() && http_status >= 200 && http_status < 300) {
		outcome =
		    FromCode(code->get<std::int64_t>(), StringMember(response, "message"), http_status, batch_size);
	} else if (code != response.end() && code->is_number_integer() && code->get<std::int64_t>() != kOk) {
		outcome =
		    FromCode(code->get<std::int64_t>(), StringMember(response, "message"), http_status, batch_size);
		if (http_status == 429 || http_status >= 500 || http_status == 401) {
			outcome.kind = http_status == 401 ? OutcomeKind::kAuthFailed : OutcomeKind::kRetry;
			// The whole request is retried or paused: no event is named bad (adapter.hpp).
			outcome.bad_indexes.clear();
			outcome.bad_messages.clear();
		}
	} else if (http_status >= 200 && http_status < 300) {
		outcome.kind = OutcomeKind::kRetry;
		outcome.message =
		    "HTTP " + std::to_string(http_status) + " without TikTok's code: " + QuotableBody(body, own_host);
	} else {
		outcome = ByStatus(http_status,
		                   "HTTP " + std::to_string(http_status) + ": " + QuotableBody(body, own_host));
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
