#include "core/identity/field.hpp"

#include <string>

#include "core/error.hpp"

namespace capi::identity {
namespace {

struct FieldName {
	std::string_view name;
	Field field;
};

constexpr FieldName kFieldNames[] = {
    {"email", Field::kEmail},
    {"phone", Field::kPhone},
    {"first_name", Field::kFirstName},
    {"last_name", Field::kLastName},
    {"city", Field::kCity},
    {"state", Field::kState},
    {"zip", Field::kZip},
    {"country", Field::kCountry},
    {"gender", Field::kGender},
    {"date_of_birth", Field::kDateOfBirth},
    {"external_id", Field::kExternalId},
    {"street", Field::kStreet},
    // Meta's short keys
    {"em", Field::kEmail},
    {"ph", Field::kPhone},
    {"fn", Field::kFirstName},
    {"ln", Field::kLastName},
    {"ct", Field::kCity},
    {"st", Field::kState},
    {"zp", Field::kZip},
    {"ge", Field::kGender},
    {"db", Field::kDateOfBirth},
};

struct PlatformNameEntry {
	std::string_view name;
	Platform platform;
};

constexpr PlatformNameEntry kPlatformNames[] = {
    {"meta", Platform::kMeta},           {"google", Platform::kGoogle}, {"tiktok", Platform::kTikTok},
    {"linkedin", Platform::kLinkedIn},   {"snap", Platform::kSnap},     {"reddit", Platform::kReddit},
    {"pinterest", Platform::kPinterest},
};

constexpr bool IsSpace(char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view TrimAscii(std::string_view s) {
	while (!s.empty() && IsSpace(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && IsSpace(s.back()))
		s.remove_suffix(1);
	return s;
}

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view lower) {
	if (a.size() != lower.size())
		return false;
	for (std::size_t i = 0; i < a.size(); i++) {
		char c = a[i];
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
		if (c != lower[i])
			return false;
	}
	return true;
}

template <typename Entries> std::string JoinNames(const Entries &entries) {
	std::string names;
	for (const auto &entry : entries) {
		if (!names.empty())
			names += ", ";
		names += entry.name;
	}
	return names;
}

} // namespace

std::optional<Field> FindField(std::string_view name) noexcept {
	name = TrimAscii(name);
	for (const auto &entry : kFieldNames)
		if (EqualsIgnoringAsciiCase(name, entry.name))
			return entry.field;
	return std::nullopt;
}

std::optional<Platform> FindPlatform(std::string_view name) noexcept {
	name = TrimAscii(name);
	for (const auto &entry : kPlatformNames)
		if (EqualsIgnoringAsciiCase(name, entry.name))
			return entry.platform;
	return std::nullopt;
}

Field ParseField(std::string_view name) {
	if (auto field = FindField(name))
		return *field;
	throw Error(sqlstate::kInvalidParameterValue, "unknown identifier field \"" + std::string(name) + "\"",
	            "Valid fields are: " + JoinNames(kFieldNames) + ".");
}

Platform ParsePlatform(std::string_view name) {
	if (auto platform = FindPlatform(name))
		return *platform;
	throw Error(sqlstate::kInvalidParameterValue, "unknown platform \"" + std::string(name) + "\"",
	            "Valid platforms are: " + JoinNames(kPlatformNames) + ".");
}

std::string_view FieldName(Field field) noexcept {
	for (const auto &entry : kFieldNames)
		if (entry.field == field)
			return entry.name; // the long names come first in the table
	return "unknown";
}

std::string_view PlatformName(Platform platform) noexcept {
	for (const auto &entry : kPlatformNames)
		if (entry.platform == platform)
			return entry.name;
	return "unknown";
}

} // namespace capi::identity
