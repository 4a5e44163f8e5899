// One element of a LinkedIn conversionEvents BATCH_CREATE, checked as LinkedIn's schema does
// (https://learn.microsoft.com/en-us/linkedin/marketing/integrations/ads-reporting/conversions-api-schema).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <vector>

namespace capi::testserver {

inline constexpr int64_t kLinkedInMaxAgeMs = 90LL * 24 * 60 * 60 * 1000;
inline constexpr int64_t kLinkedInMaxFutureMs = 10 * 60 * 1000; // undocumented; pg_capi's own limit

// The element's problems as "/path :: problem" (LinkedIn's wording), empty when it is valid:
//   conversion           required, "urn:lla:llaPartnerConversion:<digits>"
//   conversionHappenedAt required, epoch milliseconds, at most 90 days old, not 10 minutes ahead
//   conversionValue      optional {currencyCode: 3 upper-case letters, amount: decimal string}
//   eventId              optional string
//   user                 required {userIds: [{idType, idValue}] (required, may be empty),
//                        userInfo {firstName, lastName required; title, companyName, countryCode},
//                        externalIds [one string], lead}: at least one userId or userInfo
//   any other key        "is not part of the schema"
std::vector<std::string> LinkedInElementProblems(simdjson::dom::element element, int64_t now_ms);

} // namespace capi::testserver
