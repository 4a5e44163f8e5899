// Pinterest Conversions API (v5): POST {base}/v5/ad_accounts/{ad_account_id}/events[?test=true] with
// "Authorization: Bearer <conversion access token>" and a JSON body {"data":[...]} of up to 1,000 events
// (https://developers.pinterest.com/docs/api/v5/events-create). A 200 reply carries one status per event
// ("processed" or "failed"): failed ones are per-event failures (OutcomeKind::kPartial).
// Mapping, limits and error table: docs/platforms/pinterest.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/common_settings.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kPinterestApiHost = "api.pinterest.com";
inline constexpr std::string_view kPinterestDefaultBaseUrl = "https://api.pinterest.com";
// 1,000 events per request: the Conversions API guide
// (https://developers.pinterest.com/docs/api-features/conversion-overview/).
inline constexpr std::size_t kPinterestMaxBatchSize = 1000;
// "This endpoint has a rate limit of 5,000 calls per minute per ad account"
// (https://developers.pinterest.com/docs/api/v5/events-create).
inline constexpr double kPinterestRequestsPerSecond = 5000.0 / 60.0;

// A Pinterest destination's settings.
// config:      {"ad_account_id": "<digits>", "test": true|false} (+ the common keys)
// credentials: {"access_token": "<conversion access token>"}
struct PinterestSettings {
	std::string ad_account_id;
	bool test = false; // ?test=true: Pinterest validates but does not record the events
	std::string access_token;
	CommonSettings common;
};

// Throws capi::Error 22023 ("destination X: config.ad_account_id must be a string of digits").
PinterestSettings ReadPinterestSettings(const Destination &destination);

// Pinterest's event name for an outbox event name (config.event_map first, then the defaults:
// Purchase -> checkout, ...), or nullopt when it has none.
std::optional<std::string_view> PinterestEventName(const CommonSettings &common,
                                                   std::string_view outbox_name);

// Pinterest's action_source for an outbox event: web, app_android, app_ios or offline; nullopt for an
// app event whose user agent names neither Android nor iOS.
std::optional<std::string_view> PinterestActionSource(std::string_view outbox_action_source,
                                                      std::string_view user_agent);

// Writes Pinterest's custom_data object from the outbox's custom_data text (Meta's shape): value and
// item prices as decimal strings, ids as strings, unknown keys dropped. Appends nothing when nothing
// is left; returns what is wrong otherwise.
class PinterestCustomDataWriter {
public:
	PinterestCustomDataWriter();
	~PinterestCustomDataWriter();
	PinterestCustomDataWriter(const PinterestCustomDataWriter &) = delete;
	PinterestCustomDataWriter &operator=(const PinterestCustomDataWriter &) = delete;

	// Appends ,"custom_data":{...} to out (or nothing); on a problem out is unchanged.
	std::optional<std::string> Append(std::string *out, std::string_view custom_data_json);

private:
	struct Parser;
	std::unique_ptr<Parser> parser_;
	std::string scratch_;
};

class PinterestAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kPinterest; }
	// ?test=true: "the events will not be recorded but the API will still return the same response
	// messages" (https://developers.pinterest.com/docs/api/v5/events-create).
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kFlag, "test", false, "Pinterest's test mode (?test=true)"};
	}
	std::size_t MaxBatchSize() const noexcept override { return kPinterestMaxBatchSize; }
	double DefaultRequestsPerSecond() const noexcept override { return kPinterestRequestsPerSecond; }
	std::vector<std::string_view> OwnHosts() const override { return {kPinterestApiHost}; }
	void Validate(const Destination &destination) const override;
	std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
	                                     std::int64_t now_ms) const override;
	std::string GroupingKey(const Destination &destination, const OutboxEvent &event) const override;
	std::unique_ptr<RequestBuilder> StartRequest(const Destination &destination,
	                                             const RequestContext &context) const override;
	BatchOutcome Classify(const Destination &destination, std::size_t batch_size, long http_status,
	                      std::string_view body, const ResponseHeaders &headers) const override;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
