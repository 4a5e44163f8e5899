#include "core/dispatch/identity_bag.hpp"

#include <simdjson.h>

namespace capi::dispatch {
namespace {

using identity::Field;
using simdjson::dom::element;

// The bag uses the long field names only (identity::FieldName), exactly.
constexpr std::string_view kFieldNames[kFieldCount] = {
    "email", "phone",   "first_name", "last_name",     "city",        "state",
    "zip",   "country", "gender",     "date_of_birth", "external_id", "street",
};

// Called for every key of every bag, so cheap comparisons (length, first byte) come first.
std::optional<std::size_t> FindName(const std::string_view *names, std::size_t count, std::string_view key) {
	for (std::size_t i = 0; i < count; ++i) {
		const std::string_view &name = names[i];
		if (name.size() == key.size() && name[0] == key[0] && name == key) {
			return i;
		}
	}
	return std::nullopt;
}

std::optional<std::size_t> FieldIndex(std::string_view name) {
	return name.empty() ? std::nullopt : FindName(kFieldNames, kFieldCount, name);
}

std::optional<std::size_t> PlainKeyIndex(std::string_view name) {
	std::optional<PlainKey> key = identity::FindPlainKey(name);
	if (!key) {
		return std::nullopt;
	}
	return static_cast<std::size_t>(*key);
}

bool IsBlank(std::string_view text) {
	for (char c : text) {
		if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			return false;
		}
	}
	return true;
}

// The member each field takes its values from: "field@<platform>" wins over "field", wherever it stands.
struct FieldMembers {
	std::array<element, kFieldCount> value{};
	std::array<bool, kFieldCount> present{};
	std::array<bool, kFieldCount> suffixed{};
};

// Sorts the bag's members: identity fields (unsuffixed, or suffixed for platform_name; other
// platforms' are skipped) into fields, plain keys (strings, sent as they are) into plain. An error for
// a plain key that is not a string.
std::optional<std::string> SortMembers(simdjson::dom::object object, std::string_view platform_name,
                                       FieldMembers &fields,
                                       std::array<std::string_view, kPlainKeyCount> &plain) {
	for (simdjson::dom::key_value_pair member : object) {
		std::string_view key = member.key;
		size_t at = key.find('@');
		if (at != std::string_view::npos) {
			if (key.substr(at + 1) != platform_name) {
				continue;
			}
			if (std::optional<std::size_t> field = FieldIndex(key.substr(0, at))) {
				fields.value[*field] = member.value;
				fields.present[*field] = true;
				fields.suffixed[*field] = true;
			}
			continue;
		}
		if (std::optional<std::size_t> field = FieldIndex(key)) {
			if (!fields.suffixed[*field]) {
				fields.value[*field] = member.value;
				fields.present[*field] = true;
			}
		} else if (std::optional<std::size_t> plain_key = PlainKeyIndex(key)) {
			std::string_view value;
			if (member.value.get(value) != simdjson::SUCCESS) {
				return "user_data." + std::string(key) + " must be a string";
			}
			plain[*plain_key] = value;
		}
	}
	return std::nullopt;
}

// A field's value: a string or an array of strings, its non-empty strings appended to out; null: none.
// False for any other value.
bool AppendStrings(element value, std::vector<std::string_view> &out) {
	std::string_view text;
	simdjson::dom::array items;
	if (value.get(text) == simdjson::SUCCESS) {
		if (!text.empty()) {
			out.push_back(text);
		}
	} else if (value.get(items) == simdjson::SUCCESS) {
		for (element item : items) {
			if (item.get(text) != simdjson::SUCCESS) {
				return false;
			}
			if (!text.empty()) {
				out.push_back(text);
			}
		}
	} else if (!value.is_null()) {
		return false;
	}
	return true;
}

} // namespace

struct IdentityBag::Parser {
	simdjson::dom::parser parser;
};

IdentityBag::IdentityBag() : parser_(std::make_unique<Parser>()) {}
IdentityBag::~IdentityBag() = default;

std::optional<std::string> IdentityBag::Load(std::string_view json, identity::Platform platform) {
	for (std::vector<std::string_view> &values : values_) {
		values.clear();
	}
	plain_.fill(std::string_view());
	if (IsBlank(json)) {
		return std::nullopt;
	}
	element root;
	if (parser_->parser.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
		return std::string("user_data is not valid JSON");
	}
	simdjson::dom::object object;
	if (root.get(object) != simdjson::SUCCESS) {
		return std::string("user_data must be a JSON object");
	}

	std::string_view platform_name = identity::PlatformName(platform);
	FieldMembers fields;
	if (std::optional<std::string> problem = SortMembers(object, platform_name, fields, plain_)) {
		return problem;
	}
	for (std::size_t i = 0; i < kFieldCount; ++i) {
		if (fields.present[i] && !AppendStrings(fields.value[i], values_[i])) {
			std::string key(identity::FieldName(static_cast<Field>(i)));
			if (fields.suffixed[i]) {
				key.append("@").append(platform_name);
			}
			return "user_data." + key + " must be an array of strings";
		}
	}
	return std::nullopt;
}

void IdentityBag::Strip(bool keep_click_ids) {
	for (std::vector<std::string_view> &values : values_)
		values.clear();
	for (std::size_t i = 0; i < plain_.size(); ++i) {
		const PlainKey key = static_cast<PlainKey>(i);
		const bool google_click =
		    key == PlainKey::kGclid || key == PlainKey::kGbraid || key == PlainKey::kWbraid;
		if (!(keep_click_ids && google_click))
			plain_[i] = std::string_view();
	}
}

} // namespace capi::dispatch
