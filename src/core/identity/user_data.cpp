#include "core/identity/user_data.hpp"

#include <string>
#include <unordered_set>
#include <vector>

#include "core/identity/identifiers.hpp"
#include "core/identity/wire_form.hpp"
#include "core/interrupt.hpp"
#include "core/platforms/user_object.hpp"

namespace capi::identity {
namespace {

using nlohmann::json;

// Normalizes/hashes the raw identifiers for one platform.
class Builder final : public platforms::UserValues {
public:
	Builder(const RawIdentifiers &raw, Platform platform, Region region)
	    : raw_(raw), platform_(platform), region_(region) {}

	// The values of field the platform's payload carries (hashed or plain as it wants, wire_form.hpp),
	// from "field@platform" when given, else from the field's own keys; without duplicates.
	std::vector<std::string> Values(Field field) const override {
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
	std::vector<std::string> PlainValues(PlainKey key, bool ipv4_only = false) const override {
		return UsablePlainValues(raw_, key, ipv4_only);
	}

private:
	const RawIdentifiers &raw_;
	Platform platform_;
	Region region_;
};

// A flat user object: each key of the platform's table that has a value.
json BuildFlat(const Builder &b, const platforms::UserObjectMapping &mapping) {
	json out = json::object();
	for (const platforms::UserKey &key : mapping) {
		std::vector<std::string> values =
		    key.form == platforms::UserKeyForm::kPlain ? b.PlainValues(key.plain) : b.Values(key.field);
		if (values.empty())
			continue;
		if (key.form == platforms::UserKeyForm::kFieldArray)
			out[std::string(key.name)] = values;
		else
			out[std::string(key.name)] = values.front();
	}
	return out;
}

json Build(const RawIdentifiers &raw, Platform platform, Region region) {
	Builder builder(raw, platform, region);
	const platforms::UserObjectMapping &mapping = platforms::UserObjectFor(platform);
	return mapping.build != nullptr ? mapping.build(builder) : BuildFlat(builder, mapping);
}

} // namespace

bool IsPlainIdentifierKey(std::string_view key) noexcept {
	return FindPlainKey(key).has_value();
}

json BuildUserData(const json &identifiers, Platform platform, Region region) {
	RawIdentifiers raw;
	raw.Read(identifiers);
	return Build(raw, platform, region);
}

json BuildUserData(std::string_view identifiers_json, Platform platform, Region region) {
	RawIdentifiers raw;
	raw.Parse(identifiers_json);
	return Build(raw, platform, region);
}

} // namespace capi::identity
