#include "core/platforms/linkedin/linkedin_user_object.hpp"

#include <nlohmann/json.hpp>

namespace capi::platforms {
namespace {

using nlohmann::json;

json Build(const UserValues &values) {
	json user_ids = json::array(); // required, even when empty
	for (const auto &hash : values.Values(Field::kEmail))
		user_ids.push_back({{"idType", "SHA256_EMAIL"}, {"idValue", hash}});
	for (const auto &id : values.PlainValues(PlainKey::kLiFatId))
		user_ids.push_back({{"idType", "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"}, {"idValue", id}});
	for (const auto &ip : values.PlainValues(PlainKey::kClientIpAddress, /*ipv4_only=*/true))
		user_ids.push_back({{"idType", "PLAINTEXT_IP_ADDRESS"}, {"idValue", ip}});
	json out{{"userIds", user_ids}};
	auto first = values.Values(Field::kFirstName);
	auto last = values.Values(Field::kLastName);
	// userInfo is plain text and LinkedIn wants both names or neither.
	if (!first.empty() && !last.empty()) {
		json info{{"firstName", first.front()}, {"lastName", last.front()}};
		auto country = values.Values(Field::kCountry);
		if (!country.empty())
			info["countryCode"] = UpperAscii(country.front());
		out["userInfo"] = info;
	}
	auto external = values.Values(Field::kExternalId);
	if (!external.empty())
		out["externalIds"] = json::array({external.front()}); // LinkedIn takes one value
	return out;
}

} // namespace

const UserObjectMapping kLinkedInUserObject{nullptr, 0, &Build};

} // namespace capi::platforms
