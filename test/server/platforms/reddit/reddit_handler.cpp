#include "server/platforms/reddit/reddit_handler.hpp"

#include "server/platforms/json_access.hpp"
#include "server/platforms/reddit/reddit_event_validator.hpp"

#include <chrono>
#include <stdexcept>
#include <strings.h>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kPrefix = "/api/v3/pixels/";

bool ParsePath(std::string_view path, std::string_view *pixel) {
	if (path.substr(0, kPrefix.size()) != kPrefix) {
		return false;
	}
	path.remove_prefix(kPrefix.size());
	size_t slash = path.find('/');
	if (slash == 0 || slash == std::string_view::npos || path.substr(slash) != "/conversion_events") {
		return false;
	}
	*pixel = path.substr(0, slash);
	return true;
}

bool IsPixelId(std::string_view text) {
	if (text.empty()) {
		return false;
	}
	for (char c : text) {
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
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

HttpResponse ErrorReply(int status, std::string_view reason, std::string_view explanation) {
	return JsonResponse(
	    status, nlohmann::json({{"error", {{"reason", reason}, {"explanation", explanation}}}}).dump());
}

HttpResponse MessageReply(int status, std::string_view message) {
	return JsonResponse(status, nlohmann::json({{"message", message}}).dump());
}

HttpResponse InvalidEvents(const std::vector<std::string> &problems) {
	nlohmann::json invalid = nlohmann::json::array();
	for (const std::string &problem : problems) {
		invalid.push_back({{"error_message", problem}});
	}
	nlohmann::ordered_json reply;
	reply["message"] =
	    "There were " + std::to_string(problems.size()) + " invalid conversion events. None were processed.";
	reply["invalid_events"] = invalid;
	return JsonResponse(400, reply.dump());
}

void Reject(HandlerOutcome *outcome, HttpResponse response) {
	outcome->accepted = false;
	outcome->events.clear();
	outcome->error = std::move(response);
}

} // namespace

bool RedditHandler::Matches(const HttpRequest &request) const {
	std::string_view pixel;
	return ParsePath(request.path, &pixel);
}

void RedditHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	std::string_view pixel;
	ParsePath(request.path, &pixel);
	if (request.method != "POST") {
		return Reject(outcome, MessageReply(405, "Method Not Allowed"));
	}
	const std::string *authorization = request.Header("authorization");
	std::string_view token;
	if (authorization != nullptr && authorization->size() > 7 &&
	    strncasecmp(authorization->c_str(), "Bearer ", 7) == 0) {
		token = std::string_view(*authorization).substr(7);
	}
	if (token.empty() || !context_.AcceptsToken("reddit", token, NowMs())) {
		return Reject(outcome, ErrorReply(401, "UNAUTHORIZED", "Authorization Required"));
	}
	if (!IsPixelId(pixel)) {
		return Reject(outcome, ErrorReply(404, "NOT_FOUND", "Pixel not found"));
	}
	outcome->destination = std::string(pixel);
	const std::string *type = request.Header("content-type");
	if (type == nullptr || type->find("application/json") == std::string::npos) {
		return Reject(outcome, MessageReply(415, "Content-Type must be application/json"));
	}
	element root, data, events;
	if (parser_.parse(request.body.data(), request.body.size(), false).get(root) != simdjson::SUCCESS ||
	    root.type() != element_type::OBJECT) {
		return Reject(outcome, MessageReply(400, "The request body is not a JSON object"));
	}
	if (ObjectOf(root)["data"].get(data) != simdjson::SUCCESS || data.type() != element_type::OBJECT) {
		return Reject(outcome, MessageReply(400, "data is required (an object)"));
	}
	for (simdjson::dom::key_value_pair field : ObjectOf(data)) {
		if (field.key == "test_id") {
			if (field.value.type() != element_type::STRING) {
				return Reject(outcome, MessageReply(400, "data.test_id must be a string"));
			}
			outcome->test_event_code = std::string(StringOf(field.value));
		} else if (field.key == "events") {
			events = field.value;
		} else if (field.key != "partner") {
			return Reject(outcome, MessageReply(400, "data." + std::string(field.key) + " is unknown"));
		}
	}
	if (events.type() != element_type::ARRAY) {
		return Reject(outcome, MessageReply(400, "data.events is required (an array)"));
	}
	simdjson::dom::array list = ArrayOf(events);
	size_t count = list.size();
	if (count == 0 || count > kMaxEventsPerRequest) {
		return Reject(outcome, MessageReply(400, "data.events must hold 1 to 1000 events, not " +
		                                             std::to_string(count)));
	}
	std::vector<std::string> problems;
	outcome->events.reserve(count);
	for (element event : list) {
		AcceptedEvent accepted;
		std::string problem;
		if (ValidateRedditEvent(event, now_unix_s * 1000, &accepted, &problem)) {
			outcome->events.push_back(accepted);
		} else {
			problems.push_back(std::move(problem));
		}
	}
	if (!problems.empty()) {
		return Reject(outcome, InvalidEvents(problems));
	}
	outcome->accepted = true;
}

HttpResponse RedditHandler::SuccessResponse(const HandlerOutcome &outcome) {
	return MessageReply(200, "Successfully processed " + std::to_string(outcome.events.size()) +
	                             " conversion events.");
}

HttpResponse RedditHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	return InvalidEvents({std::string(detail)});
}

HttpResponse RedditHandler::StatusFault(int status) {
	switch (status) {
	case 400:
		return InvalidEvents({"invalid conversion event"});
	case 401:
		return ErrorReply(status, "UNAUTHORIZED", "Authorization Required");
	case 403:
		return ErrorReply(status, "FORBIDDEN", "You are not allowed to use this pixel");
	case 404:
		return ErrorReply(status, "NOT_FOUND", "Pixel not found");
	case 429:
		return ErrorReply(status, "TOO_MANY_REQUESTS", "Too Many Requests");
	default:
		return ErrorReply(status, "INTERNAL_SERVER_ERROR", "Something went wrong");
	}
}

HttpResponse RedditHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object() || (!spec.contains("reason") && !spec.contains("message"))) {
		throw std::invalid_argument("reddit_error must be an object with \"reason\" or \"message\"");
	}
	try {
		int http_status = status > 0 ? status : spec.value("status", 400);
		if (spec.contains("reason")) {
			return ErrorReply(http_status, spec["reason"].get<std::string>(),
			                  spec.value("explanation", std::string()));
		}
		nlohmann::json body = {{"message", spec["message"].get<std::string>()}};
		if (spec.contains("invalid_events")) {
			body["invalid_events"] = spec["invalid_events"];
		}
		return JsonResponse(http_status, body.dump());
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("reddit_error: ") + e.what());
	}
}

} // namespace capi::testserver
