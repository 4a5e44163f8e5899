// GoogleAdapter::Classify: both APIs answer errors in Google's JSON error form
// (https://cloud.google.com/apis/design/errors):
//   {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT","details":[...]}}
// with details google.rpc.BadRequest {"fieldViolations":[{"field":"events[3].user_data","description"}]}
// (Data Manager) or GoogleAdsFailure {"errors":[{"errorCode":{"<kind>Error":"<CODE>"},"message",
// "location":{"fieldPathElements":[{"fieldName":"conversions","index":3}]}}],"requestId"} (Ads).
// The Ads API with partialFailure answers 200 with per-row errors in "partialFailureError" (same
// shape as "error"): kPartial.
#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/platforms/google/google_adapter.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

// What the details of a Google error say.
struct Failure {
	std::map<std::size_t, std::string> rows; // batch position -> the platform's words
	std::vector<std::string> codes;          // "authenticationError: NOT_ADS_USER"
	bool names_destination = false;          // a destination-level field (account, action) is wrong
	std::string request_id;
};

// "events[3].user_data" -> 3 (also "conversions[3]").
std::optional<std::size_t> IndexInPath(std::string_view path) {
	for (std::string_view list :
	     {std::string_view("events["), std::string_view("conversions["), std::string_view("operations[")}) {
		std::size_t at = path.find(list);
		if (at == std::string_view::npos)
			continue;
		std::size_t i = at + list.size();
		std::size_t value = 0;
		std::size_t digits = 0;
		while (i < path.size() && digits < 9 && path[i] >= '0' && path[i] <= '9') {
			value = value * 10 + static_cast<std::size_t>(path[i] - '0');
			++i;
			++digits;
		}
		if (digits > 0 && i < path.size() && path[i] == ']')
			return value;
	}
	return std::nullopt;
}

void AddRow(Failure *failure, std::size_t index, std::size_t batch_size, const std::string &text) {
	if (index >= batch_size)
		return;
	std::string &row = failure->rows[index];
	row += (row.empty() ? "" : " | ") + text;
}

// Request-level Ads error kinds: the destination (account, headers, token permissions) is wrong.
bool IsDestinationErrorKind(std::string_view kind) {
	return kind == "authorizationError" || kind == "headerError" || kind == "customerError" ||
	       kind == "notAllowlistedError";
}

bool IsTransientCode(std::string_view code) {
	return code.find("TRANSIENT_ERROR") != std::string_view::npos ||
	       code.find("INTERNAL_ERROR") != std::string_view::npos ||
	       code.find("CONCURRENT_MODIFICATION") != std::string_view::npos ||
	       code.find("DEADLINE_EXCEEDED") != std::string_view::npos ||
	       code.find("RESOURCE_TEMPORARILY_EXHAUSTED") != std::string_view::npos;
}

void ReadAdsError(const json &error, std::size_t batch_size, Failure *failure) {
	std::string code;
	if (auto error_code = error.find("errorCode"); error_code != error.end() && error_code->is_object()) {
		for (auto item = error_code->begin(); item != error_code->end(); ++item) {
			code = item.key() + ": " +
			       (item.value().is_string() ? item.value().get<std::string>() : item.value().dump());
			if (IsDestinationErrorKind(item.key()))
				failure->names_destination = true;
		}
	}
	std::string text =
	    code.empty() ? StringMember(error, "message") : code + " (" + StringMember(error, "message") + ")";
	if (!code.empty())
		failure->codes.push_back(code);
	auto location = error.find("location");
	if (location == error.end() || !location->is_object())
		return;
	auto path = location->find("fieldPathElements");
	if (path == location->end() || !path->is_array())
		return;
	for (const json &element : *path) {
		if (!element.is_object())
			continue;
		std::string field = StringMember(element, "fieldName");
		auto index = element.find("index");
		if ((field == "conversions" || field == "operations") && index != element.end() &&
		    index->is_number_unsigned()) {
			AddRow(failure, index->get<std::size_t>(), batch_size, text);
			return;
		}
	}
}

Failure ReadDetails(const json &error, std::size_t batch_size) {
	Failure failure;
	auto details = error.find("details");
	if (details == error.end() || !details->is_array())
		return failure;
	for (const json &detail : *details) {
		if (!detail.is_object())
			continue;
		if (failure.request_id.empty())
			failure.request_id = StringMember(detail, "requestId");
		if (auto errors = detail.find("errors"); errors != detail.end() && errors->is_array())
			for (const json &ads_error : *errors)
				if (ads_error.is_object())
					ReadAdsError(ads_error, batch_size, &failure);
		if (auto violations = detail.find("fieldViolations");
		    violations != detail.end() && violations->is_array()) {
			for (const json &violation : *violations) {
				if (!violation.is_object())
					continue;
				std::string field = StringMember(violation, "field");
				std::string text = field + ": " + StringMember(violation, "description");
				if (std::optional<std::size_t> index = IndexInPath(field))
					AddRow(&failure, *index, batch_size, text);
				else if (field.rfind("destinations", 0) == 0)
					failure.names_destination = true;
				failure.codes.push_back(std::move(text));
			}
		}
		if (std::string reason = StringMember(detail, "reason"); !reason.empty())
			failure.codes.push_back(reason); // google.rpc.ErrorInfo
	}
	return failure;
}

std::string Describe(long status, const json &error, const Failure &failure) {
	std::string message = "HTTP " + std::to_string(status);
	std::string code_name = StringMember(error, "status");
	if (!code_name.empty())
		message += " " + code_name;
	message += ": " + StringMember(error, "message");
	for (std::size_t i = 0; i < failure.codes.size() && i < 5; ++i)
		message += " | " + failure.codes[i];
	return message;
}

void SetRows(const Failure &failure, const std::vector<std::string> &secrets, BatchOutcome *outcome) {
	for (const auto &[index, text] : failure.rows) {
		outcome->bad_indexes.push_back(index);
		outcome->bad_messages.push_back(OutcomeMessage(text, secrets));
	}
}

bool AnyTransient(const Failure &failure) {
	return std::any_of(failure.codes.begin(), failure.codes.end(),
	                   [](const std::string &code) { return IsTransientCode(code); });
}

// An error reply (not 2xx).
BatchOutcome FromError(long status, const json &error, std::size_t batch_size,
                       const std::vector<std::string> &secrets) {
	Failure failure = ReadDetails(error, batch_size);
	const std::string code_name = StringMember(error, "status");
	BatchOutcome outcome;
	outcome.message = Describe(status, error, failure);
	outcome.trace_id = failure.request_id;
	auto has_code = [&](std::string_view name) {
		return std::any_of(failure.codes.begin(), failure.codes.end(),
		                   [&](const std::string &code) { return code.find(name) != std::string::npos; });
	};
	// An account or developer-token problem: a new access token cannot fix it, nor can splitting.
	const bool account = has_code("CUSTOMER_NOT_FOUND") || has_code("TWO_STEP_VERIFICATION_NOT_ENROLLED") ||
	                     has_code("NOT_ADS_USER") || has_code("DEVELOPER_TOKEN");
	if (status == 401 || code_name == "UNAUTHENTICATED") {
		outcome.kind = account ? OutcomeKind::kPermanent : OutcomeKind::kAuthFailed;
	} else if (account && status >= 400 && status < 500) {
		outcome.kind = OutcomeKind::kPermanent;
	} else if (status == 403 || status == 404 || code_name == "PERMISSION_DENIED" ||
	           code_name == "NOT_FOUND") {
		outcome.kind = OutcomeKind::kPermanent;
	} else if (status == 408 || status == 429 || status >= 500 || code_name == "RESOURCE_EXHAUSTED" ||
	           code_name == "UNAVAILABLE" || code_name == "INTERNAL" || code_name == "DEADLINE_EXCEEDED" ||
	           code_name == "ABORTED" || AnyTransient(failure)) {
		outcome.kind = OutcomeKind::kRetry;
	} else if (!failure.rows.empty()) {
		outcome.kind = OutcomeKind::kRejectedEvents;
		SetRows(failure, secrets, &outcome);
	} else if (failure.names_destination) {
		outcome.kind = OutcomeKind::kPermanent; // splitting cannot help: every half names it again
	} else if (status >= 400 && status < 500) {
		outcome.kind = OutcomeKind::kRejectedBatch; // the culprit is unnamed: split to find it
	} else {
		outcome.kind = OutcomeKind::kRetry;
	}
	return outcome;
}

// A 200 from uploadClickConversions: per-row failures in partialFailureError; failed rows are
// empty objects in results.
BatchOutcome FromAdsSuccess(const json &response, std::size_t batch_size,
                            const std::vector<std::string> &secrets) {
	BatchOutcome outcome;
	outcome.kind = OutcomeKind::kDelivered;
	auto partial = response.find("partialFailureError");
	if (partial == response.end() || !partial->is_object() || partial->empty() ||
	    (partial->value("code", 0) == 0 && !partial->contains("details")))
		return outcome;
	Failure failure = ReadDetails(*partial, batch_size);
	outcome.trace_id = failure.request_id;
	outcome.message = Describe(200, *partial, failure);
	const bool not_allowlisted =
	    std::any_of(failure.codes.begin(), failure.codes.end(), [](const std::string &code) {
		    return code.find("CUSTOMER_NOT_ALLOWLISTED_FOR_THIS_FEATURE") != std::string::npos;
	    });
	if (not_allowlisted) {
		outcome.kind = OutcomeKind::kPermanent; // the account may not upload at all: pause
		return outcome;
	}
	if (failure.rows.empty()) { // no path named: the empty results are the failed rows
		auto results = response.find("results");
		if (results != response.end() && results->is_array())
			for (std::size_t i = 0; i < results->size() && i < batch_size; ++i)
				if ((*results)[i].is_object() && (*results)[i].empty())
					AddRow(&failure, i, batch_size, StringMember(*partial, "message"));
	}
	if (failure.rows.empty())
		return outcome; // delivered, with Google's words in the message
	outcome.kind = OutcomeKind::kPartial;
	SetRows(failure, secrets, &outcome);
	return outcome;
}

BatchOutcome ByStatus(long status, std::string message) {
	BatchOutcome outcome;
	outcome.message = std::move(message);
	if (status == 401)
		outcome.kind = OutcomeKind::kAuthFailed;
	else if (status == 403 || status == 404 || (status >= 300 && status < 400))
		outcome.kind = OutcomeKind::kPermanent;
	else if (status == 408 || status == 429 || status >= 500 || status < 200)
		outcome.kind = OutcomeKind::kRetry;
	else
		outcome.kind = OutcomeKind::kRejectedBatch;
	return outcome;
}

// The first member of a JSON object text, even when the text is cut short: its key and, when the
// value is a complete object, that value ("" otherwise).
std::pair<std::string, std::string_view> FirstMember(std::string_view body) {
	std::size_t at = body.find_first_not_of(" \t\r\n");
	if (at == std::string_view::npos || body[at] != '{')
		return {};
	at = body.find('"', at);
	std::size_t key_end = at == std::string_view::npos ? at : body.find('"', at + 1);
	std::size_t colon = key_end == std::string_view::npos ? key_end : body.find(':', key_end);
	if (colon == std::string_view::npos)
		return {};
	std::string key(body.substr(at + 1, key_end - at - 1));
	std::size_t start = body.find_first_not_of(" \t\r\n", colon + 1);
	if (start == std::string_view::npos || body[start] != '{')
		return {key, {}};
	int depth = 0;
	bool in_string = false;
	for (std::size_t i = start; i < body.size(); ++i) {
		const char c = body[i];
		if (in_string) {
			if (c == '\\')
				++i;
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '{' || c == '[') {
			++depth;
		} else if ((c == '}' || c == ']') && --depth == 0) {
			return {key, body.substr(start, i + 1 - start)};
		}
	}
	return {key, {}};
}

// An uploadClickConversions reply too long for the HTTP client, cut short (its 2,000 results echo
// every row). Its members come in proto field order (partialFailureError, results, jobId), so the
// failure, if any, is whole at the start.
std::optional<json> ReadCutAdsReply(std::string_view body) {
	auto [key, value] = FirstMember(body);
	if (key == "results" || key == "jobId")
		return json::object(); // no partialFailureError
	if (key == "partialFailureError" && !value.empty()) {
		json failure = json::parse(value.begin(), value.end(), nullptr, false);
		if (failure.is_object())
			return json{{"partialFailureError", std::move(failure)}};
	}
	return std::nullopt;
}

GoogleApi ApiOf(const Destination &destination) {
	try {
		return ReadGoogleSettings(destination).api;
	} catch (const std::exception &) {
		return GoogleApi::kDataManager;
	}
}

} // namespace

BatchOutcome GoogleAdapter::Classify(const Destination &destination, std::size_t batch_size, long http_status,
                                     std::string_view body, const ResponseHeaders &headers) const {
	const json response = json::parse(body.begin(), body.end(), nullptr, false);
	// From another host (an endpoint override), only Google's error structure is quoted.
	const bool own_host = ReachesOwnHost(destination, *this);
	const std::vector<std::string> secrets = CredentialSecrets(destination);
	const json *error = nullptr;
	if (response.is_object()) {
		auto found = response.find("error");
		if (found != response.end() && found->is_object() && (own_host || found->contains("code")))
			error = &*found;
	}
	BatchOutcome outcome;
	const bool ads = ApiOf(destination) == GoogleApi::kAds;
	std::optional<json> cut;
	if (http_status >= 200 && http_status < 300 && ads && response.is_discarded())
		cut = ReadCutAdsReply(body);
	if (cut) {
		outcome = FromAdsSuccess(*cut, batch_size, secrets);
	} else if (http_status >= 200 && http_status < 300 && error == nullptr) {
		if (!response.is_object()) {
			outcome.kind = OutcomeKind::kRetry;
			outcome.message = "HTTP " + std::to_string(http_status) +
			                  " without a JSON object: " + QuotableBody(body, own_host);
		} else if (ads) {
			outcome = FromAdsSuccess(response, batch_size, secrets);
		} else {
			outcome.kind = OutcomeKind::kDelivered; // {"requestId": "..."}; processing is asynchronous
			outcome.trace_id = StringMember(response, "requestId");
		}
	} else if (error != nullptr) {
		outcome = FromError(http_status, *error, batch_size, secrets);
	} else {
		outcome = ByStatus(http_status,
		                   "HTTP " + std::to_string(http_status) + ": " + QuotableBody(body, own_host));
	}
	if (outcome.kind == OutcomeKind::kRetry && headers.retry_after_ms)
		outcome.retry_after_ms = std::max<std::int64_t>(*headers.retry_after_ms, 0);
	outcome.message = OutcomeMessage(outcome.message, secrets);
	outcome.trace_id = OutcomeMessage(outcome.trace_id, secrets, 128);
	return outcome;
}

} // namespace capi::dispatch
