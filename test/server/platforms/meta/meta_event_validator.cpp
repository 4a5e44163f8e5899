#include "server/platforms/meta/meta_event_validator.hpp"

#include "server/platforms/currency_codes.hpp"
#include "server/platforms/field_formats.hpp"
#include "server/platforms/json_access.hpp"

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr int64_t kDaySeconds = 24 * 60 * 60;

// Meta's fbc / fbp format, as Meta checks it: fb.<subdomain index>.<creation time in ms>.<value>, the
// index at most 2 digits, the time at most 13, the value printable ASCII without spaces (it may carry a
// parameter-builder suffix).
// https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/fbp-and-fbc
bool IsStrictMetaBrowserId(std::string_view value) {
	if (!IsMetaBrowserId(value)) {
		return false;
	}
	value.remove_prefix(3);
	size_t index_end = value.find('.');
	size_t time_end = value.find('.', index_end + 1);
	if (index_end > 2 || time_end - index_end - 1 > 13) {
		return false;
	}
	for (char c : value.substr(time_end + 1)) {
		if (c <= ' ' || c > '~') {
			return false;
		}
	}
	return true;
}

enum class UserDataKey { kHashed, kIpAddress, kUserAgent, kBrowserId, kOther };

UserDataKey ClassifyUserDataKey(std::string_view key) {
	switch (key.size()) {
	case 2:
		if (key == "em" || key == "ph" || key == "fn" || key == "ln" || key == "ct" || key == "st" ||
		    key == "zp" || key == "db" || key == "ge") {
			return UserDataKey::kHashed;
		}
		return UserDataKey::kOther;
	case 3:
		return key == "fbc" || key == "fbp" ? UserDataKey::kBrowserId : UserDataKey::kOther;
	case 7:
		return key == "country" ? UserDataKey::kHashed : UserDataKey::kOther;
	case 11:
		return key == "external_id" ? UserDataKey::kHashed : UserDataKey::kOther;
	case 17:
		if (key == "client_ip_address") {
			return UserDataKey::kIpAddress;
		}
		return key == "client_user_agent" ? UserDataKey::kUserAgent : UserDataKey::kOther;
	default:
		return UserDataKey::kOther;
	}
}

bool IsActionSource(std::string_view value) {
	return value == "website" || value == "app" || value == "email" || value == "phone_call" ||
	       value == "chat" || value == "physical_store" || value == "system_generated" ||
	       value == "business_messaging" || value == "other";
}

bool IsNumber(element value) {
	element_type type = value.type();
	return type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE;
}

bool IsInteger(element value) {
	element_type type = value.type();
	return type == element_type::INT64 || type == element_type::UINT64;
}

bool IsNegative(element value) {
	switch (value.type()) {
	case element_type::INT64:
		return int64_t(value) < 0;
	case element_type::DOUBLE:
		return double(value) < 0;
	default:
		return false;
	}
}

// The event_time as Unix seconds: a JSON integer or a string of digits (Graph coerces both).
bool ReadEventTime(element value, int64_t *seconds) {
	switch (value.type()) {
	case element_type::INT64:
		*seconds = int64_t(value);
		return true;
	case element_type::UINT64:
		return false; // beyond int64: certainly not a valid time
	case element_type::STRING: {
		std::string_view text = StringOf(value);
		if (text.empty() || text.size() > 18) {
			return false;
		}
		int64_t parsed = 0;
		for (char c : text) {
			if (c < '0' || c > '9') {
				return false;
			}
			parsed = parsed * 10 + (c - '0');
		}
		*seconds = parsed;
		return true;
	}
	default:
		return false;
	}
}

class Checker {
public:
	explicit Checker(MetaEventProblem *problem) : problem_(problem) {}

	bool Fail(std::string title, std::string detail) {
		problem_->title = std::move(title);
		problem_->detail = std::move(detail);
		return false;
	}
	bool Invalid(std::string detail) { return Fail("Invalid Parameter Value", std::move(detail)); }
	bool Missing(std::string detail) { return Fail("Missing Required Parameter", std::move(detail)); }

	// custom_data had a value / a currency (CheckCustomData): Meta requires both for Purchase.
	bool has_value_ = false;
	bool has_currency_ = false;

	bool CheckHashed(std::string_view key, std::string_view path, element value) {
		if (value.type() != element_type::STRING) {
			return Invalid("user_data." + std::string(key) + std::string(path) +
			               " must be a string (a SHA-256 hash)");
		}
		std::string_view text = StringOf(value);
		if (IsLowerHexSha256(text)) {
			return true;
		}
		return Fail("Unhashed Customer Information Parameter",
		            "user_data." + std::string(key) + std::string(path) + " is " +
		                DescribeUnhashedValue(text) +
		                "; customer information parameters must be normalized and hashed with SHA-256 (64 "
		                "lowercase hexadecimal characters) before they are sent");
	}

	bool CheckUserData(element user_data, bool *has_user_agent) {
		if (user_data.type() != element_type::OBJECT) {
			return Invalid("user_data must be an object");
		}
		for (simdjson::dom::key_value_pair field : ObjectOf(user_data)) {
			std::string_view key = field.key;
			element value = field.value;
			switch (ClassifyUserDataKey(key)) {
			case UserDataKey::kHashed:
				if (value.type() == element_type::ARRAY) {
					size_t index = 0;
					for (element item : ArrayOf(value)) {
						if (!CheckHashed(key, "[" + std::to_string(index) + "]", item)) {
							return false;
						}
						++index;
					}
				} else if (value.type() != element_type::NULL_VALUE && !CheckHashed(key, "", value)) {
					return false;
				}
				break;
			case UserDataKey::kIpAddress:
				if (value.type() != element_type::STRING || !IsIpAddress(StringOf(value))) {
					return Invalid("user_data.client_ip_address must be a valid IPv4 or IPv6 address (never "
					               "hashed)");
				}
				break;
			case UserDataKey::kUserAgent:
				if (value.type() != element_type::STRING || StringOf(value).empty()) {
					return Invalid("user_data.client_user_agent must be a non-empty string");
				}
				*has_user_agent = true;
				break;
			case UserDataKey::kBrowserId:
				if (value.type() != element_type::STRING || !IsStrictMetaBrowserId(StringOf(value))) {
					return Invalid("user_data." + std::string(key) +
					               " must have the format fb.<subdomain_index>.<creation_time>.<value> (not "
					               "hashed)");
				}
				break;
			case UserDataKey::kOther:
				break;
			}
		}
		return true;
	}

	bool CheckCustomData(element custom_data) {
		if (custom_data.type() == element_type::NULL_VALUE) {
			return true;
		}
		if (custom_data.type() != element_type::OBJECT) {
			return Invalid("custom_data must be an object");
		}
		for (simdjson::dom::key_value_pair field : ObjectOf(custom_data)) {
			std::string_view key = field.key;
			element value = field.value;
			if (key == "value") {
				if (!IsNumber(value) || IsNegative(value)) {
					return Invalid("custom_data.value must be a number greater than or equal to 0");
				}
				has_value_ = true;
			} else if (key == "currency") {
				if (value.type() != element_type::STRING || !IsCurrencyCode(StringOf(value))) {
					return Invalid("custom_data.currency must be a three-letter ISO 4217 currency code");
				}
				if (!IsIso4217Currency(StringOf(value))) {
					return Invalid("custom_data.currency " + std::string(StringOf(value)) +
					               " is not a valid ISO 4217 currency code");
				}
				has_currency_ = true;
			} else if (key == "contents") {
				if (!CheckContents(value)) {
					return false;
				}
			} else if (key == "num_items") {
				if (!IsInteger(value)) {
					return Invalid("custom_data.num_items must be an integer");
				}
			}
		}
		return true;
	}

	bool CheckContents(element contents) {
		if (contents.type() != element_type::ARRAY) {
			return Invalid("custom_data.contents must be an array of objects");
		}
		size_t index = 0;
		for (element item : ArrayOf(contents)) {
			std::string path = "custom_data.contents[" + std::to_string(index++) + "]";
			if (item.type() != element_type::OBJECT) {
				return Invalid(path + " must be an object");
			}
			for (simdjson::dom::key_value_pair field : ObjectOf(item)) {
				if (field.key == "quantity" && !IsInteger(field.value)) {
					return Invalid(path + ".quantity must be an integer");
				}
				if (field.key == "item_price" && !IsNumber(field.value)) {
					return Invalid(path + ".item_price must be a number");
				}
			}
		}
		return true;
	}

private:
	MetaEventProblem *problem_;
};

} // namespace

bool ValidateMetaEvent(element event, int64_t now_unix_s, AcceptedEvent *accepted,
                       std::deque<std::string> *id_storage, MetaEventProblem *problem) {
	Checker check(problem);
	if (event.type() != element_type::OBJECT) {
		return check.Invalid("the event must be a JSON object");
	}
	bool has_name = false, has_time = false, has_user_data = false, has_user_agent = false;
	bool has_source_url = false;
	std::string_view action_source;
	int64_t event_time = 0;
	accepted->event_id = std::string_view();

	for (simdjson::dom::key_value_pair field : ObjectOf(event)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "event_name") {
			if (value.type() != element_type::STRING || StringOf(value).empty()) {
				return check.Invalid("event_name must be a non-empty string");
			}
			accepted->event_name = StringOf(value);
			has_name = true;
		} else if (key == "event_time") {
			if (!ReadEventTime(value, &event_time)) {
				return check.Invalid("event_time must be an integer Unix timestamp in seconds");
			}
			has_time = true;
		} else if (key == "action_source") {
			if (value.type() != element_type::STRING || !IsActionSource(StringOf(value))) {
				return check.Invalid("action_source must be one of email, website, app, phone_call, chat, "
				                     "physical_store, system_generated, business_messaging, other");
			}
			action_source = StringOf(value);
		} else if (key == "event_id") {
			if (value.type() == element_type::STRING) {
				accepted->event_id = StringOf(value);
			} else if (IsInteger(value)) {
				id_storage->push_back(simdjson::minify(value));
				accepted->event_id = id_storage->back();
			} else if (value.type() != element_type::NULL_VALUE) {
				return check.Invalid("event_id must be a string");
			}
		} else if (key == "event_source_url") {
			if (value.type() != element_type::STRING) {
				return check.Invalid("event_source_url must be a string");
			}
			has_source_url = !StringOf(value).empty();
		} else if (key == "user_data") {
			if (!check.CheckUserData(value, &has_user_agent)) {
				return false;
			}
			has_user_data = true;
		} else if (key == "custom_data") {
			if (!check.CheckCustomData(value)) {
				return false;
			}
		} else if (key == "opt_out") {
			if (value.type() != element_type::BOOL) {
				return check.Invalid("opt_out must be a boolean");
			}
		} else if (key == "data_processing_options") {
			if (value.type() != element_type::ARRAY) {
				return check.Invalid("data_processing_options must be an array of strings");
			}
			for (element option : ArrayOf(value)) {
				if (option.type() != element_type::STRING) {
					return check.Invalid("data_processing_options must be an array of strings");
				}
			}
		}
	}

	if (!has_name) {
		return check.Missing("event_name is required");
	}
	if (!has_time) {
		return check.Missing("event_time is required");
	}
	if (action_source.empty()) {
		return check.Missing("action_source is required");
	}
	if (!has_user_data) {
		return check.Missing("user_data is required");
	}
	if (action_source == "website") {
		if (!has_source_url) {
			return check.Missing("event_source_url is required for website events");
		}
		if (!has_user_agent) {
			return check.Missing("user_data.client_user_agent is required for website events");
		}
	}
	if (accepted->event_name == "Purchase" && (!check.has_value_ || !check.has_currency_)) {
		return check.Missing(std::string("custom_data.") + (check.has_value_ ? "currency" : "value") +
		                     " is required for Purchase events (value and currency)");
	}
	int max_age_days = action_source == "physical_store" ? 62 : 7;
	if (now_unix_s - event_time > max_age_days * kDaySeconds) {
		problem->error_subcode = 2804003;
		problem->max_age_days = max_age_days;
		return check.Fail("Event Timestamp Too Old",
		                  "event_time " + std::to_string(event_time) + " is " +
		                      std::to_string((now_unix_s - event_time) / kDaySeconds) + " days old");
	}
	if (event_time - now_unix_s > kMetaMaxFutureSeconds) {
		std::string detail = "event_time " + std::to_string(event_time) + " is " +
		                     std::to_string(event_time - now_unix_s) + " seconds in the future";
		if (event_time > 100000000000LL) {
			detail += " (it looks like milliseconds; event_time is Unix seconds)";
		}
		return check.Fail("Event Timestamp In The Future", detail);
	}
	accepted->event_time = event_time;
	accepted->json = event;
	return true;
}

} // namespace capi::testserver
