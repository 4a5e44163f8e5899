// Graph API error replies: {"error":{"message","type","code","error_subcode","is_transient",
// "error_user_title","error_user_msg","fbtrace_id"}} with the HTTP status Graph uses for them.
#pragma once

#include "server/http/http_message.hpp"

#include <string>

namespace capi::testserver {

struct GraphError {
	int http_status = 400;
	std::string message = "Invalid parameter";
	std::string type = "OAuthException";
	int code = 100;
	int error_subcode = 0;        // omitted when 0
	int is_transient = -1;        // -1: omitted, 0: false, 1: true
	std::string error_user_title; // omitted when empty
	std::string error_user_msg;   // omitted when empty
};

HttpResponse GraphErrorResponse(const GraphError &error);

// The usual Graph error for `code` (message, transient flag, HTTP status), e.g. 1 (unknown,
// transient, 500), 2 (service, transient, 503), 4 / 17 (rate limits, transient, 400), 100 (invalid
// parameter, 400), 104 (no token, 400), 190 (invalid token, 401), 200 (permissions, 403).
GraphError GraphErrorForCode(int code);

// Code 100 / subcode 2804003 as Meta words it (event older than the allowed window).
GraphError EventTooOldError(int max_age_days);

// Code 100 / subcode 33: unknown object id or unsupported method on it.
GraphError UnsupportedRequestError(const std::string &method_lower, const std::string &object_id);

} // namespace capi::testserver
