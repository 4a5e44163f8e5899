// MetaAdapter::Classify: Graph API responses to outcomes
// (https://developers.facebook.com/docs/graph-api/guides/error-handling).
#include "core/platforms/meta/meta_adapter.hpp"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

// Rate limits and temporary failures (Graph error codes).
bool IsTransientCode(std::int64_t code) {
	switch (code) {
	case 1:     // unknown error
	case 2:     // service temporarily unavailable
	case 4:     // application request limit
	case 17:    // user request limit
	case 32:    // page request limit
	case 341:   // application limit
	case 368:   // temporarily blocked for policy violations
	case 613:   // calls exceeded the rate limit
	case 5000:  // unknown error (CAPI)
	case 21009: // temporary backend failure
	case 80003: // ad-account rate limit
		return true;
	default:
		return false;
	}
}

bool IsAuthCode(std::int64_t code) {
	return code == 190     // invalid or expired access token
	       || code == 102  // session invalid
	       || code == 104; // no access token
}

// The destination itself is wrong: unknown pixel, missing permission or capability.
bool IsDestinationCode(std::int64_t code, std::int64_t subcode) {
	return code == 3 || code == 10 || (code >= 200 && code <= 299) || code == 294 || code == 33 ||
	       (code == 100 && subcode == 33);
}

std::int64_t IntMember(const json &object, const char *key) {
	auto found = object.find(key);
	if (found == object.end()) {
		return 0;
	}
	if (found->is_number_integer()) {
		return found->get<std::int64_t>();
	}
	if (found->is_string()) { // Graph has been seen to quote numbers
		const std::string &text = found->get_ref<const std::string &>();
		if (!text.empty() && text.size() < 12 && std::all_of(text.begin(), text.end(), ::isdigit)) {
			return std::stoll(text);
		}
	}
	return 0;
}

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// Event positions Meta names in text: "data[3]", "index 3", "index: 3".
void FindIndexes(std::string_view text, size_t batch_size, std::vector<size_t> *out) {
	auto read_number = [&](size_t at, size_t *end) -> std::optional<size_t> {
		size_t i = at;
		size_t value = 0;
		while (i < text.size() && i - at < 9 && text[i] >= '0' && text[i] <= '9') {
			value = value * 10 + static_cast<size_t>(text[i] - '0');
			++i;
		}
		*end = i;
		return i > at ? std::optional<size_t>(value) : std::nullopt;
	};
	for (std::string_view marker : {std::string_view("data["), std::string_view("index ")}) {
		for (size_t at = text.find(marker); at != std::string_view::npos; at = text.find(marker, at + 1)) {
			if (at > 0 && (std::isalnum(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == '_')) {
				continue; // "user_data[", "reindex 2": another word
			}
			size_t start = at + marker.size();
			if (start < text.size() && text[start] == ':') {
				start += 1;
			}
			while (start < text.size() && text[start] == ' ') {
				++start;
			}
			size_t end = 0;
			std::optional<size_t> index = read_number(start, &end);
			if (index && *index < batch_size) {
				out->push_back(*index);
			}
		}
	}
	std::sort(out->begin(), out->end());
	out->erase(std::unique(out->begin(), out->end()), out->end());
}

// True when Meta's text names a request-level parameter (set per destination, not per event):
// splitting the batch cannot help, every half would be refused the same way.
bool NamesRequestParameter(std::string_view text) {
	for (std::string_view parameter :
	     {std::string_view("test_event_code"), std::string_view("partner_agent")}) {
		if (text.find(parameter) != std::string_view::npos) {
			return true;
		}
	}
	return false;
}

std::vector<std::string> Secrets(const Destination &destination) {
	std::vector<std::string> secrets = CredentialSecrets(destination);
	try {
		if (std::optional<std::string> proof = ReadMetaSettings(destination).appsecret_proof) {
			secrets.push_back(*proof);
		}
	} catch (const std::exception &) {
		// an invalid destination sent nothing with a proof
	}
	return secrets;
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
		outcome.kind = OutcomeKind::kRejectedBatch; // other 4xx, 413 included: splitting may help
	}
	return outcome;
}

BatchOutcome FromGraphError(const json &error, long status, size_t batch_size) {
	std::int64_t code = IntMember(error, "code");
	std::int64_t subcode = IntMember(error, "error_subcode");
	auto transient = error.find("is_transient");
	bool is_transient = transient != error.end() && transient->is_boolean() && transient->get<bool>();

	std::string message = "HTTP " + std::to_string(status) + ": (#" + std::to_string(code);
	if (subcode != 0) {
		message += "/" + std::to_string(subcode);
	}
	message += ") " + StringMember(error, "message");
	std::string title = StringMember(error, "error_user_title");
	std::string detail = StringMember(error, "error_user_msg");
	if (!title.empty()) {
		message += " | " + title;
	}
	if (!detail.empty()) {
		message += " | " + detail;
	}

	BatchOutcome outcome;
	if (IsAuthCode(code)) {
		outcome.kind = OutcomeKind::kAuthFailed;
	} else if (IsDestinationCode(code, subcode)) {
		outcome.kind = OutcomeKind::kPermanent;
	} else if (IsTransientCode(code) || is_transient || status == 408 || status == 429 || status >= 500) {
		outcome.kind = OutcomeKind::kRetry;
	} else {
		FindIndexes(StringMember(error, "message"), batch_size, &outcome.bad_indexes);
		FindIndexes(detail, batch_size, &outcome.bad_indexes);
		if (!outcome.bad_indexes.empty()) {
			outcome.kind = OutcomeKind::kRejectedEvents;
		} else if (NamesRequestParameter(StringMember(error, "message")) || NamesRequestParameter(detail)) {
			outcome.kind = OutcomeKind::kPermanent; // the destination's settings: pause, do not split
		} else {
			outcome.kind = OutcomeKind::kRejectedBatch;
		}
	}
	outcome.message = std::move(message);
	outcome.trace_id = StringMember(error, "fbtrace_id");
	return outcome;
}

} // namespace

BatchOutcome MetaAdapter::Classify(const Destination &destination, size_t batch_size, long http_status,
                                   std::string_view body, const ResponseHeaders &headers) const {
	json response = json::parse(body.begin(), body.end(), nullptr, false);
	// From another host (an endpoint override), only Graph's structure is quoted, never raw text.
	const bool own_host = ReachesOwnHost(destination, *this);
	BatchOutcome outcome;
	const json *error = nullptr;
	if (response.is_object()) {
		auto found = response.find("error");
		if (found != response.end() && found->is_object()) {
			error = &*found;
		}
	}
	if (error != nullptr && !own_host && !error->contains("code")) {
		error = nullptr; // not Graph's structure (it always has a code): not quoted
	}
	if (error != nullptr) {
		outcome = FromGraphError(*error, http_status, batch_size);
	} else if (http_status >= 200 && http_status < 300) {
		auto received = response.is_object() ? response.find("events_received") : response.end();
		if (received != response.end() && received->is_number_integer() &&
		    received->get<std::int64_t>() == static_cast<std::int64_t>(batch_size)) {
			outcome.kind = OutcomeKind::kDelivered;
			auto messages = response.find("messages");
			if (messages != response.end() && messages->is_array()) {
				for (const json &item : *messages) {
					if (item.is_string() || own_host) {
						outcome.message += (outcome.message.empty() ? "" : " | ") +
						                   (item.is_string() ? item.get<std::string>() : item.dump());
					}
				}
			}
		} else if (received != response.end() && received->is_number_integer()) {
			outcome.kind = OutcomeKind::kRetry;
			outcome.message = "Meta received " + std::to_string(received->get<std::int64_t>()) + " of " +
			                  std::to_string(batch_size) + " events";
		} else {
			outcome.kind = OutcomeKind::kRetry;
			outcome.message = "HTTP " + std::to_string(http_status) +
			                  " without events_received: " + QuotableBody(body, own_host);
		}
	} else {
		outcome = ByStatus(http_status,
		                   "HTTP " + std::to_string(http_status) + ": " + QuotableBody(body, own_host));
	}
	if (outcome.trace_id.empty() && response.is_object()) {
		outcome.trace_id = StringMember(response, "fbtrace_id");
	}
	if (outcome.kind == OutcomeKind::kRetry && headers.retry_after_ms) {
		outcome.retry_after_ms = std::max<std::int64_t>(*headers.retry_after_ms, 0);
	}
	outcome.message = OutcomeMessage(outcome.message, Secrets(destination));
	return outcome;
}

} // namespace capi::dispatch
