#include "server/platforms/google/google_handler.hpp"

#include "server/platforms/google/google_error.hpp"
#include "server/platforms/json_access.hpp"
#include "server/platforms/trace_id.hpp"

#include <chrono>
#include <stdexcept>
#include <strings.h>

namespace capi::testserver {
namespace {

constexpr std::string_view kIngestPath = "/v1/events:ingest";
constexpr std::string_view kUploadSuffix = ":uploadClickConversions";

bool IsDigits(std::string_view text) {
	if (text.empty())
		return false;
	for (char c : text)
		if (c < '0' || c > '9')
			return false;
	return true;
}

// "/v25/customers/1234567890:uploadClickConversions" -> "1234567890".
bool ParseAdsPath(std::string_view path, std::string_view *customer) {
	if (path.size() < 3 || path.substr(0, 2) != "/v")
		return false;
	size_t slash = path.find('/', 2);
	if (slash == std::string_view::npos || !IsDigits(path.substr(2, slash - 2)))
		return false;
	std::string_view rest = path.substr(slash);
	constexpr std::string_view kCustomers = "/customers/";
	if (rest.substr(0, kCustomers.size()) != kCustomers ||
	    rest.size() <= kCustomers.size() + kUploadSuffix.size() ||
	    rest.substr(rest.size() - kUploadSuffix.size()) != kUploadSuffix)
		return false;
	*customer = rest.substr(kCustomers.size(), rest.size() - kCustomers.size() - kUploadSuffix.size());
	return true;
}

HttpResponse Unauthenticated(bool ads, bool missing) {
	const std::string message =
	    missing ? "Request is missing required authentication credential. Expected OAuth 2 "
	              "access token, login cookie or other valid authentication credential."
	            : "Request had invalid authentication credentials. Expected OAuth 2 access "
	              "token, login cookie or other valid authentication credential.";
	nlohmann::json details = nlohmann::json::array();
	if (ads)
		details.push_back(AdsFailureDetail(
		    nlohmann::json::array({AdsError(
		        "authenticationError", missing ? "OAUTH_TOKEN_HEADER_INVALID" : "OAUTH_TOKEN_INVALID",
		        missing ? "Oauth token header is not valid." : "Oauth token is not valid.")}),
		    RandomTraceId(22)));
	else
		details.push_back({{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
		                   {"reason", missing ? "CREDENTIALS_MISSING" : "ACCESS_TOKEN_EXPIRED"},
		                   {"domain", "googleapis.com"}});
	return GoogleErrorResponse(401, message, std::move(details));
}

HttpResponse AdsRequestError(std::string_view kind, std::string_view code, std::string_view message) {
	return GoogleErrorResponse(
	    400, "Request contains an invalid argument.",
	    nlohmann::json::array(
	        {AdsFailureDetail(nlohmann::json::array({AdsError(kind, code, message)}), RandomTraceId(22))}));
}

nlohmann::json AdsErrorOf(const AdsRowError &error) {
	return AdsError(error.kind, error.code, error.message, error.index, error.field);
}

} // namespace

bool GoogleHandler::Matches(const HttpRequest &request) const {
	std::string_view customer;
	return request.path == kIngestPath || ParseAdsPath(request.path, &customer);
}

void GoogleHandler::Reject(HandlerOutcome *outcome, HttpResponse response) {
	outcome->accepted = false;
	outcome->events.clear();
	outcome->error = std::move(response);
}

bool GoogleHandler::CheckAuthorization(const HttpRequest &request, HandlerOutcome *outcome) {
	const std::string *authorization = request.Header("authorization");
	constexpr std::string_view kBearer = "Bearer ";
	if (authorization == nullptr || authorization->size() <= kBearer.size() ||
	    strncasecmp(authorization->c_str(), kBearer.data(), kBearer.size()) != 0) {
		Reject(outcome, Unauthenticated(last_ads_, true));
		return false;
	}
	std::string_view token = std::string_view(*authorization).substr(kBearer.size());
	// Token expiry is in milliseconds (POST /__control/oauth {"expire_all": true} expires tokens now).
	const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
	                           std::chrono::system_clock::now().time_since_epoch())
	                           .count();
	if (!context_.AcceptsToken("google", token, now_ms)) {
		Reject(outcome, Unauthenticated(last_ads_, false));
		return false;
	}
	return true;
}

void GoogleHandler::Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) {
	outcome->Clear();
	row_errors_.clear();
	last_partial_failure_ = false;
	std::string_view customer;
	last_ads_ = ParseAdsPath(request.path, &customer);
	request_id_ = RandomTraceId(22);
	if (request.method != "POST")
		return Reject(
		    outcome, GoogleErrorResponse(404, "The requested URL was not found on this server (only POST)."));
	if (!CheckAuthorization(request, outcome))
		return;
	const std::string *type = request.Header("content-type");
	if (type == nullptr || type->find("application/json") == std::string::npos)
		return Reject(outcome, GoogleErrorResponse(400, "Invalid JSON payload received: Content-Type must be "
		                                                "application/json."));
	simdjson::dom::element root;
	simdjson::error_code error = parser_.parse(request.body.data(), request.body.size(), false).get(root);
	if (error != simdjson::SUCCESS)
		return Reject(outcome, GoogleErrorResponse(400, std::string("Invalid JSON payload received. ") +
		                                                    simdjson::error_message(error)));
	if (!last_ads_)
		return HandleDataManager(root, now_unix_s, outcome);
	const std::string *developer_token = request.Header("developer-token");
	if (developer_token == nullptr || developer_token->empty())
		return Reject(outcome, AdsRequestError("requestError", "DEVELOPER_TOKEN_PARAMETER_MISSING",
		                                       "The developer-token header is required."));
	const std::string *login = request.Header("login-customer-id");
	if (login != nullptr && !IsDigits(*login))
		return Reject(outcome,
		              AdsRequestError("headerError", "INVALID_LOGIN_CUSTOMER_ID",
		                              "The login-customer-id header must be digits only, without hyphens."));
	if (!IsDigits(customer))
		return Reject(outcome, AdsRequestError("requestError", "INVALID_CUSTOMER_ID",
		                                       "The customer id in the URL must be digits only."));
	outcome->destination = std::string(customer);
	HandleAds(request, root, now_unix_s, outcome);
}

void GoogleHandler::HandleDataManager(simdjson::dom::element root, int64_t now_s, HandlerOutcome *outcome) {
	GoogleFieldProblem problem;
	if (!ValidateIngestEvents(root, now_s, outcome, &problem))
		return Reject(outcome,
		              GoogleErrorResponse(
		                  400, "Request contains an invalid argument.",
		                  nlohmann::json::array({BadRequestDetail(problem.field, problem.description)})));
	outcome->accepted = true;
}

void GoogleHandler::HandleAds(const HttpRequest &request, simdjson::dom::element root, int64_t now_s,
                              HandlerOutcome *outcome) {
	GoogleFieldProblem problem;
	AdsValidation validation;
	if (!ValidateUploadClickConversions(root, now_s, outcome, &validation, &problem)) {
		if (!validation.request_error_code.empty())
			return Reject(outcome, AdsRequestError(validation.request_error_kind,
			                                       validation.request_error_code, problem.description));
		return Reject(outcome,
		              GoogleErrorResponse(
		                  400, "Request contains an invalid argument.",
		                  nlohmann::json::array({BadRequestDetail(problem.field, problem.description)})));
	}
	last_partial_failure_ = validation.partial_failure;
	if (!validation.row_errors.empty() && !validation.partial_failure) {
		nlohmann::json errors = nlohmann::json::array();
		for (const AdsRowError &error : validation.row_errors)
			errors.push_back(AdsErrorOf(error));
		return Reject(outcome,
		              GoogleErrorResponse(400, "Request contains an invalid argument.",
		                                  nlohmann::json::array({AdsFailureDetail(errors, request_id_)})));
	}
	for (AdsRowError &error : validation.row_errors) {
		outcome->rejected_events.push_back(
		    RejectedEvent{error.index, error.kind + "." + error.code + ": " + error.message});
		row_errors_.emplace(error.index, std::move(error));
	}
	outcome->accepted = true;
}

HttpResponse GoogleHandler::SuccessResponse(const HandlerOutcome &outcome) {
	if (!last_ads_)
		return JsonResponse(200, nlohmann::json({{"requestId", request_id_}}).dump());
	// Results in request order: the accepted rows' echo, {} for each failed row.
	const size_t total = outcome.events.size() + outcome.rejected_events.size();
	nlohmann::json results = nlohmann::json::array();
	nlohmann::json errors = nlohmann::json::array();
	size_t next_accepted = 0;
	size_t next_rejected = 0;
	for (size_t position = 0; position < total; ++position) {
		if (next_rejected < outcome.rejected_events.size() &&
		    outcome.rejected_events[next_rejected].index == position) {
			const RejectedEvent &rejected = outcome.rejected_events[next_rejected++];
			auto found = row_errors_.find(position);
			errors.push_back(found != row_errors_.end() ? AdsErrorOf(found->second)
			                                            : AdsError("conversionUploadError", "CLICK_NOT_FOUND",
			                                                       rejected.message, position));
			results.push_back(nlohmann::json::object());
			continue;
		}
		const AcceptedEvent &event = outcome.events[next_accepted++];
		nlohmann::json result = {
		    {"conversionAction",
		     "customers/" + outcome.destination + "/conversionActions/" + std::string(event.event_name)}};
		for (const char *key : {"gclid", "gbraid", "wbraid", "conversionDateTime"}) {
			std::string_view value;
			if (event.json[key].get(value) == simdjson::SUCCESS)
				result[key] = value;
		}
		results.push_back(std::move(result));
	}
	// Members in proto field order, as Google writes them: partialFailureError, results, jobId.
	std::string reply = "{";
	if (!errors.empty()) {
		std::string message = errors[0]["message"].get<std::string>() + ", at conversions[" +
		                      std::to_string(outcome.rejected_events[0].index) + "]";
		if (errors.size() > 1)
			message += " (and " + std::to_string(errors.size() - 1) + " more)";
		nlohmann::json failure = {
		    {"code", 3},
		    {"message", message},
		    {"details", nlohmann::json::array({AdsFailureDetail(errors, request_id_)})}};
		reply += "\"partialFailureError\":" + failure.dump() + ",";
	}
	if (outcome.test_event_code.empty()) // validateOnly: no results
		reply += "\"results\":" + results.dump() + ",";
	reply += "\"jobId\":\"" + std::to_string(1000 + (request_id_.size() % 7)) + "\"}";
	return JsonResponse(200, std::move(reply));
}

HttpResponse GoogleHandler::InvalidEventResponse(size_t index, std::string_view detail) {
	if (last_ads_)
		return GoogleErrorResponse(
		    400, "Request contains an invalid argument.",
		    nlohmann::json::array({AdsFailureDetail(
		        nlohmann::json::array({AdsError("conversionUploadError", "CLICK_NOT_FOUND", detail, index)}),
		        request_id_)}));
	return GoogleErrorResponse(
	    400, "Request contains an invalid argument.",
	    nlohmann::json::array({BadRequestDetail("events[" + std::to_string(index) + "]", detail)}));
}

HttpResponse GoogleHandler::StatusFault(int status) {
	std::string message;
	switch (status) {
	case 401:
		return Unauthenticated(last_ads_, false);
	case 429:
		message = "Resource has been exhausted (e.g. check quota).";
		break;
	case 503:
		message = "The service is currently unavailable.";
		break;
	default:
		message = status >= 500 ? "Internal error encountered." : "Request failed (injected fault).";
	}
	return GoogleErrorResponse(status, message);
}

HttpResponse GoogleHandler::ErrorFault(const nlohmann::json &spec, int status) {
	if (!spec.is_object())
		throw std::invalid_argument("google_error must be an object {\"status\", \"message\", \"details\"}");
	try {
		int http_status = status > 0 ? status : 400;
		if (status <= 0 && spec.contains("status") && spec["status"].is_number_integer())
			http_status = spec["status"].get<int>();
		std::string message = spec.value("message", std::string("Request contains an invalid argument."));
		nlohmann::json details = spec.value("details", nlohmann::json::array());
		if (!details.is_array())
			throw std::invalid_argument("google_error.details must be an array");
		HttpResponse response = GoogleErrorResponse(http_status, message, details);
		if (spec.contains("status") &&
		    spec["status"].is_string()) { // a canonical name of the caller's choice
			nlohmann::json body = nlohmann::json::parse(response.body);
			body["error"]["status"] = spec["status"];
			response.body = body.dump();
		}
		return response;
	} catch (const nlohmann::json::exception &e) {
		throw std::invalid_argument(std::string("google_error: ") + e.what());
	}
}

} // namespace capi::testserver
