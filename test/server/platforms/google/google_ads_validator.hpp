// Google Ads API uploadClickConversions checks
// (https://developers.google.com/google-ads/api/docs/conversions/upload-clicks). A malformed body
// fails the whole request; a bad conversion is a row error (with partialFailure: a 200 naming it).
#pragma once

#include "server/platforms/google/google_data_manager_validator.hpp"
#include "server/platforms/platform_handler.hpp"

#include <simdjson.h>

#include <string>
#include <vector>

namespace capi::testserver {

inline constexpr size_t kAdsMaxConversions = 2000;
inline constexpr size_t kAdsMaxUserIdentifiers = 5;

struct AdsRowError {
	size_t index = 0;
	std::string kind; // "conversionUploadError"
	std::string code; // "EXPIRED_EVENT"
	std::string message;
	std::string field; // "conversion_date_time"
};

struct AdsValidation {
	bool partial_failure = false;
	std::vector<AdsRowError> row_errors;                // ascending index
	std::vector<size_t> accepted_positions;             // request positions of outcome->events
	std::string request_error_kind, request_error_code; // a request-level failure (problem is set)
};

// false: the request fails as a whole (problem). true: outcome->events holds the valid conversions
// (event_name = conversion action id, event_id = orderId, event_time in Unix seconds) and
// validation->row_errors the others.
bool ValidateUploadClickConversions(simdjson::dom::element root, int64_t now_s, HandlerOutcome *outcome,
                                    AdsValidation *validation, GoogleFieldProblem *problem);

} // namespace capi::testserver
