#include "core/identity/user_data.hpp"

#include <arpa/inet.h>

#include <array>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/identity/normalize.hpp"

namespace capi::identity {
namespace {

using nlohmann::json;

// Identifiers that are never hashed: network data and the platforms' click and browser ids.
enum class PlainKey {
	kClientIpAddress,
	kClientUserAgent,
	kFbc,
	kFbp,
	kGclid,
	kGbraid,
	kWbraid,
	kTtclid,
	kTtp,
	kLiFatId,
	kScClickId,
	kScCookie1,
	kRdtClickId,
	kRdtUuid,
	kEpik,
	kCount,
};

struct PlainKeyName {
	std::string_view name;
	PlainKey key;
};

constexpr PlainKeyName kPlainKeyNames[] = {
    {"client_ip_address", PlainKey::kClientIpAddress},
    {"client_user_agent", PlainKey::kClientUserAgent},
    {"fbc", PlainKey::kFbc},
    {"fbp", PlainKey::kFbp},
    {"gclid", PlainKey::kGclid},
    {"gbraid", PlainKey::kGbraid},
    {"wbraid", PlainKey::kWbraid},
    {"ttclid", PlainKey::kTtclid},
    {"ttp", PlainKey::kTtp},
    {"li_fat_id", PlainKey::kLiFatId},
    {"sc_click_id", PlainKey::kScClickId},
    {"sc_cookie1", PlainKey::kScCookie1},
    {"rdt_click_id", PlainKey::kRdtClickId},
    {"rdt_uuid", PlainKey::kRdtUuid},
    {"epik", PlainKey::kEpik},
};

constexpr std::size_t kFieldCount = static_cast<std::size_t>(Field::kStreet) + 1;
constexpr std::size_t kPlainCount = static_cast<std::size_t>(PlainKey::kCount);

const PlainKeyName *FindPlainKey(std::string_view name) {
	for (const auto &entry : kPlainKeyNames)
		if (entry.name == name)
			return &entry;
	return nullptr;
}

std::string AcceptedKeys() {
	std::string keys =
	    "email, phone, first_name, last_name, city, state, zip, country, gender, date_of_birth, "
	    "external_id, street (or em, ph, fn, ln, ct, st, zp, ge, db)";
	for (const auto &entry : kPlainKeyNames) {
		keys += ", ";
		keys += entry.name;
	}
	return keys;
}

std::string_view TrimSpaces(std::string_view s) {
	auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
	while (!s.empty() && is_space(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && is_space(s.back()))
		s.remove_suffix(1);
	return s;
}

void AppendUnique(std::vector<std::string> &values, std::string value) {
	for (const auto &existing : values)
		if (existing == value)
			return;
	values.push_back(std::move(value));
}

// The raw values given for each key, in input order.
class RawIdentifiers {
public:
	explicit RawIdentifiers(const json &identifiers) {
		if (!identifiers.is_object())
			throw Error(
			    sqlstate::kInvalidParameterValue, "identifiers must be a JSON object",
			    "Pass an object such as {\"email\": \"a@example.com\", \"phone\": \"+1 650 555 1212\"}.");
		for (const auto &[key, value] : identifiers.items()) {
			std::vector<std::string> *target = Target(key);
			if (value.is_array()) {
				for (const auto &element : value)
					Add(key, element, *target);
			} else {
				Add(key, value, *target);
			}
		}
	}

	const std::vector<std::string> &Of(Field field) const { return fields_[static_cast<std::size_t>(field)]; }
	const std::vector<std::string> &Of(PlainKey key) const { return plain_[static_cast<std::size_t>(key)]; }

private:
	std::vector<std::string> *Target(const std::string &key) {
		if (auto field = FindField(key))
			return &fields_[static_cast<std::size_t>(*field)];
		if (const PlainKeyName *plain = FindPlainKey(key))
			return &plain_[static_cast<std::size_t>(plain->key)];
		throw Error(sqlstate::kInvalidParameterValue, "unknown identifier key \"" + key + "\"",
		            "Valid keys are: " + AcceptedKeys() + ".");
	}

	static void Add(const std::string &key, const json &value, std::vector<std::string> &target) {
		if (value.is_null())
			return;
		if (value.is_string()) {
			target.push_back(value.get<std::string>());
		} else if (value.is_number()) {
			target.push_back(value.dump()); // a zip or phone stored as a number
		} else {
			throw Error(sqlstate::kInvalidParameterValue,
			            "identifier \"" + key + "\" must be a string, a number, null or an array of those");
		}
	}

	std::array<std::vector<std::string>, kFieldCount> fields_;
	std::array<std::vector<std::string>, kPlainCount> plain_;
};

bool IsIpAddress(const std::string &value, bool ipv4_only) {
	unsigned char buffer[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, value.c_str(), buffer) == 1)
		return true;
	return !ipv4_only && inet_pton(AF_INET6, value.c_str(), buffer) == 1;
}

// Normalizes/hashes the raw identifiers for one platform.
class Builder {
public:
	Builder(const RawIdentifiers &raw, Platform platform, std::string_view region)
	    : raw_(raw), platform_(platform), region_(region) {}

	// SHA-256 hex of every value of field that normalizes, without duplicates.
	std::vector<std::string> Hashes(Field field) const {
		std::vector<std::string> result;
		std::string hashed;
		for (const auto &value : raw_.Of(field))
			if (Hash(field, platform_, value, region_, hashed))
				AppendUnique(result, hashed);
		return result;
	}

	// Normalized (not hashed) values of field.
	std::vector<std::string> Normalized(Field field) const {
		std::vector<std::string> result;
		std::string normalized;
		for (const auto &value : raw_.Of(field))
			if (Normalize(field, platform_, value, region_, normalized))
				AppendUnique(result, normalized);
		return result;
	}

	// Trimmed non-empty values of a plain key; IP addresses must parse.
	std::vector<std::string> Plain(PlainKey key, bool ipv4_only = false) const {
		std::vector<std::string> result;
		for (const auto &value : raw_.Of(key)) {
			std::string trimmed(TrimSpaces(value));
			if (trimmed.empty())
				continue;
			if (key == PlainKey::kClientIpAddress && !IsIpAddress(trimmed, ipv4_only))
				continue;
			AppendUnique(result, std::move(trimmed));
		}
		return result;
	}

	// out[name] = [hashes...] when there is at least one.
	void PutHashArray(json &out, const char *name, Field field) const {
		auto values = Hashes(field);
		if (!values.empty())
			out[name] = values;
	}
	void PutHashString(json &out, const char *name, Field field) const {
		auto values = Hashes(field);
		if (!values.empty())
			out[name] = values.front();
	}
	void PutNormalizedString(json &out, const char *name, Field field) const {
		auto values = Normalized(field);
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
	b.PutHashArray(out, "em", Field::kEmail);
	b.PutHashArray(out, "ph", Field::kPhone);
	b.PutHashArray(out, "fn", Field::kFirstName);
	b.PutHashArray(out, "ln", Field::kLastName);
	b.PutHashArray(out, "ge", Field::kGender);
	if (platform == Platform::kSnap)
		b.PutHashString(out, "db", Field::kDateOfBirth); // Snap's schema: a single string
	else
		b.PutHashArray(out, "db", Field::kDateOfBirth);
	b.PutHashArray(out, "ct", Field::kCity);
	b.PutHashArray(out, "st", Field::kState);
	b.PutHashArray(out, "zp", Field::kZip);
	b.PutHashArray(out, "country", Field::kCountry);
	b.PutHashArray(out, "external_id", Field::kExternalId);
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
	for (const auto &hash : b.Hashes(Field::kEmail))
		identifiers.push_back({{"emailAddress", hash}});
	for (const auto &hash : b.Hashes(Field::kPhone))
		identifiers.push_back({{"phoneNumber", hash}});
	auto given = b.Hashes(Field::kFirstName);
	auto family = b.Hashes(Field::kLastName);
	auto region = b.Normalized(Field::kCountry);
	auto postal = b.Normalized(Field::kZip);
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
	b.PutHashArray(out, "email", Field::kEmail);
	b.PutHashArray(out, "phone", Field::kPhone);
	b.PutHashArray(out, "external_id", Field::kExternalId);
	b.PutHashString(out, "first_name", Field::kFirstName);
	b.PutHashString(out, "last_name", Field::kLastName);
	b.PutHashString(out, "zip_code", Field::kZip);
	b.PutNormalizedString(out, "city", Field::kCity);
	b.PutNormalizedString(out, "state", Field::kState);
	b.PutNormalizedString(out, "country", Field::kCountry);
	b.PutPlainString(out, "ttclid", PlainKey::kTtclid);
	b.PutPlainString(out, "ttp", PlainKey::kTtp);
	b.PutPlainString(out, "ip", PlainKey::kClientIpAddress);
	b.PutPlainString(out, "user_agent", PlainKey::kClientUserAgent);
	return out;
}

json BuildLinkedIn(const Builder &b) {
	json user_ids = json::array(); // required, even when empty
	for (const auto &hash : b.Hashes(Field::kEmail))
		user_ids.push_back({{"idType", "SHA256_EMAIL"}, {"idValue", hash}});
	for (const auto &id : b.Plain(PlainKey::kLiFatId))
		user_ids.push_back({{"idType", "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID"}, {"idValue", id}});
	for (const auto &ip : b.Plain(PlainKey::kClientIpAddress, /*ipv4_only=*/true))
		user_ids.push_back({{"idType", "PLAINTEXT_IP_ADDRESS"}, {"idValue", ip}});
	json out{{"userIds", user_ids}};
	auto first = b.Normalized(Field::kFirstName);
	auto last = b.Normalized(Field::kLastName);
	// userInfo is plain text and LinkedIn wants both names or neither.
	if (!first.empty() && !last.empty()) {
		json info{{"firstName", first.front()}, {"lastName", last.front()}};
		auto country = b.Normalized(Field::kCountry);
		if (!country.empty())
			info["countryCode"] = UpperAscii(country.front());
		out["userInfo"] = info;
	}
	auto external = b.Normalized(Field::kExternalId);
	if (!external.empty())
		out["externalIds"] = json::array({external.front()}); // LinkedIn takes one value
	return out;
}

json BuildReddit(const Builder &b) {
	json out = json::object();
	b.PutHashString(out, "email", Field::kEmail);
	b.PutHashString(out, "phone_number", Field::kPhone);
	b.PutHashString(out, "external_id", Field::kExternalId);
	b.PutPlainString(out, "ip_address", PlainKey::kClientIpAddress);
	b.PutPlainString(out, "user_agent", PlainKey::kClientUserAgent);
	b.PutPlainString(out, "uuid", PlainKey::kRdtUuid);
	return out;
}

} // namespace

bool IsPlainIdentifierKey(std::string_view key) noexcept {
	return FindPlainKey(key) != nullptr;
}

json BuildUserData(const json &identifiers, Platform platform, std::string_view region) {
	RawIdentifiers raw(identifiers);
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

} // namespace capi::identity
