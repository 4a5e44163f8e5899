// LinkedIn Conversions API: POST /rest/conversionEvents as a BATCH_CREATE
// (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads-reporting/conversions-api).
//
// Strict like LinkedIn: Authorization: Bearer (static --token linkedin=T or one issued by
// /oauth/v2/accessToken), LinkedIn-Version (missing: 400 VERSION_MISSING; sunset, i.e. released more
// than 12 months before today, or not released yet: 426 NONEXISTENT_VERSION), X-Restli-Protocol-Version
// 2.0.0, X-RestLi-Method BATCH_CREATE, {"elements":[...]} of 1 to 5,000 elements, each checked
// (linkedin_element_validator.hpp). All or nothing: any bad element gives a 422 naming every bad one
// as "Index: N, ERROR :: ...". Success: 200 {"elements":[{"status":201}, ...]}.
#pragma once

#include "server/platforms/linkedin/linkedin_error.hpp"
#include "server/platforms/platform_context.hpp"
#include "server/platforms/platform_handler.hpp"

namespace capi::testserver {

class LinkedInHandler : public PlatformHandler {
public:
	static constexpr size_t kMaxElements = 5000;

	explicit LinkedInHandler(const PlatformContext &context) : context_(context) {}

	const char *name() const override { return "linkedin"; }
	bool Matches(const HttpRequest &request) const override;
	void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) override;
	HttpResponse SuccessResponse(const HandlerOutcome &outcome) override;
	HttpResponse InvalidEventResponse(size_t index, std::string_view detail) override;
	HttpResponse StatusFault(int status) override;
	// "linkedin_error": {"status", "code", "serviceErrorCode", "message"} or {"index": N, "message"}
	// (a 422 naming element N).
	HttpResponse ErrorFault(const nlohmann::json &spec, int status) override;

private:
	const PlatformContext &context_;
	simdjson::dom::parser parser_;
};

// Whether LinkedIn serves version (YYYYMM or YYYYMM.NN) on the day now_unix_s: released, and not more
// than 12 months ago (a version is sunset in the middle of its month a year later).
bool LinkedInVersionIsLive(std::string_view version, int64_t now_unix_s);

} // namespace capi::testserver
