// A platform's user object: the keys under which it takes a person's identifiers, written once per
// platform (src/core/platforms/<name>/<name>_user_object.cpp) and used both by capi.user_data()
// (core/identity/user_data.cpp, from raw identifiers) and by the platform's request body (from the
// stored identity bag, e.g. core/dispatch/user_object_json.hpp).
//
// A flat user object is a table of keys; an object with structure (Google's list of identifiers,
// LinkedIn's userIds / userInfo) is built by a function from the same values.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/identity/field.hpp"
#include "core/identity/identifiers.hpp"

namespace capi::platforms {

using identity::Field;
using identity::PlainKey;

enum class UserKeyForm {
	kFieldArray, // an identity field: every value, as an array of strings
	kFieldFirst, // an identity field: its first value, as a string
	kPlain,      // a plain key (IP, user agent, click id): its first value, as a string
};

// One key of a flat user object. The field's values are in the form the platform wants them
// (hashed or plain, core/identity/wire_form.hpp).
struct UserKey {
	std::string_view name; // the platform's key
	UserKeyForm form;
	Field field;    // kFieldArray, kFieldFirst
	PlainKey plain; // kPlain
};

constexpr UserKey FieldArray(std::string_view name, Field field) {
	return {name, UserKeyForm::kFieldArray, field, PlainKey{}};
}
constexpr UserKey FieldFirst(std::string_view name, Field field) {
	return {name, UserKeyForm::kFieldFirst, field, PlainKey{}};
}
constexpr UserKey Plain(std::string_view name, PlainKey key) {
	return {name, UserKeyForm::kPlain, Field{}, key};
}

// The values a structured builder reads: one person's identifiers for one platform.
class UserValues {
public:
	virtual ~UserValues() = default;
	// The field's values in the platform's form (hashed or plain), without duplicates.
	virtual std::vector<std::string> Values(Field field) const = 0;
	// The usable values of a plain key; IP addresses must parse (IPv4 only when ipv4_only).
	virtual std::vector<std::string> PlainValues(PlainKey key, bool ipv4_only = false) const = 0;
};

// How one platform's user object is made: a flat table of keys (in the order they are written), or
// build for an object with structure.
struct UserObjectMapping {
	const UserKey *keys = nullptr;
	std::size_t key_count = 0;
	nlohmann::json (*build)(const UserValues &values) = nullptr;

	const UserKey *begin() const { return keys; }
	const UserKey *end() const { return keys + key_count; }
};

// The platform's mapping (src/core/platforms/registry.cpp).
const UserObjectMapping &UserObjectFor(identity::Platform platform);

// ASCII upper case (country codes for Google and LinkedIn).
std::string UpperAscii(std::string value);

} // namespace capi::platforms

#include "core/cpp_only.hpp"
