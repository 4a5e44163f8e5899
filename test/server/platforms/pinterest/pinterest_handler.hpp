// Pinterest Conversions API (v5): POST /v5/ad_accounts/{ad_account_id}/events[?test=true]
// (https://developers.pinterest.com/docs/api/v5/events-create).
//
// "Authorization: Bearer <token>" (PlatformContext: --token pinterest=TOKEN), a JSON body
// {"data":[...]} of 1 to 1,000 events. A request whose shape is wrong gets 400 {"code","message"}
// naming data[i]; an event that is well formed but unusable (unhashed identifiers, no identifier,
// event_time in milliseconds or in the future) fails alone: the reply is 200 with one status per
// event, {"num_events_received","num_events_processed","events":[{"status":"processed"|"failed",
// "error_message","warning_message"}]}, in request order.
#pragma once

#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

namespace capi::testserver {

class PinterestHandler : public PlatformHandler {
public:
	static constexpr size_t kMaxEventsPerRequest = 1000;

	explicit PinterestHandler(const PlatformContext &context) : context_(context) {}

	const char *name() const override { return "pinterest"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	bool PartialSuccess() const override { return true; }
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

private:
	const PlatformContext &context_;
	simdjson::dom::parser parser_;
};

// Pinterest's error body {"code": code, "message": message} with that HTTP status.
HttpResponse PinterestError(int status, int code, std::string_view message);

} // namespace capi::testserver
