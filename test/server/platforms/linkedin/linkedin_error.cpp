#include "server/platforms/linkedin/linkedin_error.hpp"

#include <nlohmann/json.hpp>

namespace capi::testserver {

HttpResponse LinkedInErrorResponse(const LinkedInError &error) {
	nlohmann::json body = {{"status", error.status}};
	if (error.service_error_code != 0) {
		body["serviceErrorCode"] = error.service_error_code;
	}
	if (!error.code.empty()) {
		body["code"] = error.code;
	}
	body["message"] = error.message;
	return JsonResponse(error.status, body.dump());
}

LinkedInError LinkedInErrorForStatus(int status) {
	switch (status) {
	case 401:
		return {401, 65600, "INVALID_ACCESS_TOKEN", "Invalid access token"};
	case 403:
		return {403, 100, "ACCESS_DENIED",
		        "Not enough permissions to access: partnerApiConversionEvents.BATCH_CREATE"};
	case 404:
		return {404, 0, "", "No virtual resource found"};
	case 422:
		return {422, 0, "", "Request body is invalid"};
	case 426:
		return LinkedInVersionError("202511");
	case 429:
		return {429, 101, "TOO_MANY_REQUESTS",
		        "Resource level throttle APPLICATION DAY limit for calls to this resource is reached."};
	case 500:
		return {500, 0, "", "Internal Server Error"};
	case 502:
	case 503:
	case 504:
		return {status, 0, "", "Service Unavailable"};
	default:
		return {status, 0, "", ReasonPhrase(status)};
	}
}

LinkedInError LinkedInVersionError(std::string_view version) {
	// LinkedIn echoes a YYYYMM version as YYYYMM01.
	std::string echoed(version.substr(0, 6));
	echoed += "01";
	return {426, 0, "NONEXISTENT_VERSION", "Requested version " + echoed + " is not active"};
}

HttpResponse LinkedInValidationResponse(const std::map<size_t, std::vector<std::string>> &problems) {
	std::string message;
	for (const auto &[index, list] : problems) {
		for (size_t i = 0; i < list.size(); ++i) {
			if (i == 0) {
				message += "Index: " + std::to_string(index) + ", ";
			}
			message += "ERROR :: " + list[i] + "\n";
		}
	}
	return LinkedInErrorResponse({422, 0, "", message});
}

} // namespace capi::testserver
