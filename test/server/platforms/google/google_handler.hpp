// Google, both APIs behind one handler "google":
//   POST /v1/events:ingest                               Data Manager API
//   POST /v{NN}/customers/{customer id}:uploadClickConversions   Google Ads API
// Both require "Authorization: Bearer <token>" (OAuth tokens from POST /token, or --token
// google=...); the Ads API also the developer-token header and a digits-only login-customer-id when
// given. Data Manager fails the whole request on the first bad field (400 with a BadRequest naming
// "events[N]..."); the Ads API with partialFailure answers 200 with the valid rows' results and a
// partialFailureError naming the bad rows (fieldPathElements conversions[N]).
// Stats and records: destination = the operating account / customer id; event_name = the conversion
// action id; event_id = transactionId / orderId.
#pragma once

#include "server/platforms/google/google_ads_validator.hpp"
#include "server/platforms/google/google_data_manager_validator.hpp"
#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

#include <map>
#include <string>

namespace capi::testserver {

class GoogleHandler : public PlatformHandler {
public:
	explicit GoogleHandler(const PlatformContext &context) : context_(context) {}

	const char *name() const override { return "google"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	// The Ads API with partialFailure names bad rows in its success reply.
	bool PartialSuccess() const override { return last_ads_ && last_partial_failure_; }
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	// "google_error": {"status": 403, "message": "...", "details": [...]} (details optional; "status"
	// may also be the canonical name such as "PERMISSION_DENIED").
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

private:
	void Reject(HandlerOutcome *outcome, HttpResponse response);
	bool CheckAuthorization(const HttpRequest &request, HandlerOutcome *outcome);
	void HandleDataManager(simdjson::dom::element root, int64_t now_s, HandlerOutcome *outcome);
	void HandleAds(const HttpRequest &request, simdjson::dom::element root, int64_t now_s,
	               HandlerOutcome *outcome);

	const PlatformContext &context_;
	simdjson::dom::parser parser_;
	bool last_ads_ = false;
	bool last_partial_failure_ = false;
	std::map<size_t, AdsRowError> row_errors_; // the last Ads request's, by position
	std::string request_id_;
};

} // namespace capi::testserver
