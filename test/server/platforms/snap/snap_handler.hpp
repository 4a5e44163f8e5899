// Snap Conversions API v3: POST /v3/{pixel_id}/events?access_token=... and its test endpoint
// /v3/{pixel_id}/events/validate (https://developers.snap.com/api/marketing-api/Conversions-API/UsingTheAPI,
// /VerifySetUp).
//
// As strict as Snap: the access_token query parameter (HTTP 401 when missing or not accepted), a
// JSON body {"data": [1..2000 events]}, every event checked (event_name from Snap's enum, event_time
// in Unix seconds within 37 days and not more than 10 minutes ahead, action_source WEB / MOBILE_APP /
// OFFLINE, hashed user_data keys as 64 lowercase hex, Snap's minimum identifiers, the LDU options).
// Answers {"status": "VALID"} (the validate endpoint adds "test_event" and "event_logs"), or HTTP 400
// {"status": "INVALID", "reason", "event": <index>, "errors": {...}}: one bad event rejects the whole
// request (Snap's partial-batch semantics are UNCONFIRMED; the stand-in takes the strict reading).
#pragma once

#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

#include <optional>
#include <string>

namespace capi::testserver {

class SnapHandler : public PlatformHandler {
public:
	static constexpr size_t kMaxEventsPerRequest = 2000;
	static constexpr int64_t kMaxAgeS = 37LL * 24 * 60 * 60;
	// Snap documents no future limit; as for Meta, more than 10 minutes ahead is refused.
	static constexpr int64_t kMaxFutureS = 10 * 60;

	explicit SnapHandler(const PlatformContext &context) : context_(context) {}

	const char *name() const override { return "snap"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

	// Snap's INVALID reply: {"status":"INVALID","reason", "event"?: index, "errors": {"codes",
	// "error_msgs"}}.
	static HttpResponse Invalid(int status, std::string_view reason,
	                            std::optional<size_t> event = std::nullopt,
	                            std::string_view code = "INVALID_REQUEST");

private:
	void Reject(HandlerOutcome *outcome, int status, std::string_view reason,
	            std::optional<size_t> event = std::nullopt);

	const PlatformContext &context_;
	simdjson::dom::parser parser_;
};

} // namespace capi::testserver
