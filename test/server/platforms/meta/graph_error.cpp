#include "server/platforms/meta/graph_error.hpp"

#include "core/dispatch/json_writer.hpp"
#include "server/platforms/trace_id.hpp"

namespace capi::testserver {

HttpResponse GraphErrorResponse(const GraphError &error) {
	HttpResponse response;
	response.status = error.http_status;
	std::string &body = response.body;
	body.reserve(256 + error.message.size() + error.error_user_msg.size());
	body.append("{\"error\":{\"message\":");
	dispatch::AppendJsonString(&body, error.message);
	body.append(",\"type\":");
	dispatch::AppendJsonString(&body, error.type);
	body.append(",\"code\":");
	body.append(std::to_string(error.code));
	if (error.error_subcode != 0) {
		body.append(",\"error_subcode\":");
		body.append(std::to_string(error.error_subcode));
	}
	if (error.is_transient >= 0) {
		body.append(error.is_transient ? ",\"is_transient\":true" : ",\"is_transient\":false");
	}
	if (!error.error_user_title.empty()) {
		body.append(",\"error_user_title\":");
		dispatch::AppendJsonString(&body, error.error_user_title);
	}
	if (!error.error_user_msg.empty()) {
		body.append(",\"error_user_msg\":");
		dispatch::AppendJsonString(&body, error.error_user_msg);
	}
	body.append(",\"fbtrace_id\":\"");
	body.append(RandomTraceId());
	body.append("\"}}");
	return response;
}

GraphError GraphErrorForCode(int code) {
	GraphError error;
	error.code = code;
	error.is_transient = 0;
	switch (code) {
	case 1:
		error.http_status = 500;
		error.message = "An unknown error occurred";
		error.is_transient = 1;
		break;
	case 2:
		error.http_status = 503;
		error.message = "An unexpected error has occurred. Please retry your request later.";
		error.is_transient = 1;
		break;
	case 4:
		error.message = "(#4) Application request limit reached";
		error.is_transient = 1;
		break;
	case 17:
		error.message = "(#17) User request limit reached";
		error.is_transient = 1;
		break;
	case 32:
		error.message = "(#32) Page request limit reached";
		error.is_transient = 1;
		break;
	case 341:
		error.message = "(#341) Application limit reached";
		error.is_transient = 1;
		break;
	case 80003:
		error.message =
		    "(#80003) There have been too many calls to this ad-account. Wait a bit and try again.";
		error.is_transient = 1;
		break;
	case 100:
		error.message = "Invalid parameter";
		break;
	case 104:
		error.message = "An access token is required to request this resource.";
		error.is_transient = -1;
		break;
	case 190:
		error.http_status = 401;
		error.message = "Invalid OAuth access token - Cannot parse access token";
		error.is_transient = -1;
		break;
	case 200:
		error.http_status = 403;
		error.message = "(#200) Permissions error";
		break;
	case 368:
		error.message = "(#368) The action attempted has been deemed abusive or is otherwise disallowed";
		break;
	default:
		error.message = "(#" + std::to_string(code) + ") Injected Graph API error";
		break;
	}
	return error;
}

GraphError EventTooOldError(int max_age_days) {
	GraphError error;
	error.code = 100;
	error.error_subcode = 2804003;
	error.is_transient = 0;
	error.error_user_title = "Event Timestamp Too Old";
	std::string days = std::to_string(max_age_days);
	error.error_user_msg =
	    "The timestamp for this event is too far in the past. Events need to be sent from your "
	    "server within " +
	    days + " days of when they occurred. Enter a timestamp that has occurred within the last " + days +
	    " days.";
	return error;
}

GraphError UnsupportedRequestError(const std::string &method_lower, const std::string &object_id) {
	GraphError error;
	error.code = 100;
	error.error_subcode = 33;
	error.message = "Unsupported " + method_lower + " request. Object with ID '" + object_id +
	                "' does not exist, cannot be loaded due to missing permissions, or does not support this "
	                "operation. Please read the Graph API documentation at "
	                "https://developers.facebook.com/docs/graph-api";
	return error;
}

} // namespace capi::testserver
