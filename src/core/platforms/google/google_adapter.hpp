// Google: two APIs behind one platform value, chosen by config.api.
//   * "data_manager" (default): Data Manager API, POST {base}/v1/events:ingest
//     (https://developers.google.com/data-manager/api/reference/rest/v1/events/ingest). One bad field
//     fails the whole request, so every field is checked in Add.
//   * "ads": Google Ads API, POST {base}/{version}/customers/{id}:uploadClickConversions with
//     partialFailure (https://developers.google.com/google-ads/api/docs/conversions/upload-clicks):
//     per-row errors come back in a 200 reply (kPartial).
// Both authenticate with an OAuth2 access token (Authorization: Bearer), refreshed from
// {client_id, client_secret, refresh_token} at {oauth base}/token, or a static access_token.
// Settings, mapping and error table: docs/platforms/google.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/oauth.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kGoogleDataManagerHost = "datamanager.googleapis.com";
inline constexpr std::string_view kGoogleAdsHost = "googleads.googleapis.com";
inline constexpr std::string_view kGoogleOAuthHost = "oauth2.googleapis.com";
inline constexpr std::string_view kGoogleDataManagerBaseUrl = "https://datamanager.googleapis.com";
inline constexpr std::string_view kGoogleAdsBaseUrl = "https://googleads.googleapis.com";
inline constexpr std::string_view kGoogleOAuthBaseUrl = "https://oauth2.googleapis.com";
inline constexpr std::string_view kGoogleTokenPath = "/token";
inline constexpr std::string_view kGoogleDataManagerPath = "/v1/events:ingest";
// Google Ads API versions live about a year (https://developers.google.com/google-ads/api/docs/sunset-dates).
inline constexpr std::string_view kGoogleAdsApiVersion = "v25";
// Both APIs: at most 2,000 events per request
// (https://developers.google.com/google-ads/api/docs/best-practices/quotas, IngestEventsRequest.events).
inline constexpr std::size_t kGoogleMaxBatchSize = 2000;
inline constexpr std::int64_t kGoogleDayMs = 24LL * 60 * 60 * 1000;
// The longest click-through window a conversion action can have is 90 days; older conversions
// cannot be attributed (the exact upload window is UNCONFIRMED: docs/platforms/google.md).
inline constexpr std::int64_t kGoogleMaxAgeMs = 90 * kGoogleDayMs;
inline constexpr std::int64_t kGoogleAgeMarginMs = 60 * 1000;
// A conversion cannot precede now by much; 10 minutes of clock skew are tolerated (UNCONFIRMED).
inline constexpr std::int64_t kGoogleMaxFutureMs = 10 * 60 * 1000;
// Google Ads API: at most 5 user identifiers per click conversion.
inline constexpr std::size_t kGoogleAdsMaxUserIdentifiers = 5;

enum class GoogleApi { kDataManager, kAds };

// A Google destination's settings.
// config:      {"api": "data_manager"|"ads", "operating_account_id": "<digits>",
//               "login_account_id": "<digits>", "conversion_actions": {"<event name>": "<action id>"},
//               "validate_only": bool}
// credentials: {"client_id", "client_secret", "refresh_token"} or {"access_token"};
//              plus {"developer_token"} with api "ads".
struct GoogleSettings {
	GoogleApi api = GoogleApi::kDataManager;
	std::string operating_account_id;
	std::optional<std::string> login_account_id;
	std::map<std::string, std::string, std::less<>> conversion_actions; // event name -> action id
	bool validate_only = false;
	std::optional<RefreshGrant> grant; // OAuth refresh grant, or
	std::string access_token;          // a static token ("" with a grant)
	std::string developer_token;       // "ads" only
};

// Throws capi::Error 22023 ("destination X: config.operating_account_id must be ...").
GoogleSettings ReadGoogleSettings(const Destination &destination);

class GoogleAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kGoogle; }
	// validateOnly: Google validates the request and records nothing
	// (https://developers.google.com/data-manager/api/reference/rest/v1/events/ingest).
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kFlag, "validate_only", false,
		        "Google's validate mode (validateOnly)"};
	}
	std::size_t MaxBatchSize() const noexcept override { return kGoogleMaxBatchSize; }
	// Neither API publishes a per-second request limit (Ads: operations per day, RESOURCE_EXHAUSTED
	// otherwise, https://developers.google.com/google-ads/api/docs/best-practices/quotas).
	double DefaultRequestsPerSecond() const noexcept override { return 0; }
	std::vector<std::string_view> OwnHosts() const override {
		return {kGoogleDataManagerHost, kGoogleAdsHost, kGoogleOAuthHost};
	}
	void Validate(const Destination &destination) const override;
	std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
	                                     std::int64_t now_ms) const override;
	std::string GroupingKey(const Destination &destination, const OutboxEvent &event) const override;
	std::optional<HttpRequest> TokenRequest(const Destination &destination,
	                                        std::string_view base_url_override) const override;
	std::unique_ptr<RequestBuilder> StartRequest(const Destination &destination,
	                                             const RequestContext &context) const override;
	BatchOutcome Classify(const Destination &destination, std::size_t batch_size, long http_status,
	                      std::string_view body, const ResponseHeaders &headers) const override;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
