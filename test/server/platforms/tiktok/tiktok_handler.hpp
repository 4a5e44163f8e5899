// TikTok Events API 2.0: POST /open_api/v1.3/event/track/
// (https://business-api.tiktok.com/portal/docs?id=1771100779668482).
//
// As strict as TikTok: the "Access-Token" header (40104 when missing, 40105 when not accepted), a
// JSON body {"event_source": web|app|offline|crm, "event_source_id", "test_event_code"?, "data":
// [1..1000 events]}, every event checked (event name, event_time in Unix seconds, hashed user keys
// as 64 lowercase hex, plain ip / user_agent / city, typed properties). Every answer is HTTP 200 with
// a body {"code", "message", "request_id", "data"}: code 0 is success, 40002 a parameter error
// naming "Batch.<i>.<field>", which rejects the whole request.
#pragma once

#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

#include <string>

namespace capi::testserver {

class TikTokHandler : public PlatformHandler {
public:
	static constexpr size_t kMaxEventsPerRequest = 1000;
	// TikTok documents no future limit; as for Meta, more than 10 minutes ahead is refused.
	static constexpr int64_t kMaxFutureS = 10 * 60;

	explicit TikTokHandler(const PlatformContext &context) : context_(context) {}

	const char *name() const override { return "tiktok"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

	// TikTok's reply body {"code","message","request_id","data":{}} with HTTP status `status`.
	static HttpResponse Reply(int64_t code, std::string_view message, int status = 200);

private:
	void Reject(HandlerOutcome *outcome, int64_t code, std::string_view message);

	const PlatformContext &context_;
	simdjson::dom::parser parser_;
};

} // namespace capi::testserver
