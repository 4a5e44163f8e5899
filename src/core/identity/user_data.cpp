#include "core/identity/user_data.hpp"

#include <string>
#include <unordered_set>
#include <vector>

#include "core/error.hpp"
#include "core/identity/identifiers.hpp"
#include "core/identity/wire_form.hpp"
#include "core/interrupt.hpp"

namespace capi::identity {
namespace {

using nlohmann::json;

// Normalizes/hashes the raw identifiers for one platform.
class Builder {
public:
	Builder(const RawIdentifiers &raw, Platform platform, std::string_view region)
	    : raw_(raw), platform_(platform), region_(region) {}

	// The values of field the platform's payload carries (hashed or plain as it wants, wire_form.hpp),
	// from "field@platform" when given, else from the field's own keys; without duplicates.
	std::vector<std::string> Values(Field field) const {
		std::vector<std::string> result;
		std::unordered_set<std::string> seen; // linear deduplication, whatever the number of values
		std::string value;
		for (const auto &raw : raw_.For(field, platform_)) {
			CheckForInterrupt();
			if (PayloadValue(field, platform_, raw, region_, value) && seen.insert(value).second)
				result.push_back(value);
		}
		return result;
	}

	// Trimmed non-empty values of a plain key; IP addresses must parse.
	std::vector<std::string> Plain(PlainKey key, bool ipv4_only = false) const {
		return UsablePlainValues(raw_, key, ipv4_only);
	}

	// out[name] = [values...] when there is at least one.
	void PutArray(json &out, const char *name, Field field) const {
		auto values = Values(field);
		if (!values.empty())
			out[name] = values;
	}
	// out[name] = the first value, when there is one.
	void PutString(json &out, const char *name, Field field) const {
		auto values = Values(field);
		if (!values.empty())
			out[name] = values.front();
	}
	void PutPlainString(json &out, const char *name, PlainKey key) const {
		auto values = Plain(key);
		if (!values.empty())
			out[name] = values.front();
	}

private:
	const RawIdentifiers &raw_;
	Platform platform_;
	std::string_view region_;
};

std::string UpperAscii(std::string value) {
	for (char &c : value)
		if (c >= 'a' && c <= 'z')
			c = static_cast<char>(c - 'a' + 'A');
	return value;
}

// Meta, Snap and Pinterest share Meta's user_data shape: short keys, arrays of hashes.
json BuildMetaStyle(const Builder &b, Platform platform) {
	json out = json::object();
	b.PutArray(out, "em", Field::kEmail);
	b.PutArray(out, "ph", Field::kPhone);
	b.PutArray(out, "fn", Field::kFirstName);
	b.PutArray(out, "ln", Field::kLastName);
	b.PutArray(out, "ge", Field::kGender);
	if (platform == Platform::kSnap)
		b.PutString(out, "db", Field::kDateOfBirth); // Snap's schema: a single string
	else
		b.PutArray(out, "db", Field::kDateOfBirth);
	b.PutArray(out, "ct", Field::kCity);
	b.PutArray(out, "st", Field::kState);
	b.PutArray(out, "zp", Field::kZip);
	b.PutArray(out, "country", Field::kCountry);
	b.PutArray(out, "external_id", Field::kExternalId);
	b.PutPlainString(out, "client_ip_address", PlainKey::kClientIpAddress);
	b.PutPlainString(out, "client_user_agent", PlainKey::kClientUserAgent);
	switch (platform) {
	case Platform::kMeta:
		b.PutPlainString(out, "fbc", PlainKey::kFbc);
		b.PutPlainString(out, "fbp", PlainKey::kFbp);
		break;
	case Platform::kSnap:
		b.PutPlainString(out, "sc_click_id", PlainKey::kScClickId);
		b.PutPlainString(out, "sc_cookie1", PlainKey::kScCookie1);
		break;
	case Platform::kPinterest:
		b.PutPlainString(out, "click_id", PlainKey::kEpik);
		break;
	default:
		break;
	}
	return out;
}

// Google Data Manager's userData: one identifier per element, address fields plain but names hashed.
json BuildGoogle(const Builder &b) {
	json identifiers = json::array();
	for (const auto &hash : b.Values(Field::kEmail))
		identifiers.push_back({{"emailAddress", hash}});
	for (const auto &hash : b.Values(Field::kPhone))
		identifiers.push_back({{"phoneNumber", hash}});
	auto given = b.Values(Field::kFirstName);
	auto family = b.Values(Field::kLastName);
	auto region = b.Values(Field::kCountry);
	auto postal = b.Values(Field::kZip);
	// An address identifier needs all four parts, or Google rejects the request.
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

json BuildTikTok(const Builder &b) {
	json out = json::object();
	b.PutArray(out, "email", Field::kEmail);
	b.PutArray(out, "phone", Field::kPhone);
	b.PutArray(out, "external_id", Field::kExternalId);
	b.PutString(out, "first_name", Field::kFirstName);
	b.PutString(out, "last_name", Field::kLastName);
	b.PutString(out, "zip_code", Field::kZip);
	b.PutString(out, "city", Field::kCity);
	b.PutString(out, "state", Field::kState);
	b.PutString(out, "country", Field::kCountry);
	b.PutPlainString(out, "ttclid", PlainKey::kTtclid);
	b.PutPlainString(out, "ttp", PlainKey::kTtp);
	b.PutPlainString(out, "ip", PlainKey::kClientIpAddress);
	b.PutPlainString(out, "user_agent", PlainKey::kClientUserAgent);
	return out;
}

json BuildLinkedIn(const Builder &b) {
	json user_ids = json::array(); // required, even when empty
	for (const auto &hash : b.Values(Field::kEmail))
		user_ids.push_back({{"idType", "SHA256_EMAIL"}, {"idValue", hash}});
	for (const auto &id : b.Plain(PlainKey::kLiFatId))
		user_ids.push_back({{"idType", "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"}, {"idValue", id}});
	for (const auto &ip : b.Plain(PlainKey::kClientIpAddress, /*ipv4_only=*/true))
		user_ids.push_back({{"idType", "PLAINTEXT_IP_ADDRESS"}, {"idValue", ip}});
	json out{{"userIds", user_ids}};
	auto first = b.Values(Field::kFirstName);
	auto last = b.Values(Field::kLastName);
	// userInfo is plain text and LinkedIn wants both names or neither.
	if (!first.empty() && !last.empty()) {
		json info{{"firstName", first.front()}, {"lastName", last.front()}};
		auto country = b.Values(Field::kCountry);
		if (!country.empty())
			info["countryCode"] = UpperAscii(country.front());
		out["userInfo"] = info;
	}
	auto external = b.Values(Field::kExternalId);
	if (!external.empty())
		out["externalIds"] = json::array({external.front()}); // LinkedIn takes one value
	return out;
}

json BuildReddit(const Builder &b) {
	json out = json::object();
	b.PutString(out, "email", Field::kEmail);
	b.PutString(out, "phone_number", Field::kPhone);
	b.PutString(out, "external_id", Field::kExternalId);
	b.PutPlainString(out, "ip_address", PlainKey::kClientIpAddress);
	b.PutPlainString(out, "user_agent", PlainKey::kClientUserAgent);
	b.PutPlainString(out, "uuid", PlainKey::kRdtUuid);
	return out;
}

json Build(const RawIdentifiers &raw, Platform platform, std::string_view region) {
	Builder builder(raw, platform, region);
	switch (platform) {
	case Platform::kMeta:
	case Platform::kSnap:
	case Platform::kPinterest:
		return BuildMetaStyle(builder, platform);
	case Platform::kGoogle:
		return BuildGoogle(builder);
	case Platform::kTikTok:
		return BuildTikTok(builder);
	case Platform::kLinkedIn:
		return BuildLinkedIn(builder);
	case Platform::kReddit:
		return BuildReddit(builder);
	}
	throw Error(sqlstate::kInternalError, "unhandled platform");
}

} // namespace

bool IsPlainIdentifierKey(std::string_view key) noexcept {
	return FindPlainKey(key).has_value();
}

json BuildUserData(const json &identifiers, Platform platform, std::string_view region) {
	RawIdentifiers raw;
	raw.Read(identifiers);
	return Build(raw, platform, region);
}

json BuildUserData(std::string_view identifiers_json, Platform platform, std::string_view region) {
	RawIdentifiers raw;
	raw.Parse(identifiers_json);
	return Build(raw, platform, region);
}

} // namespace capi::identity
