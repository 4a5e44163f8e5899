// Reddit Conversions API v3: POST {base}/api/v3/pixels/{pixel_id}/conversion_events with
// "Authorization: Bearer <conversion access token>" and a JSON body
// {"data": {"test_id": ..., "events": [...]}} of up to 1,000 events
// (https://ads-api.reddit.com/docs/v3/operations/Post%20Conversion%20Events). One invalid event makes
// Reddit reject the whole request, so Add refuses every event Reddit would refuse (age, future,
// hash format) and a rejected batch is split by the pipeline to isolate the culprit.
// Mapping, limits and error table: docs/platforms/reddit.md.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/common_settings.hpp"

namespace capi::dispatch {

inline constexpr std::string_view kRedditApiHost = "ads-api.reddit.com";
inline constexpr std::string_view kRedditDefaultBaseUrl = "https://ads-api.reddit.com";
// "up to 1,000 events per request" (https://ads-api.reddit.com/docs/v3/capi-best-practices).
inline constexpr std::size_t kRedditMaxBatchSize = 1000;
// Reddit publishes 5,000 requests a minute per pixel for the Conversions API
// (https://ads-api.reddit.com/docs/v3/capi-best-practices), but a one-request-a-second limit for the
// whole Ads API is also claimed and not refuted: the lower figure is the default (the safe reading;
// events coalesce, so one request a second still carries up to 1,000 events).
inline constexpr double kRedditRequestsPerSecond = 1.0;
// "event_at timestamp must be less than 168h0m0s old"; at most 5 minutes in the future.
inline constexpr std::int64_t kRedditMaxAgeMs = 168LL * 60 * 60 * 1000;
inline constexpr std::int64_t kRedditMaxFutureMs = 5 * 60 * 1000;
// Events this close to the age limit are refused already: they would expire on the way.
inline constexpr std::int64_t kRedditAgeMarginMs = 60 * 1000;
inline constexpr std::size_t kRedditMaxCustomEventName = 64;

// A Reddit destination's settings.
// config:      {"pixel_id": "<pixel id>", "test_id": "<Events Manager test id>"} (+ the common keys)
// credentials: {"access_token": "<conversion access token>"}
struct RedditSettings {
	std::string pixel_id;
	std::optional<std::string> test_id;
	std::string access_token;
	CommonSettings common;
};

// Throws capi::Error 22023 ("destination X: config.pixel_id must be ...").
RedditSettings ReadRedditSettings(const Destination &destination);

// Reddit's event type for an outbox event name: a standard tracking_type (PURCHASE, ...) or a custom
// event name (config.event_map first, then the defaults); nullopt when Reddit takes no such event.
struct RedditEventType {
	std::string_view tracking_type;     // PURCHASE, ..., or CUSTOM
	std::string_view custom_event_name; // with CUSTOM
};
std::optional<RedditEventType> RedditEventTypeFor(const CommonSettings &common, std::string_view outbox_name);

// Writes Reddit's metadata object (conversion_id, currency, value, item_count, products) from the
// event id and the outbox's custom_data text.
class RedditMetadataWriter {
public:
	RedditMetadataWriter();
	~RedditMetadataWriter();
	RedditMetadataWriter(const RedditMetadataWriter &) = delete;
	RedditMetadataWriter &operator=(const RedditMetadataWriter &) = delete;

	// Appends ,"metadata":{...} to out (nothing when empty); on a problem out is unchanged.
	std::optional<std::string> Append(std::string *out, std::string_view event_id,
	                                  std::string_view custom_data_json);

private:
	struct Parser;
	std::unique_ptr<Parser> parser_;
	std::string scratch_;
};

class RedditAdapter final : public PlatformAdapter {
public:
	identity::Platform platform() const noexcept override { return identity::Platform::kReddit; }
	// data.test_id: the events appear in Events Manager's testing tool; whether Reddit also keeps them is
	// not documented (https://ads-api.reddit.com/docs/v3/operations/Post%20Conversion%20Events).
	TestModeSupport TestMode() const noexcept override {
		return {TestModeSupport::Form::kCode, "test_id", true, "Reddit's test mode (test_id)"};
	}
	std::size_t MaxBatchSize() const noexcept override { return kRedditMaxBatchSize; }
	double DefaultRequestsPerSecond() const noexcept override { return kRedditRequestsPerSecond; }
	std::vector<std::string_view> OwnHosts() const override { return {kRedditApiHost}; }
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
