#include "core/dispatch/event_fields.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

namespace capi::dispatch {
namespace {

using simdjson::dom::element;

bool IsBlank(char c) {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view Trim(std::string_view text) {
	while (!text.empty() && IsBlank(text.front())) {
		text.remove_prefix(1);
	}
	while (!text.empty() && IsBlank(text.back())) {
		text.remove_suffix(1);
	}
	return text;
}

// Text columns are nearly always ASCII, which needs no further check.
bool IsValidUtf8(std::string_view text) {
	unsigned char high = 0;
	for (char c : text) {
		high |= static_cast<unsigned char>(c);
	}
	return high < 0x80 || simdjson::validate_utf8(text.data(), text.size());
}

constexpr std::int64_t kMaxLduCode = 0x7fffffff;

bool ReadLduCode(element value, std::int64_t *out) {
	if (value.is_null()) {
		return true;
	}
	std::int64_t code = 0;
	if (value.get(code) != simdjson::SUCCESS || code < 0 || code > kMaxLduCode) {
		return false;
	}
	*out = code;
	return true;
}

bool ReadStatus(element value, ConsentStatus *out) {
	std::string_view text;
	if (value.is_null()) {
		return true;
	}
	if (value.get(text) != simdjson::SUCCESS) {
		return false;
	}
	if (text == "granted") {
		*out = ConsentStatus::kGranted;
	} else if (text == "denied") {
		*out = ConsentStatus::kDenied;
	} else if (text != "unspecified") {
		return false;
	}
	return true;
}

// Whether an object anywhere in value has a member whose value is null.
bool HasNullMember(element value) {
	simdjson::dom::object object;
	simdjson::dom::array array;
	if (value.get(object) == simdjson::SUCCESS) {
		for (simdjson::dom::key_value_pair member : object) {
			if (member.value.is_null() || HasNullMember(member.value)) {
				return true;
			}
		}
	} else if (value.get(array) == simdjson::SUCCESS) {
		for (element item : array) {
			if (HasNullMember(item)) {
				return true;
			}
		}
	}
	return false;
}

// Removes every object member whose value is null, at any depth (array elements stay).
void StripNullMembers(nlohmann::json &value) {
	if (value.is_object()) {
		for (auto member = value.begin(); member != value.end();) {
			if (member->is_null()) {
				member = value.erase(member);
			} else {
				StripNullMembers(*member);
				++member;
			}
		}
	} else if (value.is_array()) {
		for (nlohmann::json &item : value) {
			StripNullMembers(item);
		}
	}
}

} // namespace

struct EventFields::Parsers {
	simdjson::dom::parser consent;
	simdjson::dom::parser custom_data;
};

EventFields::EventFields() : parsers_(std::make_unique<Parsers>()) {}
EventFields::~EventFields() = default;

std::optional<std::string> EventFields::Read(const OutboxEvent &event, identity::Platform platform) {
	const std::pair<const char *, const std::string *> texts[] = {
	    {"event_name", &event.event_name},
	    {"event_id", &event.event_id},
	    {"action_source", &event.action_source},
	    {"event_source_url", &event.event_source_url},
	};
	for (const auto &[name, text] : texts) {
		if (!IsValidUtf8(*text)) {
			return std::string(name) + " is not valid UTF-8";
		}
	}
	if (std::optional<std::string> problem = bag_.Load(event.user_data_json, platform)) {
		return problem;
	}
	if (std::optional<std::string> problem = ReadConsent(event.consent_json)) {
		return problem;
	}
	return ReadCustomData(event.custom_data_json);
}

std::optional<std::string> EventFields::ReadConsent(std::string_view json) {
	consent_ = Consent();
	json = Trim(json);
	if (json.empty() || json == "{}") {
		return std::nullopt;
	}
	element root;
	simdjson::dom::object object;
	if (parsers_->consent.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
		return std::string("consent is not valid JSON");
	}
	if (root.is_null()) {
		return std::nullopt;
	}
	if (root.get(object) != simdjson::SUCCESS) {
		return std::string("consent must be a JSON object");
	}
	for (simdjson::dom::key_value_pair member : object) {
		std::string_view key = member.key;
		element value = member.value;
		if (key == "opt_out") {
			bool flag = false;
			if (value.get(flag) == simdjson::SUCCESS) {
				consent_.opt_out = flag;
			} else if (!value.is_null()) {
				return std::string("consent.opt_out must be true or false");
			}
		} else if (key == "ldu") {
			bool flag = false;
			simdjson::dom::object region;
			if (value.get(flag) == simdjson::SUCCESS) {
				consent_.limited_data_use = flag;
			} else if (value.get(region) == simdjson::SUCCESS) {
				consent_.limited_data_use = true;
				element code;
				if (region["country"].get(code) == simdjson::SUCCESS &&
				    !ReadLduCode(code, &consent_.ldu_country)) {
					return std::string("consent.ldu.country must be a non-negative integer");
				}
				if (region["state"].get(code) == simdjson::SUCCESS &&
				    !ReadLduCode(code, &consent_.ldu_state)) {
					return std::string("consent.ldu.state must be a non-negative integer");
				}
			} else if (!value.is_null()) {
				return std::string("consent.ldu must be true, false or {\"country\": int, \"state\": int}");
			}
		} else if (key == "ad_user_data" || key == "ad_personalization") {
			ConsentStatus *status =
			    key == "ad_user_data" ? &consent_.ad_user_data : &consent_.ad_personalization;
			if (!ReadStatus(value, status)) {
				return "consent." + std::string(key) + " must be \"granted\" or \"denied\"";
			}
		}
	}
	return std::nullopt;
}

std::optional<std::string> EventFields::ReadCustomData(std::string_view json) {
	custom_data_json_ = std::string_view();
	json = Trim(json);
	if (json.empty()) {
		return std::nullopt;
	}
	if (json == "{}") {
		custom_data_json_ = json;
		return std::nullopt;
	}
	element root;
	if (parsers_->custom_data.parse(json.data(), json.size()).get(root) != simdjson::SUCCESS) {
		return std::string("custom_data is not valid JSON");
	}
	if (root.is_null()) {
		return std::nullopt;
	}
	if (!root.is_object()) {
		return std::string("custom_data must be a JSON object");
	}
	custom_data_json_ = json;
	// Rare, and only looked for where the text says null: {"value": null, "currency": null} is accepted
	// at INSERT as values left out, so it is sent as left out.
	if (json.find("null") != std::string_view::npos && HasNullMember(root)) {
		nlohmann::json object = nlohmann::json::parse(json.begin(), json.end(), nullptr, false);
		if (object.is_discarded()) {
			return std::string("custom_data is not valid JSON");
		}
		StripNullMembers(object);
		custom_data_without_nulls_ = object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
		custom_data_json_ = custom_data_without_nulls_;
	}
	return std::nullopt;
}

EventFields &ThreadEventFields() {
	thread_local EventFields *fields = nullptr; // leaked on purpose: trivially destructible
	if (fields == nullptr) {
		fields = new EventFields();
	}
	return *fields;
}

} // namespace capi::dispatch
