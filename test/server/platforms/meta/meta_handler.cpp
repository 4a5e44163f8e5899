#include "server/platforms/meta/meta_handler.hpp"

#include "server/http/url_encoding.hpp"
#include "server/platforms/json_access.hpp"
#include "server/platforms/meta/meta_event_validator.hpp"
#include "server/platforms/trace_id.hpp"

#include <stdexcept>
#include <strings.h>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

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

// "v25.0"
bool IsGraphVersion(std::string_view version) {
	if (version.size() < 4 || version[0] != 'v') {
		return false;
	}
	size_t dot = version.find('.');
	return dot != std::string_view::npos && IsDigits(version.substr(1, dot - 1)) &&
	       IsDigits(version.substr(dot + 1));
}

// "/v25.0/<object id>/events" (a trailing slash is tolerated). Returns the object id.
bool ParseMetaPath(std::string_view path, std::string_view *object_id) {
	if (path.size() < 2 || path[0] != '/') {
		return false;
	}
	path.remove_prefix(1);
	size_t slash = path.find('/');
	if (slash == std::string_view::npos || !IsGraphVersion(path.substr(0, slash))) {
		return false;
	}
	path.remove_prefix(slash + 1);
	slash = path.find('/');
	if (slash == 0 || slash == std::string_view::npos) {
		return false;
	}
	std::string_view edge = path.substr(slash + 1);
	if (edge != "events" && edge != "events/") {
		return false;
	}
	*object_id = path.substr(0, slash);
	return true;
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
	return text.size() >= prefix.size() && strncasecmp(text.data(), prefix.data(), prefix.size()) == 0;
}

bool TokenFromRequestLine(const HttpRequest &request, std::string *token) {
	std::string_view raw;
	if (FindFormParam(request.query, "access_token", &raw)) {
		return PercentDecode(raw, token);
	}
	const std::string *authorization = request.Header("authorization");
	if (authorization != nullptr) {
		std::string_view value = *authorization;
		for (std::string_view scheme : {std::string_view("Bearer "), std::string_view("OAuth ")}) {
			if (StartsWithNoCase(value, scheme)) {
				*token = std::string(value.substr(scheme.size()));
				return true;
			}
		}
	}
	return false;
}

enum class BodyKind { kJson, kForm, kUnsupported };

BodyKind ClassifyBody(const HttpRequest &request) {
	if (const std::string *type = request.Header("content-type")) {
		if (type->find("application/json") != std::string::npos) {
			return BodyKind::kJson;
		}
		if (type->find("application/x-www-form-urlencoded") != std::string::npos) {
			return BodyKind::kForm;
		}
		if (type->find("multipart/") != std::string::npos) {
			return BodyKind::kUnsupported;
		}
	}
	for (char c : request.body.view()) {
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			return c == '{' ? BodyKind::kJson : BodyKind::kForm;
		}
	}
	return BodyKind::kForm;
}

GraphError ParamError(std::string message) {
	GraphError error;
	error.message = std::move(message);
	error.is_transient = 0;
	return error;
}

GraphError EventError(size_t index, const MetaEventProblem &problem) {
	std::string where = "Event data[" + std::to_string(index) + "]: ";
	if (problem.error_subcode == 2804003) {
		GraphError error = EventTooOldError(problem.max_age_days);
		error.error_user_msg += " " + where + problem.detail + ".";
		return error;
	}
	GraphError error = ParamError("Invalid parameter");
	error.error_user_title = problem.title;
	error.error_user_msg = where + problem.detail + ".";
	return error;
}

} // namespace

MetaHandler::MetaHandler(const MetaOptions &options)
    : tokens_(options.tokens.begin(), options.tokens.end()),
      pixels_(options.pixels.begin(), options.pixels.end()) {}

bool MetaHandler::Matches(const HttpRequest &request) const {
	std::string_view object_id;
	return ParseMetaPath(request.path, &object_id);
}

void MetaHandler::Reject(HandlerOutcome *outcome, const GraphError &error) {
	outcome->accepted = false;
	outcome->error = GraphErrorResponse(error);
}

void MetaHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	std::string_view object_id;
	ParseMetaPath(request.path, &object_id);
	if (request.method != "POST") {
		std::string method = request.method;
		for (char &c : method) {
			c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
		return Reject(outcome, UnsupportedRequestError(method, std::string(object_id)));
	}
	if (!IsDigits(object_id) || (!pixels_.empty() && pixels_.count(std::string(object_id)) == 0)) {
		return Reject(outcome, UnsupportedRequestError("post", std::string(object_id)));
	}
	outcome->destination = std::string(object_id);

	std::string token;
	bool token_in_url = TokenFromRequestLine(request, &token);
	if (token_in_url && !token.empty() && !tokens_.empty() && tokens_.count(token) == 0) {
		return Reject(outcome, GraphErrorForCode(190));
	}
	element data;
	switch (ClassifyBody(request)) {
	case BodyKind::kJson:
		if (!ParseJsonBody(request, token_in_url ? nullptr : &token, &data, outcome)) {
			return;
		}
		break;
	case BodyKind::kForm:
		if (!ParseFormBody(request, token_in_url ? nullptr : &token, &data, outcome)) {
			return;
		}
		break;
	case BodyKind::kUnsupported:
		return Reject(outcome,
		              ParamError("(#100) multipart bodies are not supported by capi_test_server; send "
		                         "JSON or application/x-www-form-urlencoded"));
	}
	if (token.empty()) {
		return Reject(outcome, GraphErrorForCode(104));
	}
	if (!tokens_.empty() && tokens_.count(token) == 0) {
		return Reject(outcome, GraphErrorForCode(190));
	}

	if (data.type() != element_type::ARRAY) {
		return Reject(outcome, ParamError("(#100) param data must be an array."));
	}
	simdjson::dom::array events = ArrayOf(data);
	size_t count = events.size();
	if (count == 0) {
		return Reject(outcome, ParamError("(#100) param data must be a non-empty array of events."));
	}
	if (count > kMaxEventsPerRequest) {
		GraphError error = ParamError("(#100) param data must contain at most 1000 events.");
		error.error_user_title = "Too Many Events";
		error.error_user_msg =
		    "You can send up to 1000 events in data; this request has " + std::to_string(count) + ".";
		return Reject(outcome, error);
	}
	outcome->events.reserve(count);
	size_t index = 0;
	for (element event : events) {
		outcome->events.emplace_back();
		MetaEventProblem problem;
		if (!ValidateMetaEvent(event, now_unix_s, &outcome->events.back(), &outcome->id_storage, &problem)) {
			outcome->events.clear();
			return Reject(outcome, EventError(index, problem));
		}
		++index;
	}
	outcome->accepted = true;
}

bool MetaHandler::ParseJsonBody(const HttpRequest &request, std::string *token, element *data,
                                HandlerOutcome *outcome) {
	element root;
	simdjson::error_code error =
	    body_parser_.parse(request.body.data(), request.body.size(), false).get(root);
	if (error != simdjson::SUCCESS) {
		Reject(outcome, ParamError(std::string("(#100) The request body is not valid JSON: ") +
		                           simdjson::error_message(error)));
		return false;
	}
	if (root.type() != element_type::OBJECT) {
		Reject(outcome, ParamError("(#100) The request body must be a JSON object."));
		return false;
	}
	bool has_data = false;
	for (simdjson::dom::key_value_pair field : ObjectOf(root)) {
		if (field.key == "data") {
			*data = field.value;
			has_data = true;
		} else if (field.key == "test_event_code") {
			if (field.value.type() != element_type::STRING) {
				Reject(outcome, ParamError("(#100) param test_event_code must be a string."));
				return false;
			}
			outcome->test_event_code = std::string(StringOf(field.value));
		} else if (field.key == "access_token" && token != nullptr &&
		           field.value.type() == element_type::STRING) {
			*token = std::string(StringOf(field.value));
		}
	}
	if (!has_data) {
		Reject(outcome, ParamError("(#100) The parameter data is required"));
		return false;
	}
	if (data->type() == element_type::STRING) {
		return ParseDataString(StringOf(*data), data_parser_, data, outcome);
	}
	return true;
}

bool MetaHandler::ParseFormBody(const HttpRequest &request, std::string *token, element *data,
                                HandlerOutcome *outcome) {
	std::string_view form = request.body.view();
	std::string_view raw;
	if (token != nullptr && FindFormParam(form, "access_token", &raw) && !PercentDecode(raw, token)) {
		token->clear();
	}
	if (FindFormParam(form, "test_event_code", &raw) && !PercentDecode(raw, &outcome->test_event_code)) {
		Reject(outcome, ParamError("(#100) param test_event_code is not correctly URL-encoded."));
		return false;
	}
	if (!FindFormParam(form, "data", &raw)) {
		Reject(outcome, ParamError("(#100) The parameter data is required"));
		return false;
	}
	decoded_.resize(raw.size());
	long length = PercentDecode(raw, decoded_.data());
	if (length < 0) {
		Reject(outcome, ParamError("(#100) param data is not correctly URL-encoded."));
		return false;
	}
	decoded_.resize(static_cast<size_t>(length));
	simdjson::error_code error = body_parser_.parse(decoded_.data(), decoded_.size(), false).get(*data);
	if (error != simdjson::SUCCESS) {
		Reject(outcome, ParamError(std::string("(#100) param data must be a JSON array: ") +
		                           simdjson::error_message(error)));
		return false;
	}
	return true;
}

bool MetaHandler::ParseDataString(std::string_view json, simdjson::dom::parser &parser, element *data,
                                  HandlerOutcome *outcome) {
	decoded_.clear();
	decoded_.append(json.data(), json.size());
	simdjson::error_code error = parser.parse(decoded_.data(), decoded_.size(), false).get(*data);
	if (error != simdjson::SUCCESS) {
		Reject(outcome, ParamError(std::string("(#100) param data must be a JSON array: ") +
		                           simdjson::error_message(error)));
		return false;
	}
	return true;
}

HttpResponse MetaHandler::SuccessResponse(const HandlerOutcome &outcome) {
	HttpResponse response;
	response.body.reserve(96);
	response.body.append("{\"events_received\":");
	response.body.append(std::to_string(outcome.events.size()));
	response.body.append(",\"messages\":[],\"fbtrace_id\":\"");
	response.body.append(RandomTraceId());
	response.body.append("\"}");
	return response;
}

HttpResponse MetaHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	GraphError error = ParamError("Invalid parameter");
	error.error_user_title = "Invalid Event";
	error.error_user_msg = "Event data[" + std::to_string(index) + "]: " + std::string(detail) + ".";
	return GraphErrorResponse(error);
}

HttpResponse MetaHandler::StatusFault(int status) {
	int code = 1;
	switch (status) {
	case 400:
		code = 100;
		break;
	case 401:
		code = 190;
		break;
	case 403:
		code = 200;
		break;
	case 429:
		code = 4;
		break;
	case 502:
	case 503:
	case 504:
		code = 2;
		break;
	default:
		code = 1;
		break;
	}
	GraphError error = GraphErrorForCode(code);
	error.http_status = status;
	return GraphErrorResponse(error);
}

HttpResponse MetaHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object() || !spec.contains("code") || !spec["code"].is_number_integer()) {
		throw std::invalid_argument("meta_error must be an object with an integer \"code\"");
	}
	try {
		int code = spec["code"].get<int>();
		int subcode = spec.value("error_subcode", 0);
		GraphError error = code == 100 && subcode == 2804003 ? EventTooOldError(7) : GraphErrorForCode(code);
		error.error_subcode = subcode;
		if (spec.contains("is_transient")) {
			error.is_transient = spec["is_transient"].get<bool>() ? 1 : 0;
		}
		error.message = spec.value("message", error.message);
		error.type = spec.value("type", error.type);
		error.error_user_title = spec.value("error_user_title", error.error_user_title);
		error.error_user_msg = spec.value("error_user_msg", error.error_user_msg);
		error.http_status = spec.value("status", error.http_status);
		if (status > 0) {
			error.http_status = status;
		}
		return GraphErrorResponse(error);
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("meta_error: ") + e.what());
	}
}

} // namespace capi::testserver
