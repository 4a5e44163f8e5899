#include "server/platforms/pinterest/pinterest_handler.hpp"

#include "server/http/url_encoding.hpp"
#include "server/platforms/json_access.hpp"
#include "server/platforms/pinterest/pinterest_event_validator.hpp"

#include <chrono>
#include <stdexcept>
#include <strings.h>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kPrefix = "/v5/ad_accounts/";

// "/v5/ad_accounts/<id>/events": the ad account id.
bool ParsePath(std::string_view path, std::string_view *account) {
	if (path.substr(0, kPrefix.size()) != kPrefix) {
		return false;
	}
	path.remove_prefix(kPrefix.size());
	size_t slash = path.find('/');
	if (slash == 0 || slash == std::string_view::npos || path.substr(slash) != "/events") {
		return false;
	}
	*account = path.substr(0, slash);
	return true;
}

bool IsDigits(std::string_view text) {
	if (text.empty()) {
		return false;
	}
	for (char c : text) {
		if (c < '0' || c > '9') {
			return false;
		}
	}
	return true;
}

int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

void Reject(HandlerOutcome *outcome, HttpResponse response) {
	outcome->accepted = false;
	outcome->events.clear();
	outcome->rejected_events.clear();
	outcome->error = std::move(response);
}

} // namespace

HttpResponse PinterestError(int status, int code, std::string_view message) {
	return JsonResponse(status, nlohmann::json({{"code", code}, {"message", message}}).dump());
}

bool PinterestHandler::Matches(const HttpRequest &request) const {
	std::string_view account;
	return ParsePath(request.path, &account);
}

void PinterestHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	std::string_view account;
	ParsePath(request.path, &account);
	if (request.method != "POST") {
		return Reject(outcome, PinterestError(405, 405, "Method Not Allowed"));
	}
	const std::string *authorization = request.Header("authorization");
	std::string_view token;
	if (authorization != nullptr && authorization->size() > 7 &&
	    strncasecmp(authorization->c_str(), "Bearer ", 7) == 0) {
		token = std::string_view(*authorization).substr(7);
	}
	if (token.empty() || !context_.AcceptsToken("pinterest", token, NowMs())) {
		return Reject(outcome, PinterestError(401, 2, "Authentication failed."));
	}
	if (!IsDigits(account)) {
		return Reject(outcome, PinterestError(404, 2609, "Ad account not found."));
	}
	outcome->destination = std::string(account);
	std::string_view raw;
	if (FindFormParam(request.query, "test", &raw)) {
		if (raw != "true" && raw != "false") {
			return Reject(outcome, PinterestError(400, 1, "Invalid parameters: test must be true or false"));
		}
		if (raw == "true") {
			outcome->test_event_code = "test";
		}
	}
	const std::string *type = request.Header("content-type");
	if (type == nullptr || type->find("application/json") == std::string::npos) {
		return Reject(outcome, PinterestError(415, 415, "Unsupported Media Type: send application/json"));
	}
	element root;
	if (parser_.parse(request.body.data(), request.body.size(), false).get(root) != simdjson::SUCCESS ||
	    root.type() != element_type::OBJECT) {
		return Reject(outcome, PinterestError(400, 1, "Invalid request body: not a JSON object"));
	}
	element data;
	if (ObjectOf(root)["data"].get(data) != simdjson::SUCCESS || data.type() != element_type::ARRAY) {
		return Reject(outcome, PinterestError(400, 1, "Invalid request body: data is required (an array)"));
	}
	simdjson::dom::array events = ArrayOf(data);
	size_t count = events.size();
	if (count == 0 || count > kMaxEventsPerRequest) {
		return Reject(outcome, PinterestError(400, 1,
		                                      "Invalid request body: data must hold 1 to 1000 events, not " +
		                                          std::to_string(count)));
	}
	outcome->events.reserve(count);
	size_t index = 0;
	for (element event : events) {
		AcceptedEvent accepted;
		PinterestEventProblem problem;
		if (ValidatePinterestEvent(event, now_unix_s, &accepted, &problem)) {
			outcome->events.push_back(accepted);
		} else if (problem.schema) {
			return Reject(outcome, PinterestError(400, 1,
			                                      "Invalid request body: data[" + std::to_string(index) +
			                                          "]." + problem.detail));
		} else {
			outcome->rejected_events.push_back(RejectedEvent{index, problem.detail});
		}
		++index;
	}
	outcome->accepted = true;
}

HttpResponse PinterestHandler::SuccessResponse(const HandlerOutcome &outcome) {
	// Pinterest's order: the counts first, then one status per event in request order.
	size_t total = outcome.events.size() + outcome.rejected_events.size();
	nlohmann::ordered_json reply;
	reply["num_events_received"] = total;
	reply["num_events_processed"] = outcome.events.size();
	nlohmann::ordered_json &events = reply["events"] = nlohmann::ordered_json::array();
	size_t next_rejected = 0;
	for (size_t i = 0; i < total; ++i) {
		nlohmann::ordered_json event;
		if (next_rejected < outcome.rejected_events.size() &&
		    outcome.rejected_events[next_rejected].index == i) {
			event["status"] = "failed";
			event["error_message"] = outcome.rejected_events[next_rejected].message;
			++next_rejected;
		} else {
			event["status"] = "processed";
			event["error_message"] = nullptr;
		}
		event["warning_message"] = nullptr;
		events.push_back(std::move(event));
	}
	return JsonResponse(200, reply.dump());
}

HttpResponse PinterestHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	return PinterestError(
	    400, 1, "Invalid request body: data[" + std::to_string(index) + "]: " + std::string(detail));
}

HttpResponse PinterestHandler::StatusFault(int status) {
	switch (status) {
	case 400:
		return PinterestError(status, 1, "Invalid request body");
	case 401:
		return PinterestError(status, 2, "Authentication failed.");
	case 403:
		return PinterestError(status, 29, "You are not permitted to access that resource.");
	case 404:
		return PinterestError(status, 2609, "Ad account not found.");
	case 429:
		return PinterestError(status, 8, "You have exceeded your rate limit. Try again later.");
	case 503:
		return PinterestError(
		    status, 0, "The endpoint has been ramped down and is currently not accepting any traffic.");
	default:
		return PinterestError(status, 0, "Something went wrong on our end. Sorry about that.");
	}
}

HttpResponse PinterestHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object() || !spec.contains("code") || !spec["code"].is_number_integer()) {
		throw std::invalid_argument("pinterest_error must be an object with an integer \"code\"");
	}
	try {
		int http_status = status > 0 ? status : spec.value("status", 400);
		return PinterestError(http_status, spec["code"].get<int>(),
		                      spec.value("message", std::string("Error")));
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("pinterest_error: ") + e.what());
	}
}

} // namespace capi::testserver
