// Meta Conversions API: POST {base}/{api_version}/{pixel_id}/events with a JSON body
// {"data":[...], "access_token":..., "appsecret_proof":..., "test_event_code":..., "partner_agent":...}.
// The token travels in the body, never in the URL. Mapping and error table: docs/dispatch.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kMetaApiHost = "graph.facebook.com";
inline constexpr std::string_view kMetaDefaultBaseUrl = "https://graph.facebook.com";
inline constexpr std::string_view kMetaDefaultApiVersion = "v25.0";
inline constexpr std::size_t kMetaMaxBatchSize = 1000;
inline constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
inline constexpr std::int64_t kMetaMaxAgeMs = 7 * kDayMs;
inline constexpr std::int64_t kMetaMaxAgePhysicalStoreMs = 62 * kDayMs;
// Events this close to the age limit are failed already: they would expire on the way.
inline constexpr std::int64_t kMetaAgeMarginMs = 60 * 1000;
// Meta's future limit is undocumented; capi_test_server rejects more than 10 minutes.
inline constexpr std::int64_t kMetaMaxFutureMs = 10 * 60 * 1000;

// A Meta destination's settings.
// config:      {"pixel_id": "<digits>", "api_version": "v25.0", "test_event_code": "...", "partner_agent":
// "..."} credentials: {"access_token": "...", "app_secret": "..."}
struct MetaSettings {
	std::string pixel_id;
	std::string api_version; // kMetaDefaultApiVersion when absent
	std::optional<std::string> test_event_code;
	std::optional<std::string> partner_agent;
	std::string access_token;
	std::optional<std::string> appsecret_proof; // hex HMAC-SHA256(key = app_secret, message = access_token)
};

// Throws capi::Error 22023 ("destination X: config.pixel_id must be a string of digits").
MetaSettings ReadMetaSettings(const Destination &destination);

class MetaAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kMeta; }
	// Meta: "Events sent with test_event_code are not dropped. They flow into Events Manager and are used
	// for targeting and ads measurement purposes."
	// (https://developers.facebook.com/docs/marketing-api/conversions-api/using-the-api)
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kCode, "test_event_code", true,
		        "Meta's Test Events (test_event_code)"};
	}
	std::size_t MaxBatchSize() const noexcept override { return kMetaMaxBatchSize; }
	std::vector<std::string_view> OwnHosts() const override { return {kMetaApiHost}; }
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
