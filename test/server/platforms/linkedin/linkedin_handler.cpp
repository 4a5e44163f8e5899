#include "server/platforms/linkedin/linkedin_handler.hpp"

#include "server/platforms/json_access.hpp"
#include "server/platforms/linkedin/linkedin_element_validator.hpp"

#include <chrono>
#include <ctime>
#include <map>
#include <stdexcept>
#include <strings.h>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kPath = "/rest/conversionEvents";

bool IsVersionText(std::string_view version) {
	if (version.size() != 6 && !(version.size() == 9 && version[6] == '.')) {
		return false;
	}
	for (size_t i = 0; i < version.size(); ++i) {
		if (i != 6 && (version[i] < '0' || version[i] > '9')) {
			return false;
		}
	}
	return true;
}

bool HeaderIs(const HttpRequest &request, std::string_view name, std::string_view value) {
	const std::string *found = request.Header(name);
	return found != nullptr && found->size() == value.size() &&
	       strncasecmp(found->data(), value.data(), value.size()) == 0;
}

void Reject(HandlerOutcome *outcome, const LinkedInError &error) {
	outcome->accepted = false;
	outcome->error = LinkedInErrorResponse(error);
}

} // namespace

bool LinkedInVersionIsLive(std::string_view version, int64_t now_unix_s) {
	if (!IsVersionText(version)) {
		return false;
	}
	time_t now = static_cast<time_t>(now_unix_s);
	struct tm day;
	gmtime_r(&now, &day);
	const int now_months = (day.tm_year + 1900) * 12 + day.tm_mon;
	const int year = std::stoi(std::string(version.substr(0, 4)));
	const int month = std::stoi(std::string(version.substr(4, 2)));
	if (month < 1 || month > 12) {
		return false;
	}
	const int age = now_months - (year * 12 + month - 1);
	return age >= 0 && (age < 12 || (age == 12 && day.tm_mday < 15));
}

bool LinkedInHandler::Matches(const HttpRequest &request) const {
	return request.path == kPath || request.path == std::string(kPath) + "/";
}

void LinkedInHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	outcome->destination = "conversionEvents";
	if (request.method != "POST") {
		Reject(outcome,
		       {405, 0, "", "Method " + request.method + " is not allowed on /rest/conversionEvents"});
		return;
	}
	const std::string *authorization = request.Header("authorization");
	if (authorization == nullptr || authorization->size() <= 7 ||
	    strncasecmp(authorization->c_str(), "Bearer ", 7) != 0) {
		Reject(outcome, {401, 65604, "EMPTY_ACCESS_TOKEN", "Empty oauth2 access token"});
		return;
	}
	// Tokens expire to the millisecond (POST /__control/oauth {"expire_all": true}): the wall clock in ms.
	const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
	                           std::chrono::system_clock::now().time_since_epoch())
	                           .count();
	if (!context_.AcceptsToken("linkedin", std::string_view(*authorization).substr(7), now_ms)) {
		Reject(outcome, LinkedInErrorForStatus(401));
		return;
	}
	const std::string *version = request.Header("linkedin-version");
	if (version == nullptr || version->empty()) {
		Reject(
		    outcome,
		    {400, 0, "VERSION_MISSING",
		     "A version must be present. Please specify a version by adding the LinkedIn-Version header."});
		return;
	}
	if (!IsVersionText(*version)) {
		Reject(outcome, {400, 0, "INVALID_VERSION_FORMAT", "Invalid version format " + *version});
		return;
	}
	if (!LinkedInVersionIsLive(*version, now_unix_s)) {
		Reject(outcome, LinkedInVersionError(*version));
		return;
	}
	if (!HeaderIs(request, "x-restli-protocol-version", "2.0.0")) {
		Reject(outcome,
		       {400, 0, "", "X-Restli-Protocol-Version 2.0.0 is required on /rest/conversionEvents"});
		return;
	}
	if (!HeaderIs(request, "x-restli-method", "BATCH_CREATE")) {
		Reject(outcome, {400, 0, "", "A list of elements needs the header X-RestLi-Method: BATCH_CREATE"});
		return;
	}
	const std::string *content_type = request.Header("content-type");
	if (content_type == nullptr || strncasecmp(content_type->c_str(), "application/json", 16) != 0) {
		Reject(outcome, {415, 0, "", "Content-Type must be application/json"});
		return;
	}
	element body, elements;
	if (parser_.parse(request.body.data(), request.body.size(), false).get(body) != simdjson::SUCCESS ||
	    body.type() != element_type::OBJECT) {
		Reject(outcome, {400, 0, "", "Malformed JSON in the request body"});
		return;
	}
	if (body["elements"].get(elements) != simdjson::SUCCESS || elements.type() != element_type::ARRAY) {
		Reject(outcome, {422, 0, "",
		                 "ERROR :: /elements :: field is required but not found and has no default value\n"});
		return;
	}
	const size_t count = ArrayOf(elements).size();
	if (count == 0 || count > kMaxElements) {
		Reject(outcome,
		       {400, 0, "", "A BATCH_CREATE takes 1 to 5000 elements, got " + std::to_string(count)});
		return;
	}
	std::map<size_t, std::vector<std::string>> problems;
	size_t index = 0;
	for (element item : ArrayOf(elements)) {
		std::vector<std::string> found = LinkedInElementProblems(item, now_unix_s * 1000);
		if (!found.empty()) {
			problems.emplace(index, std::move(found));
		} else if (problems.empty()) {
			AcceptedEvent event;
			event.event_name = StringOf(item["conversion"].value_unsafe());
			element id;
			if (item["eventId"].get(id) == simdjson::SUCCESS) {
				event.event_id = StringOf(id);
			}
			event.event_time = int64_t(item["conversionHappenedAt"].value_unsafe());
			event.json = item;
			outcome->events.push_back(event);
		}
		++index;
	}
	if (!problems.empty()) {
		outcome->events.clear();
		outcome->accepted = false;
		outcome->error = LinkedInValidationResponse(problems);
		return;
	}
	outcome->accepted = true;
}

HttpResponse LinkedInHandler::SuccessResponse(const HandlerOutcome &outcome) {
	HttpResponse response;
	response.body.reserve(16 + outcome.events.size() * 15);
	response.body.append("{\"elements\":[");
	for (size_t i = 0; i < outcome.events.size(); ++i) {
		response.body.append(i == 0 ? "{\"status\":201}" : ",{\"status\":201}");
	}
	response.body.append("]}");
	return response;
}

HttpResponse LinkedInHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	return LinkedInValidationResponse({{index, {"/eventId :: " + std::string(detail)}}});
}

HttpResponse LinkedInHandler::StatusFault(int status) {
	return LinkedInErrorResponse(LinkedInErrorForStatus(status));
}

HttpResponse LinkedInHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object()) {
		throw std::invalid_argument("linkedin_error must be an object");
	}
	try {
		if (spec.contains("index")) {
			const size_t index = spec["index"].get<size_t>();
			return LinkedInValidationResponse(
			    {{index,
			      {spec.value("message", std::string("/user/userIds :: injected validation error"))}}});
		}
		LinkedInError error = LinkedInErrorForStatus(status > 0 ? status : spec.value("status", 400));
		error.status = status > 0 ? status : spec.value("status", error.status);
		error.code = spec.value("code", error.code);
		error.service_error_code = spec.value("serviceErrorCode", error.service_error_code);
		error.message = spec.value("message", error.message);
		return LinkedInErrorResponse(error);
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("linkedin_error: ") + e.what());
	}
}

} // namespace capi::testserver
