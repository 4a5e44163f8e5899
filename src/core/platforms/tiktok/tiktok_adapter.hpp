// TikTok Events API 2.0: POST {base}/open_api/v1.3/event/track/ with the header
// "Access-Token: <token>" and a JSON body
// {"event_source": "web"|"app"|"offline"|"crm", "event_source_id": <pixel_code>,
//  "test_event_code": ..., "data": [...]}. HTTP 200 alone is not success: the body's "code" is 0.
// Public sources: https://business-api.tiktok.com/portal/docs?id=1771100779668482 (Events API 2.0),
// https://ads.tiktok.com/help/article/supported-standard-events (event names),
// https://ads.tiktok.com/help/article/event-deduplication (event_id). docs/platforms/tiktok.md has
// the mapping and the error table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/common_settings.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kTikTokApiHost = "business-api.tiktok.com";
inline constexpr std::string_view kTikTokDefaultBaseUrl = "https://business-api.tiktok.com";
inline constexpr std::string_view kTikTokTrackPath = "/open_api/v1.3/event/track/";
// "max batch size for events 2.0" (Events API 2.0 docs, as cited by the integrations that use it).
inline constexpr std::size_t kTikTokMaxBatchSize = 1000;
// TikTok documents no future limit; capi_test_server rejects more than 10 minutes, as for Meta.
inline constexpr std::int64_t kTikTokMaxFutureMs = 10 * 60 * 1000;

// A TikTok destination's settings.
// config:      {"pixel_code": "C...", "test_event_code": "TEST..."} (+ the common keys)
// credentials: {"access_token": "..."}
struct TikTokSettings {
	std::string pixel_code; // sent as event_source_id
	std::optional<std::string> test_event_code;
	std::string access_token;
	CommonSettings common;
};

// Throws capi::Error 22023 ("destination X: config.pixel_code must be 1 to 64 letters and digits").
TikTokSettings ReadTikTokSettings(const Destination &destination);

// TikTok's event_source for an outbox action_source: website -> web, app -> app,
// system_generated -> crm, every other (physical_store, phone_call, email, chat, ...) -> offline.
std::string_view TikTokEventSource(std::string_view action_source);

// TikTok's event name for an outbox event name: config.event_map, else the default table
// (tiktok_event_names.cpp); nullopt when there is none (the event is skipped).
std::optional<std::string_view> TikTokEventName(const CommonSettings &common, std::string_view outbox_name);

class TikTokAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kTikTok; }
	// test_event_code: the events appear in Events Manager's Test Events; whether TikTok also keeps them is
	// not documented (https://business-api.tiktok.com/portal/docs?id=1771100779668482).
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kCode, "test_event_code", true,
		        "TikTok's Test Events (test_event_code)"};
	}
	std::size_t MaxBatchSize() const noexcept override { return kTikTokMaxBatchSize; }
	// TikTok publishes no request-rate limit for the Events API (it answers code 40100 "Too many
	// requests" when one is hit, which is retried): none by default.
	double DefaultRequestsPerSecond() const noexcept override { return 0; }
	std::vector<std::string_view> OwnHosts() const override { return {kTikTokApiHost}; }
	void Validate(const Destination &destination) const override;
	std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
	                                     std::int64_t now_ms) const override;
	// event_source is per request: web, app, offline and crm events travel apart.
	std::string GroupingKey(const Destination &destination, const OutboxEvent &event) const override;
	std::unique_ptr<RequestBuilder> StartRequest(const Destination &destination,
	                                             const RequestContext &context) const override;
	BatchOutcome Classify(const Destination &destination, std::size_t batch_size, long http_status,
	                      std::string_view body, const ResponseHeaders &headers) const override;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
