#include "core/error.hpp"
#include "core/dispatch/json_writer.hpp"
#include "core/platforms/google/google_request.hpp"

namespace capi::dispatch {

std::string GoogleBaseUrl(const Destination &destination, std::string_view default_base,
                          std::string_view base_url_override) {
	return ResolveBaseUrl(destination, default_base,
	                      base_url_override.empty() ? std::string_view(destination.endpoint_override)
	                                                : base_url_override);
}

void AddGoogleAuthorization(const Destination &destination, const GoogleSettings &settings,
                            const RequestContext &context, HttpRequest *request) {
	std::string token(context.access_token.empty() ? std::string_view(settings.access_token)
	                                               : context.access_token);
	if (token.empty())
		throw Error(sqlstate::kInvalidParameterValue,
		            "destination " + destination.name +
		                ": no OAuth access token was obtained for Google yet");
	request->headers.push_back("Authorization: Bearer " + token);
	request->secrets.push_back(std::move(token));
	for (std::string &secret : CredentialSecrets(destination))
		request->secrets.push_back(std::move(secret)); // refresh token, client secret: never logged
}

void AppendJsonNumberMember(std::string *out, std::string_view key, double value) {
	out->push_back('"');
	out->append(key);
	out->append("\":");
	out->append(nlohmann::json(value).dump());
}

void AppendJsonStringMember(std::string *out, std::string_view key, std::string_view value) {
	out->push_back('"');
	out->append(key);
	out->append("\":");
	AppendJsonString(out, value);
}

} // namespace capi::dispatch
