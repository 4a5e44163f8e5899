#include "core/platforms/google/google_user_object.hpp"

#include <nlohmann/json.hpp>

namespace capi::platforms {
namespace {

using nlohmann::json;

json Build(const UserValues &values) {
	json identifiers = json::array();
	for (const auto &hash : values.Values(Field::kEmail))
		identifiers.push_back({{"emailAddress", hash}});
	for (const auto &hash : values.Values(Field::kPhone))
		identifiers.push_back({{"phoneNumber", hash}});
	auto given = values.Values(Field::kFirstName);
	auto family = values.Values(Field::kLastName);
	auto region = values.Values(Field::kCountry);
	auto postal = values.Values(Field::kZip);
	// An address identifier needs all four parts, or Google rejects the request. Address fields are
	// plain, names hashed (wire_form.hpp).
	if (!given.empty() && !family.empty() && !region.empty() && !postal.empty())
		identifiers.push_back({{"address",
		                        {{"givenName", given.front()},
		                         {"familyName", family.front()},
		                         {"regionCode", UpperAscii(region.front())},
		                         {"postalCode", postal.front()}}}});
	constexpr std::size_t kMaxIdentifiers = 10; // Data Manager's per-event limit
	if (identifiers.size() > kMaxIdentifiers)
		identifiers.erase(identifiers.begin() + kMaxIdentifiers, identifiers.end());
	return json{{"userIdentifiers", identifiers}};
}

} // namespace

const UserObjectMapping kGoogleUserObject{nullptr, 0, &Build};

} // namespace capi::platforms
