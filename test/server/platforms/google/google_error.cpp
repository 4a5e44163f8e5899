#include "server/platforms/google/google_error.hpp"

namespace capi::testserver {

const char *GoogleStatusName(int http_status) {
	switch (http_status) {
	case 400:
		return "INVALID_ARGUMENT";
	case 401:
		return "UNAUTHENTICATED";
	case 403:
		return "PERMISSION_DENIED";
	case 404:
		return "NOT_FOUND";
	case 409:
		return "ABORTED";
	case 429:
		return "RESOURCE_EXHAUSTED";
	case 501:
		return "UNIMPLEMENTED";
	case 503:
		return "UNAVAILABLE";
	case 504:
		return "DEADLINE_EXCEEDED";
	default:
		return http_status >= 500 ? "INTERNAL" : "FAILED_PRECONDITION";
	}
}

HttpResponse GoogleErrorResponse(int http_status, std::string_view message, nlohmann::json details) {
	nlohmann::json error = {
	    {"code", http_status}, {"message", message}, {"status", GoogleStatusName(http_status)}};
	if (!details.empty())
		error["details"] = std::move(details);
	return JsonResponse(http_status, nlohmann::json({{"error", std::move(error)}}).dump());
}

nlohmann::json BadRequestDetail(std::string_view field, std::string_view description) {
	return {{"@type", "type.googleapis.com/google.rpc.BadRequest"},
	        {"fieldViolations", nlohmann::json::array({{{"field", field}, {"description", description}}})}};
}

nlohmann::json AdsError(std::string_view kind, std::string_view code, std::string_view message,
                        std::optional<size_t> index, std::string_view field) {
	nlohmann::json error = {{"errorCode", {{kind, code}}}, {"message", message}};
	if (index) {
		nlohmann::json path = nlohmann::json::array({{{"fieldName", "conversions"}, {"index", *index}}});
		if (!field.empty())
			path.push_back({{"fieldName", field}});
		error["location"] = {{"fieldPathElements", std::move(path)}};
	}
	return error;
}

nlohmann::json AdsFailureDetail(nlohmann::json errors, std::string_view request_id) {
	return {{"@type", "type.googleapis.com/google.ads.googleads." + std::string(kGoogleAdsVersionForErrors) +
	                      ".errors.GoogleAdsFailure"},
	        {"errors", std::move(errors)},
	        {"requestId", request_id}};
}

} // namespace capi::testserver
