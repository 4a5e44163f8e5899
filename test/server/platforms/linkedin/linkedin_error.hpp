// LinkedIn's error bodies
// (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling):
// {"status": N, "serviceErrorCode": N, "code": "...", "message": "..."}; a BATCH_CREATE validation
// failure is a 422 whose message has one "Index: N, ERROR :: /path :: problem" block per bad element.
#pragma once

#include "server/http/http_message.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace capi::testserver {

struct LinkedInError {
	int status = 400;
	int service_error_code = 0; // 0: not sent
	std::string code;           // "": not sent
	std::string message;
};

HttpResponse LinkedInErrorResponse(const LinkedInError &error);

// The error LinkedIn sends for an HTTP status (401 INVALID_ACCESS_TOKEN, 426 NONEXISTENT_VERSION, 429,
// 5xx...).
LinkedInError LinkedInErrorForStatus(int status);

// "Requested version 20251101 is not active" for version "202511".
LinkedInError LinkedInVersionError(std::string_view version);

// element index -> its problems ("/conversion :: ..."), in index order: a 422 with LinkedIn's message.
HttpResponse LinkedInValidationResponse(const std::map<size_t, std::vector<std::string>> &problems);

} // namespace capi::testserver
