// Reddit Conversions API v3: POST /api/v3/pixels/{pixel_id}/conversion_events
// (https://ads-api.reddit.com/docs/v3/operations/Post%20Conversion%20Events).
//
// "Authorization: Bearer <token>" (PlatformContext: --token reddit=TOKEN), a JSON body
// {"data": {"test_id": ..., "events": [...]}} of 1 to 1,000 events. One invalid event rejects the
// whole request, as Reddit does: 400 {"message": "There were N invalid conversion events. None were
// processed.", "invalid_events": [{"error_message": ...}]}, without positions. Success:
// 200 {"message": "Successfully processed N conversion events."}.
#pragma once

#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

namespace capi::testserver {

class RedditHandler : public PlatformHandler {
public:
	static constexpr size_t kMaxEventsPerRequest = 1000;

	explicit RedditHandler(const PlatformContext &context) : context_(context) {}

	const char *name() const override { return "reddit"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

private:
	const PlatformContext &context_;
	simdjson::dom::parser parser_;
};

} // namespace capi::testserver
