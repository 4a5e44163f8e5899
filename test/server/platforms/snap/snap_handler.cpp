#include "server/platforms/snap/snap_handler.hpp"

#include "server/http/url_encoding.hpp"
#include "server/platforms/json_access.hpp"
#include "server/platforms/snap/snap_event_validator.hpp"

#include <stdexcept>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kPrefix = "/v3/";
constexpr std::string_view kEvents = "/events";
constexpr std::string_view kValidate = "/events/validate";
// The test_event_code of a request to the validate endpoint (counted as test events).
constexpr char kValidateMarker[] = "validate";
constexpr char kUnauthorized[] = "Unauthorized: the access token is missing, invalid or expired";

bool IsPixelId(std::string_view id) {
	if (id.empty() || id.size() > 64) {
		return false;
	}
	for (char c : id) {
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-')) {
			return false;
		}
	}
	return true;
}

// The pixel id of /v3/{pixel_id}/events[/validate], and whether it is the validate endpoint.
bool SplitPath(std::string_view path, std::string_view *pixel, bool *validate) {
	if (path.compare(0, kPrefix.size(), kPrefix) != 0) {
		return false;
	}
	std::string_view rest = path.substr(kPrefix.size());
	size_t slash = rest.find('/');
	if (slash == std::string_view::npos || slash == 0) {
		return false;
	}
	std::string_view tail = rest.substr(slash);
	if (tail != kEvents && tail != kValidate) {
		return false;
	}
	*pixel = rest.substr(0, slash);
	*validate = tail == kValidate;
	return true;
}

} // namespace

HttpResponse SnapHandler::Invalid(int status, std::string_view reason, std::optional<size_t> event,
                                  std::string_view code) {
	nlohmann::json body = {{"status", "INVALID"}, {"reason", reason}};
	if (event) {
		body["event"] = *event;
	}
	body["errors"] = {{"codes", {code}}, {"error_msgs", {reason}}};
	return JsonResponse(status, body.dump());
}

bool SnapHandler::Matches(const HttpRequest &request) const {
	std::string_view pixel;
	bool validate = false;
	return SplitPath(request.path, &pixel, &validate);
}

void SnapHandler::Reject(HandlerOutcome *outcome, int status, std::string_view reason,
                         std::optional<size_t> event) {
	outcome->accepted = false;
	outcome->events.clear();
	outcome->error = Invalid(status, reason, event, status == 401 ? "UNAUTHORIZED" : "INVALID_REQUEST");
}

void SnapHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	std::string_view pixel;
	bool validate = false;
	SplitPath(request.path, &pixel, &validate);
	if (request.method != "POST") {
		return Reject(outcome, 405, "Method " + request.method + " is not allowed");
	}
	std::string_view raw_token;
	std::string token;
	if (!FindFormParam(request.query, "access_token", &raw_token) || !PercentDecode(raw_token, &token) ||
	    !context_.AcceptsToken(name(), token, now_unix_s * 1000)) {
		return Reject(outcome, 401, kUnauthorized);
	}
	if (!IsPixelId(pixel)) {
		return Reject(outcome, 400, "Invalid pixel id in the path");
	}
	outcome->destination = std::string(pixel);
	if (validate) {
		outcome->test_event_code = kValidateMarker;
	}
	const std::string *type = request.Header("content-type");
	if (type == nullptr || type->find("application/json") == std::string::npos) {
		return Reject(outcome, 415, "Content-Type must be application/json");
	}
	element root;
	simdjson::error_code error = parser_.parse(request.body.data(), request.body.size(), false).get(root);
	if (error != simdjson::SUCCESS || root.type() != element_type::OBJECT) {
		return Reject(outcome, 400, "The request body must be a JSON object");
	}
	element data;
	bool has_data = false;
	for (simdjson::dom::key_value_pair field : ObjectOf(root)) {
		if (field.key != "data") {
			return Reject(outcome, 400, std::string(field.key) + ": unknown field");
		}
		data = field.value;
		has_data = true;
	}
	if (!has_data || data.type() != element_type::ARRAY) {
		return Reject(outcome, 400, "data: is required and must be an array of events");
	}
	simdjson::dom::array events = ArrayOf(data);
	size_t count = events.size();
	if (count == 0 || count > kMaxEventsPerRequest) {
		return Reject(outcome, 400, "data: must hold between 1 and 2000 events");
	}
	SnapEventLimits limits{now_unix_s, kMaxAgeS, kMaxFutureS};
	outcome->events.reserve(count);
	size_t index = 0;
	std::string problem;
	for (element event : events) {
		outcome->events.emplace_back();
		if (!ValidateSnapEvent(event, limits, &outcome->events.back(), &problem)) {
			return Reject(outcome, 400, problem, index);
		}
		++index;
	}
	outcome->accepted = true;
}

HttpResponse SnapHandler::SuccessResponse(const HandlerOutcome &outcome) {
	nlohmann::json body = {{"status", "VALID"}, {"reason", ""}};
	if (outcome.test_event_code == kValidateMarker) {
		nlohmann::json logs = nlohmann::json::array();
		for (const AcceptedEvent &event : outcome.events) {
			logs.push_back(
			    {{"event_name", event.event_name}, {"event_id", event.event_id}, {"status", "VALID"}});
		}
		body["test_event"] = true;
		body["event_logs"] = std::move(logs);
	}
	return JsonResponse(200, body.dump());
}

HttpResponse SnapHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	return Invalid(400, "event_id: " + std::string(detail), index);
}

HttpResponse SnapHandler::StatusFault(int status) {
	switch (status) {
	case 401:
		return Invalid(status, kUnauthorized, std::nullopt, "UNAUTHORIZED");
	case 429:
		return Invalid(status, "Too many requests, please retry later", std::nullopt, "RATE_LIMITED");
	default:
		if (status >= 500) {
			return Invalid(status, "Internal server error, please retry later", std::nullopt,
			               "INTERNAL_ERROR");
		}
		return Invalid(status, "Invalid request");
	}
}

// {"snap_error": {"reason": "...", "event": N?, "code": "..."?}}; HTTP 400 unless the rule gives a status.
HttpResponse SnapHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object() || !spec.contains("reason") || !spec["reason"].is_string()) {
		throw std::invalid_argument("snap_error must be an object with a string \"reason\"");
	}
	try {
		std::optional<size_t> event;
		if (spec.contains("event")) {
			event = spec["event"].get<size_t>();
		}
		return Invalid(status > 0 ? status : 400, spec["reason"].get<std::string>(), event,
		               spec.value("code", std::string("INVALID_REQUEST")));
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("snap_error: ") + e.what());
	}
}

} // namespace capi::testserver
