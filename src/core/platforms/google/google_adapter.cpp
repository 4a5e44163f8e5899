#include "core/platforms/google/google_adapter.hpp"

#include "core/dispatch/common_settings.hpp"
#include "core/platforms/google/google_event.hpp"
#include "core/platforms/google/google_request.hpp"

namespace capi::dispatch {

void GoogleAdapter::Validate(const Destination &destination) const {
	ReadGoogleSettings(destination);
	ReadCommonSettings(destination);
	ResolveBaseUrl(destination, kGoogleDataManagerBaseUrl, destination.endpoint_override);
}

std::optional<std::string> GoogleAdapter::Preflight(const Destination &destination, const OutboxEvent &event,
                                                    std::int64_t now_ms) const {
	GoogleEvent google;
	std::optional<Refusal> refusal =
	    ReadGoogleEvent(ReadGoogleEventRules(destination), event, now_ms, ThreadEventFields(), &google);
	if (!refusal)
		return std::nullopt;
	return std::move(refusal->reason);
}

std::string GoogleAdapter::GroupingKey(const Destination &destination, const OutboxEvent &event) const {
	// Account, token and settings are per destination, and each event names its own conversion
	// action (Data Manager: destinations[].reference; Ads: conversionAction): one request for all.
	return std::string();
}

std::optional<HttpRequest> GoogleAdapter::TokenRequest(const Destination &destination,
                                                       std::string_view base_url_override) const {
	GoogleSettings settings = ReadGoogleSettings(destination);
	if (!settings.grant)
		return std::nullopt;
	// https://developers.google.com/identity/protocols/oauth2/web-server#offline
	return RefreshTokenRequest(GoogleBaseUrl(destination, kGoogleOAuthBaseUrl, base_url_override) +
	                               std::string(kGoogleTokenPath),
	                           *settings.grant);
}

std::unique_ptr<RequestBuilder> GoogleAdapter::StartRequest(const Destination &destination,
                                                            const RequestContext &context) const {
	if (ReadGoogleSettings(destination).api == GoogleApi::kAds)
		return StartAdsRequest(destination, context);
	return StartDataManagerRequest(destination, context);
}

} // namespace capi::dispatch
