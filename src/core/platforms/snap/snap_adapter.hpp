// Snap Conversions API v3: POST {base}/v3/{pixel_id}/events?access_token=<token> (or
// /v3/{pixel_id}/events/validate when config.validate is true) with a JSON body {"data": [...]}.
// Public sources: https://developers.snap.com/api/marketing-api/Conversions-API (+ /UsingTheAPI,
// /VerifySetUp, /Deduplication). docs/platforms/snap.md has the mapping and the error table.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/common_settings.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kSnapApiHost = "tr.snapchat.com";
inline constexpr std::string_view kSnapDefaultBaseUrl = "https://tr.snapchat.com";
inline constexpr std::size_t kSnapMaxBatchSize = 2000;
inline constexpr std::int64_t kSnapDayMs = 24LL * 60 * 60 * 1000;
// "events can have a date (timestamp) of maximum 37 days back to be eligible to be reported".
inline constexpr std::int64_t kSnapMaxAgeMs = 37 * kSnapDayMs;
// Events this close to the age limit are failed already: they would expire on the way.
inline constexpr std::int64_t kSnapAgeMarginMs = 60 * 1000;
// Snap documents no future limit; capi_test_server rejects more than 10 minutes, as for Meta.
inline constexpr std::int64_t kSnapMaxFutureMs = 10 * 60 * 1000;

// A Snap destination's settings.
// config:      {"pixel_id": "...", "validate": false} (+ the common keys)
// credentials: {"access_token": "..."}
struct SnapSettings {
	std::string pixel_id;
	bool validate = false; // send to /events/validate (Snap's test endpoint)
	std::string access_token;
	CommonSettings common;
};

// Throws capi::Error 22023 ("destination X: config.pixel_id must be ...").
SnapSettings ReadSnapSettings(const Destination &destination);

// Snap's action_source for an outbox action_source: website -> WEB, app -> MOBILE_APP, else OFFLINE.
std::string_view SnapActionSource(std::string_view action_source);

// Snap's event name for an outbox event name: config.event_map, else the default table
// (snap_event_names.cpp); nullopt when there is none (the event is skipped).
std::optional<std::string_view> SnapEventName(const CommonSettings &common, std::string_view outbox_name);

class SnapAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kSnap; }
	// /events/validate: Snap checks the events "without sending actual production events"
	// (https://developers.snap.com/api/marketing-api/Conversions-API/VerifySetUp).
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kFlag, "validate", false,
		        "Snap's validate endpoint (/events/validate)"};
	}
	std::size_t MaxBatchSize() const noexcept override { return kSnapMaxBatchSize; }
	// Snap publishes no request-rate limit for the Conversions API: none by default (429 is retried).
	double DefaultRequestsPerSecond() const noexcept override { return 0; }
	std::vector<std::string_view> OwnHosts() const override { return {kSnapApiHost}; }
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
