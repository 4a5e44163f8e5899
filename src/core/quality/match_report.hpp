// capi.match_quality(user_data, platform): the estimated score of one event's identifiers for a
// platform, each identifier's contribution, and what to add or fix to raise it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/identity/field.hpp"
#include "core/quality/match_keys.hpp"

namespace capi::quality {

// A stored identity bag held as a parsed JSON object (StoredValues over nlohmann::json).
class JsonBag final : public StoredValues {
public:
	explicit JsonBag(const nlohmann::json &bag) : bag_(bag) {}
	KeyState Probe(std::string_view key, ValueTest usable) const override;

private:
	const nlohmann::json &bag_;
};

// user_data_json: raw identifiers or a stored bag (what capi.outbox keeps), as capi.user_data()
// accepts them. They are built into the bag an outbox INSERT would store (region reads national
// phone numbers and zips), which is then scored with the user_data keys that could not be used,
// exactly as capi.match_quality_report scores the stored rows. Returns
//   {"platform": "meta", "score": 6.3,
//    "identifiers": {"em": {"status": "present", "weight": 2.4, "contribution": 2.4, "key": "email"}, ...},
//    "unusable": ["phone"],
//    "to_add": [{"action": "add", "keys": ["fbc"], "gain": 1.2}, ...]}
// status: present, missing, unusable (given, but no usable value for this platform: not normalizable,
// the SHA-256 of "", a digest where the platform needs clear text, an IPv6 address for LinkedIn) or
// not_sent (the platform takes it, the outbox never sends it). identifiers lists the keys the platform
// uses; to_add is ordered by gain, largest first. Throws as BuildIdentityBag does (22023, 22P02).
nlohmann::json MatchQualityReport(std::string_view user_data_json, identity::Platform platform,
                                  std::string_view region);

// Scores an already stored bag with the outbox's unusable_identifiers (the user_data keys its INSERT
// could not use): the same result as MatchQualityReport on the raw identifiers that produced them.
nlohmann::json MatchQualityReportOfBag(const nlohmann::json &bag, const std::vector<std::string> &unusable,
                                       identity::Platform platform);

} // namespace capi::quality

#include "core/cpp_only.hpp"
