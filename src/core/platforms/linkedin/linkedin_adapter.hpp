// LinkedIn Conversions API
// (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads-reporting/conversions-api): POST
// {base}/rest/conversionEvents, headers X-RestLi-Method: BATCH_CREATE, LinkedIn-Version: YYYYMM,
// X-Restli-Protocol-Version: 2.0.0, Authorization: Bearer <OAuth2 member token>; body
// {"elements":[...]}, one element per (event, conversion rule): an event fans out to the rule URNs
// config.conversion_rules lists for its name. Mapping, checks and error table: docs/platforms/linkedin.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/common_settings.hpp"
#include "core/dispatch/oauth.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kLinkedInApiHost = "api.linkedin.com";
inline constexpr std::string_view kLinkedInTokenHost = "www.linkedin.com";
inline constexpr std::string_view kLinkedInDefaultBaseUrl = "https://api.linkedin.com";
inline constexpr std::string_view kLinkedInDefaultTokenBaseUrl = "https://www.linkedin.com";
inline constexpr std::string_view kLinkedInEventsPath = "/rest/conversionEvents";
inline constexpr std::string_view kLinkedInTokenPath = "/oauth/v2/accessToken";
// LinkedIn supports each monthly version for at least a year, then answers 426 NONEXISTENT_VERSION
// (https://learn.microsoft.com/en-us/linkedin/marketing/versioning). 202607 (July 2026) is the newest
// version whose release LinkedIn has published; it stays live until about July 2027.
inline constexpr std::string_view kLinkedInDefaultApiVersion = "202607";
// Elements per BATCH_CREATE request (an element is one event for one conversion rule).
inline constexpr std::size_t kLinkedInMaxElements = 5000;
inline constexpr std::size_t kLinkedInMaxRulesPerEvent = 50;
inline constexpr std::int64_t kLinkedInDayMs = 24LL * 60 * 60 * 1000;
// "Send an event within 90 days of when it happened; older ones are automatically rejected."
inline constexpr std::int64_t kLinkedInMaxAgeMs = 90 * kLinkedInDayMs;
// Events this close to the age limit are failed already: they would expire on the way.
inline constexpr std::int64_t kLinkedInAgeMarginMs = 60 * 1000;
// LinkedIn's future limit is undocumented: an event more than 10 minutes ahead is refused here.
inline constexpr std::int64_t kLinkedInMaxFutureMs = 10 * 60 * 1000;
// 600 requests per minute and 300,000 per day (the lower of the daily figures published for the
// Conversions API,
// https://developer.salesforce.com/docs/data/data-cloud-int/guide/c360-a-linkedincapi-connector; LinkedIn
// itself shows limits per application only in its developer portal,
// https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/rate-limits). 3 requests/s
// stays under both: 259,200 a day. Batches grow under load, up to 5,000 elements a request.
inline constexpr double kLinkedInRequestsPerSecond = 3;

// A LinkedIn destination's settings.
// config:      {"api_version": "YYYYMM", "conversion_rules": {"<event name>":
// ["urn:lla:llaPartnerConversion:N", ...]},
//               "send_user_info": false}
// credentials: {"access_token": "..."} or {"client_id": "...", "client_secret": "...", "refresh_token":
// "..."}
struct LinkedInSettings {
	std::string api_version; // kLinkedInDefaultApiVersion when absent
	bool api_version_configured = false;
	std::map<std::string, std::vector<std::string>, std::less<>> conversion_rules;
	std::size_t max_rules_per_event = 1; // the longest list in conversion_rules
	bool send_user_info = false;
	std::string access_token;          // a static token, "" with a refresh grant
	std::optional<RefreshGrant> grant; // OAuth2 refresh grant
};

// Throws capi::Error 22023 ("destination X: config.conversion_rules.Purchase[0] must be ...").
LinkedInSettings ReadLinkedInSettings(const Destination &destination);

// The conversion rule URNs an outbox event goes to: config.event_map renames it first ("" = not
// sent), then conversion_rules[name], else conversion_rules[LinkedIn's rule type for a Meta-style
// name] (Purchase -> PURCHASE, linkedin_event_names.cpp). nullptr when none: the event is skipped.
const std::vector<std::string> *LinkedInRulesFor(const LinkedInSettings &settings,
                                                 const CommonSettings &common, std::string_view event_name);
// LinkedIn's conversion rule type for a Meta-style event name (§ "conversion rule types" of the API
// schema), or "" when there is none.
std::string_view LinkedInRuleType(std::string_view event_name);
// Why an event with no rule is not sent.
std::string LinkedInUnmappedReason(std::string_view event_name);

// The message of a 426: which version is sunset and what to set.
std::string LinkedInVersionSunsetMessage(const Destination &destination, std::string_view platform_words);

class LinkedInAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kLinkedIn; }
	// Events per request; the builder also stops at kLinkedInMaxElements elements (full()).
	std::size_t MaxBatchSize() const noexcept override { return kLinkedInMaxElements; }
	double DefaultRequestsPerSecond() const noexcept override { return kLinkedInRequestsPerSecond; }
	std::vector<std::string_view> OwnHosts() const override { return {kLinkedInApiHost, kLinkedInTokenHost}; }
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
