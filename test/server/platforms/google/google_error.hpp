// Google's JSON error replies (https://cloud.google.com/apis/design/errors), as both the Data
// Manager API and the Google Ads API send them:
//   {"error":{"code":400,"message":"...","status":"INVALID_ARGUMENT","details":[...]}}
// Data Manager names bad fields with google.rpc.BadRequest fieldViolations ("events[3].event_timestamp");
// the Google Ads API with a GoogleAdsFailure whose errors carry an errorCode and a location
// {"fieldPathElements":[{"fieldName":"conversions","index":3}, ...]}.
#pragma once

#include "server/http/http_message.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace capi::testserver {

inline constexpr std::string_view kGoogleAdsVersionForErrors = "v25";

// The canonical status name of an HTTP status ("INVALID_ARGUMENT" for 400, ...).
const char *GoogleStatusName(int http_status);

HttpResponse GoogleErrorResponse(int http_status, std::string_view message,
                                 nlohmann::json details = nlohmann::json::array());

// A google.rpc.BadRequest detail with one violation.
nlohmann::json BadRequestDetail(std::string_view field, std::string_view description);

// One GoogleAdsFailure error; index: the conversion it concerns, if any.
nlohmann::json AdsError(std::string_view kind, std::string_view code, std::string_view message,
                        std::optional<size_t> index = std::nullopt, std::string_view field = "");
// A GoogleAdsFailure detail holding errors.
nlohmann::json AdsFailureDetail(nlohmann::json errors, std::string_view request_id);

} // namespace capi::testserver
