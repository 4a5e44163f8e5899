// LinkedInAdapter::Classify: LinkedIn's answers to outcomes
// (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling). Error bodies are
// {"status": N, "code": "...", "serviceErrorCode": N, "message": "..."}. A BATCH_CREATE is all or
// nothing: a 422 names the bad elements as "Index: N, ERROR :: /path :: problem" lines.
#include "core/platforms/linkedin/linkedin_adapter.hpp"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"

namespace capi::dispatch {
namespace {

using nlohmann::json;

std::string StringMember(const json &object, const char *key) {
	auto found = object.find(key);
	return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool IsDigit(char c) {
	return c >= '0' && c <= '9';
}

std::optional<std::size_t> ReadIndex(std::string_view text, std::size_t at) {
	std::size_t value = 0, i = at;
	while (i < text.size() && i - at < 9 && IsDigit(text[i]))
		value = value * 10 + static_cast<std::size_t>(text[i++] - '0');
	return i > at ? std::optional<std::size_t>(value) : std::nullopt;
}

// "Index: 3, ERROR :: /user/userIds/0/idValue :: invalid\nERROR :: ...\nIndex: 7, ..." -> {3: "...", 7:
// "..."}: each index with its lines. Also "indices [0, 2] (0-indexed)", which LinkedIn sends with a 400.
std::map<std::size_t, std::string> IndexedErrors(std::string_view text, std::size_t batch_size) {
	std::map<std::size_t, std::string> errors;
	std::optional<std::size_t> current;
	std::size_t start = 0;
	while (start <= text.size()) {
		std::size_t end = text.find('\n', start);
		std::string_view line =
		    text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
		if (line.substr(0, 7) == "Index: ") {
			current = ReadIndex(line, 7);
			if (current && *current >= batch_size)
				current.reset();
			if (std::size_t comma = line.find(", "); current && comma != std::string_view::npos)
				line = line.substr(comma + 2);
		}
		if (current && !line.empty()) {
			std::string &message = errors[*current];
			message += (message.empty() ? "" : " | ") + std::string(line);
		}
		if (end == std::string_view::npos)
			break;
		start = end + 1;
	}
	if (std::size_t at = text.find("indices ["); errors.empty() && at != std::string_view::npos) {
		for (std::size_t i = at + 9; i < text.size() && text[i] != ']'; ++i) {
			if (!IsDigit(text[i]) || (i > 0 && IsDigit(text[i - 1])))
				continue;
			if (std::optional<std::size_t> index = ReadIndex(text, i); index && *index < batch_size)
				errors[*index] = std::string(text.substr(0, text.find(", indices [")));
		}
	}
	return errors;
}

BatchOutcome ByStatus(long status) {
	BatchOutcome outcome;
	if (status == 401)
		outcome.kind = OutcomeKind::kAuthFailed;
	else if (status == 403 || status == 404 || status == 426 || (status >= 300 && status < 400))
		outcome.kind = OutcomeKind::kPermanent;
	else if (status == 408 || status == 429 || status >= 500 || status < 200)
		outcome.kind = OutcomeKind::kRetry;
	else
		outcome.kind = OutcomeKind::kRejectedBatch; // 400, 413, 422 naming no element: splitting may help
	return outcome;
}

std::string Hint(long status, std::string_view code) {
	if (code == "REVOKED_ACCESS_TOKEN")
		return " (the member revoked pg_capi's access: authorize again and UPDATE the destination's "
		       "credentials)";
	if (status == 401)
		return " (the access token is invalid or expired: with {client_id, client_secret, refresh_token} "
		       "pg_capi "
		       "refreshes it)";
	if (status == 403)
		return " (the token's member needs a role on the conversion rules' ad account and the rw_conversions "
		       "scope)";
	return {};
}

} // namespace

std::string LinkedInVersionSunsetMessage(const Destination &destination, std::string_view platform_words) {
	std::string version;
	bool configured = false;
	try {
		LinkedInSettings settings = ReadLinkedInSettings(destination);
		version = settings.api_version;
		configured = settings.api_version_configured;
	} catch (const std::exception &) {
		version = "(unknown)";
	}
	std::string message = "LinkedIn-Version " + version + " is no longer served (HTTP 426";
	message += platform_words.empty() ? ")" : ": " + std::string(platform_words) + ")";
	message += ". LinkedIn retires each monthly version about a year after its release "
	           "(https://learn.microsoft.com/en-us/linkedin/marketing/versioning). ";
	message += configured
	               ? "Set config.api_version to a version LinkedIn serves (YYYYMM, released within the "
	                 "last 12 months), or remove it to use pg_capi's default " +
	                     std::string(kLinkedInDefaultApiVersion) + "."
	               : "Set config.api_version to a version LinkedIn serves (YYYYMM, released within the "
	                 "last 12 months), or upgrade pg_capi.";
	return message;
}

BatchOutcome LinkedInAdapter::Classify(const Destination &destination, std::size_t batch_size,
                                       long http_status, std::string_view body,
                                       const ResponseHeaders &headers) const {
	const json response = json::parse(body.begin(), body.end(), nullptr, false);
	// From another host (an endpoint override) only LinkedIn's error structure is quoted, never raw text.
	const bool own_host = ReachesOwnHost(destination, *this);
	const bool structured =
	    response.is_object() && response.contains("message") && (own_host || response.contains("status"));
	const std::string code = structured ? StringMember(response, "code") : std::string();
	const std::string text = structured ? StringMember(response, "message") : std::string();
	std::string words = code.empty() ? text : code + ": " + text;
	if (!structured)
		words = QuotableBody(body, own_host);

	BatchOutcome outcome;
	if (http_status >= 200 && http_status < 300) {
		outcome.kind = OutcomeKind::kDelivered;
		// BATCH_CREATE answers {"elements":[{"status":201}, ...]}; an element with an error status failed.
		auto elements = response.is_object() ? response.find("elements") : response.end();
		if (elements != response.end() && elements->is_array()) {
			for (std::size_t i = 0; i < elements->size() && i < batch_size; ++i) {
				const json &element = (*elements)[i];
				auto status = element.is_object() ? element.find("status") : element.end();
				if (status == element.end() || !status->is_number_integer() || status->get<int>() < 400)
					continue;
				std::string detail = "element status " + std::to_string(status->get<int>());
				if (auto error = element.find("error"); error != element.end() && error->is_object())
					detail += ": " + StringMember(*error, "message");
				outcome.bad_indexes.push_back(i);
				outcome.bad_messages.push_back(OutcomeMessage(detail, CredentialSecrets(destination)));
			}
		}
		if (!outcome.bad_indexes.empty()) {
			outcome.kind = OutcomeKind::kPartial;
			outcome.message = "LinkedIn refused " + std::to_string(outcome.bad_indexes.size()) + " of " +
			                  std::to_string(batch_size) + " elements";
		}
	} else if (http_status == 426) {
		outcome.kind = OutcomeKind::kPermanent;
		outcome.message = LinkedInVersionSunsetMessage(destination, words);
	} else if (http_status == 400 && (code == "VERSION_MISSING" || code == "NONEXISTENT_VERSION")) {
		outcome.kind = OutcomeKind::kPermanent;
		outcome.message = LinkedInVersionSunsetMessage(destination, words);
	} else {
		outcome = ByStatus(http_status);
		outcome.message = "HTTP " + std::to_string(http_status) + ": " + words + Hint(http_status, code);
		if (structured && http_status >= 400 && http_status < 500 && http_status != 401 &&
		    http_status != 403 && http_status != 404 && http_status != 408 && http_status != 429) {
			for (auto &[index, message] : IndexedErrors(text, batch_size)) {
				outcome.bad_indexes.push_back(index);
				outcome.bad_messages.push_back(OutcomeMessage(
				    "HTTP " + std::to_string(http_status) + ": " + message, CredentialSecrets(destination)));
			}
			if (!outcome.bad_indexes.empty())
				outcome.kind = OutcomeKind::kRejectedEvents;
		}
	}
	if (outcome.kind == OutcomeKind::kRetry && headers.retry_after_ms)
		outcome.retry_after_ms = std::max<std::int64_t>(*headers.retry_after_ms, 0);
	outcome.message = OutcomeMessage(outcome.message, CredentialSecrets(destination));
	return outcome;
}

} // namespace capi::dispatch
