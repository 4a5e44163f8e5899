#include "server/platforms/tiktok/tiktok_handler.hpp"

#include "server/platforms/json_access.hpp"
#include "server/platforms/tiktok/tiktok_event_validator.hpp"
#include "server/platforms/trace_id.hpp"

#include <stdexcept>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kPath = "/open_api/v1.3/event/track/";

constexpr int64_t kParameterError = 40002;
constexpr int64_t kTokenMissing = 40104;
constexpr int64_t kTokenInvalid = 40105;

bool IsEventSource(std::string_view source) {
	return source == "web" || source == "app" || source == "offline" || source == "crm";
}

bool IsAlphanumeric(std::string_view text) {
	if (text.empty() || text.size() > 64) {
		return false;
	}
	for (char c : text) {
		if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
			return false;
		}
	}
	return true;
}

std::string UsualMessage(int64_t code) {
	switch (code) {
	case 0:
		return "OK";
	case 40001:
		return "No permission to operate the event source. Please check your authorization.";
	case 40002:
		return "Invalid parameters.";
	case 40100:
		return "Too many requests. Please retry in some time.";
	case 40102:
		return "Access token has expired.";
	case 40104:
		return "Access token is null, please check your request.";
	case 40105:
		return "Access token is incorrect or has been revoked.";
	case 50000:
		return "System error. Please try again later.";
	default:
		return "Error.";
	}
}

} // namespace

HttpResponse TikTokHandler::Reply(int64_t code, std::string_view message, int status) {
	nlohmann::json body = {{"code", code},
	                       {"message", message},
	                       {"request_id", RandomTraceId()},
	                       {"data", nlohmann::json::object()}};
	return JsonResponse(status, body.dump());
}

bool TikTokHandler::Matches(const HttpRequest &request) const {
	return request.path == kPath || request.path == kPath.substr(0, kPath.size() - 1);
}

void TikTokHandler::Reject(HandlerOutcome *outcome, int64_t code, std::string_view message) {
	outcome->accepted = false;
	outcome->events.clear();
	outcome->error = Reply(code, message);
}

void TikTokHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	if (request.method != "POST") {
		outcome->accepted = false;
		outcome->error = Reply(40000, "Method " + request.method + " is not allowed.", 405);
		return;
	}
	const std::string *token = request.Header("access-token");
	if (token == nullptr || token->empty()) {
		return Reject(outcome, kTokenMissing, UsualMessage(kTokenMissing));
	}
	if (!context_.AcceptsToken(name(), *token, now_unix_s * 1000)) {
		return Reject(outcome, kTokenInvalid, UsualMessage(kTokenInvalid));
	}
	const std::string *type = request.Header("content-type");
	if (type == nullptr || type->find("application/json") == std::string::npos) {
		return Reject(outcome, kParameterError, "Content-Type must be application/json.");
	}
	element root;
	simdjson::error_code error = parser_.parse(request.body.data(), request.body.size(), false).get(root);
	if (error != simdjson::SUCCESS || root.type() != element_type::OBJECT) {
		return Reject(outcome, kParameterError, "The request body must be a JSON object.");
	}
	bool has_source = false, has_data = false;
	element data;
	for (simdjson::dom::key_value_pair field : ObjectOf(root)) {
		std::string_view key = field.key;
		if (key == "event_source") {
			if (field.value.type() != element_type::STRING || !IsEventSource(StringOf(field.value))) {
				return Reject(outcome, kParameterError,
				              "event_source: Must be one of: web, app, offline, crm.");
			}
			has_source = true;
		} else if (key == "event_source_id") {
			if (field.value.type() != element_type::STRING || !IsAlphanumeric(StringOf(field.value))) {
				return Reject(outcome, kParameterError, "event_source_id: Not a valid event source id.");
			}
			outcome->destination = std::string(StringOf(field.value));
		} else if (key == "test_event_code") {
			if (field.value.type() != element_type::STRING) {
				return Reject(outcome, kParameterError, "test_event_code: Not a valid string.");
			}
			outcome->test_event_code = std::string(StringOf(field.value));
		} else if (key == "data") {
			data = field.value;
			has_data = true;
		} else if (key != "partner_name") {
			return Reject(outcome, kParameterError, std::string(key) + ": Unknown field.");
		}
	}
	if (!has_source) {
		return Reject(outcome, kParameterError, "event_source: Missing data for required field.");
	}
	if (outcome->destination.empty()) {
		return Reject(outcome, kParameterError, "event_source_id: Missing data for required field.");
	}
	if (!has_data || data.type() != element_type::ARRAY) {
		return Reject(outcome, kParameterError, "data: Missing data for required field.");
	}
	simdjson::dom::array events = ArrayOf(data);
	size_t count = events.size();
	if (count == 0 || count > kMaxEventsPerRequest) {
		return Reject(outcome, kParameterError, "data: Length must be between 1 and 1000.");
	}
	outcome->events.reserve(count);
	size_t index = 0;
	std::string problem;
	for (element event : events) {
		outcome->events.emplace_back();
		if (!ValidateTikTokEvent(event, now_unix_s, kMaxFutureS, &outcome->events.back(), &problem)) {
			return Reject(outcome, kParameterError, "Batch." + std::to_string(index) + "." + problem);
		}
		++index;
	}
	outcome->accepted = true;
}

HttpResponse TikTokHandler::SuccessResponse(const HandlerOutcome &outcome) {
	return Reply(0, "OK");
}

HttpResponse TikTokHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	return Reply(kParameterError,
	             "Batch." + std::to_string(index) + ".event_id: " + std::string(detail) + ".");
}

HttpResponse TikTokHandler::StatusFault(int status) {
	switch (status) {
	case 401:
		return Reply(kTokenInvalid, UsualMessage(kTokenInvalid), status);
	case 429:
		return Reply(40100, UsualMessage(40100), status);
	default:
		if (status >= 500) {
			return Reply(50000, UsualMessage(50000), status);
		}
		return Reply(kParameterError, UsualMessage(kParameterError), status);
	}
}

HttpResponse TikTokHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object() || !spec.contains("code") || !spec["code"].is_number_integer()) {
		throw std::invalid_argument("tiktok_error must be an object with an integer \"code\"");
	}
	try {
		int64_t code = spec["code"].get<int64_t>();
		std::string message = spec.value("message", UsualMessage(code));
		int http_status = status > 0 ? status : spec.value("status", 200);
		return Reply(code, message, http_status);
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("tiktok_error: ") + e.what());
	}
}

} // namespace capi::testserver
