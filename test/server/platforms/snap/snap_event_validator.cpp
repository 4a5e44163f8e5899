#include "server/platforms/snap/snap_event_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/json_access.hpp"

#include <algorithm>
#include <array>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The v3 event_name enum (https://developers.snap.com/api/marketing-api/Conversions-API/Parameters).
constexpr std::array<std::string_view, 32> kEventNames = {
    "PAGE_VIEW",
    "VIEW_CONTENT",
    "ADD_CART",
    "ADD_TO_WISHLIST",
    "SIGN_UP",
    "SEARCH",
    "PURCHASE",
    "ADD_BILLING",
    "COMPLETE_TUTORIAL",
    "SUBSCRIBE",
    "AD_CLICK",
    "AD_VIEW",
    "START_CHECKOUT",
    "RATE",
    "LIST_VIEW",
    "ADD_TO_CART",
    "LEVEL_COMPLETE",
    "SAVE",
    "ACHIEVEMENT_UNLOCKED",
    "SPEND_CREDITS",
    "SHARE",
    "INVITE",
    "LOGIN",
    "RESERVE",
    "START_TRIAL",
    "APP_OPEN",
    "APP_INSTALL",
    "CUSTOM_EVENT_1",
    "CUSTOM_EVENT_2",
    "CUSTOM_EVENT_3",
    "CUSTOM_EVENT_4",
    "CUSTOM_EVENT_5",
};

// user_data keys holding arrays of SHA-256 digests.
constexpr std::array<std::string_view, 10> kHashedArrayKeys = {"em", "ph", "fn", "ln",      "ge",
                                                               "ct", "st", "zp", "country", "external_id"};

// user_data keys sent in plain text.
constexpr std::array<std::string_view, 9> kPlainKeys = {"client_ip_address",
                                                        "client_user_agent",
                                                        "sc_click_id",
                                                        "sc_cookie1",
                                                        "madid",
                                                        "mobile_ad_id",
                                                        "idfv",
                                                        "subscription_id",
                                                        "lead_id"};

template <size_t N> bool Contains(const std::array<std::string_view, N> &list, std::string_view value) {
	return std::find(list.begin(), list.end(), value) != list.end();
}

bool Fail(std::string *problem, std::string text) {
	*problem = std::move(text);
	return false;
}

bool IsNumber(element value) {
	element_type type = value.type();
	return type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE;
}

bool IsInteger(element value) {
	return value.type() == element_type::INT64 || value.type() == element_type::UINT64;
}

// A number, or a string holding a decimal number (Snap's examples send "value": "10").
bool IsNumeric(element value) {
	if (IsNumber(value)) {
		return true;
	}
	std::string_view text = StringOf(value);
	if (value.type() != element_type::STRING || text.empty()) {
		return false;
	}
	bool digit = false, dot = false;
	for (size_t i = 0; i < text.size(); ++i) {
		char c = text[i];
		if (c >= '0' && c <= '9') {
			digit = true;
		} else if (c == '.' && !dot) {
			dot = true;
		} else if (!(c == '-' && i == 0)) {
			return false;
		}
	}
	return digit;
}

bool CheckDigest(std::string_view where, element value, std::string *problem) {
	if (value.type() != element_type::STRING) {
		return Fail(problem, std::string(where) + ": must be a string");
	}
	if (!IsLowerHexSha256(StringOf(value))) {
		return Fail(problem, std::string(where) + ": must be a lowercase hex SHA-256 hash (" +
		                         DescribeUnhashedValue(StringOf(value)) + ")");
	}
	return true;
}

bool CheckUserData(element user, bool *has_minimum, std::string *problem) {
	if (user.type() != element_type::OBJECT) {
		return Fail(problem, "user_data: must be an object");
	}
	bool has_ip = false, has_agent = false, has_hashed_id = false;
	for (simdjson::dom::key_value_pair field : ObjectOf(user)) {
		std::string_view key = field.key;
		element value = field.value;
		std::string where = "user_data." + std::string(key);
		if (Contains(kHashedArrayKeys, key)) {
			if (value.type() != element_type::ARRAY || ArrayOf(value).size() == 0) {
				return Fail(problem, where + ": must be a non-empty array of hashes");
			}
			for (element item : ArrayOf(value)) {
				if (!CheckDigest(where, item, problem)) {
					return false;
				}
			}
			has_hashed_id = has_hashed_id || key == "em" || key == "ph";
		} else if (key == "db") {
			if (!CheckDigest(where, value, problem)) {
				return false;
			}
		} else if (Contains(kPlainKeys, key)) {
			if (value.type() != element_type::STRING || StringOf(value).empty()) {
				return Fail(problem, where + ": must be a non-empty string");
			}
			if (key == "client_ip_address" && !IsIpAddress(StringOf(value))) {
				return Fail(problem, where + ": must be an IPv4 or IPv6 address");
			}
			has_ip = has_ip || key == "client_ip_address";
			has_agent = has_agent || key == "client_user_agent";
			has_hashed_id = has_hashed_id || key == "madid" || key == "mobile_ad_id";
		} else {
			return Fail(problem, where + ": unknown field");
		}
	}
	*has_minimum = has_hashed_id || (has_ip && has_agent);
	return true;
}

bool CheckCustomData(element custom, std::string *problem) {
	if (custom.type() != element_type::OBJECT) {
		return Fail(problem, "custom_data: must be an object");
	}
	for (simdjson::dom::key_value_pair field : ObjectOf(custom)) {
		std::string_view key = field.key;
		element value = field.value;
		std::string where = "custom_data." + std::string(key);
		if (key == "value" || key == "num_items" || key == "predicted_ltv") {
			if (!IsNumeric(value)) {
				return Fail(problem, where + ": must be a number");
			}
		} else if (key == "currency") {
			if (value.type() != element_type::STRING || !IsCurrencyCode(StringOf(value))) {
				return Fail(problem, where + ": must be an ISO 4217 currency code");
			}
		} else if (key == "content_ids" || key == "contents" || key == "brands") {
			if (value.type() != element_type::ARRAY) {
				return Fail(problem, where + ": must be an array");
			}
			for (element item : ArrayOf(value)) {
				bool ok = key == "contents" ? item.type() == element_type::OBJECT
				                            : item.type() == element_type::STRING || IsNumber(item);
				if (!ok) {
					return Fail(problem, where + ": has an element of the wrong type");
				}
			}
		} else if (value.type() == element_type::OBJECT || value.type() == element_type::ARRAY) {
			// The other documented custom_data keys (order_id, search_string, sign_up_method, ...) are
			// scalars; nested values are refused.
			return Fail(problem, where + ": must be a string or a number");
		}
	}
	return true;
}

bool CheckDataProcessing(std::string_view key, element value, std::string *problem) {
	if (key == "data_processing_options") {
		if (value.type() != element_type::ARRAY) {
			return Fail(problem, "data_processing_options: must be an array");
		}
		for (element item : ArrayOf(value)) {
			if (StringOf(item) != "LDU") {
				return Fail(problem, "data_processing_options: the only option is \"LDU\"");
			}
		}
		return true;
	}
	if (!IsInteger(value)) {
		return Fail(problem, std::string(key) + ": must be an integer");
	}
	return true;
}

bool CheckTime(element value, const SnapEventLimits &limits, int64_t *time, std::string *problem) {
	if (value.get(*time) != simdjson::SUCCESS || *time <= 0) {
		return Fail(problem, "event_time: must be a positive integer");
	}
	if (*time > 100000000000LL) {
		return Fail(problem, "event_time: must be a Unix timestamp in seconds");
	}
	if (*time < limits.now_unix_s - limits.max_age_s) {
		return Fail(problem, "event_time: is more than 37 days in the past");
	}
	if (*time > limits.now_unix_s + limits.max_future_s) {
		return Fail(problem, "event_time: is in the future");
	}
	return true;
}

} // namespace

bool ValidateSnapEvent(element event, const SnapEventLimits &limits, AcceptedEvent *accepted,
                       std::string *problem) {
	if (event.type() != element_type::OBJECT) {
		return Fail(problem, "event: must be an object");
	}
	bool has_name = false, has_time = false, has_source = false, has_user = false, has_minimum = false;
	for (simdjson::dom::key_value_pair field : ObjectOf(event)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "event_name") {
			if (value.type() != element_type::STRING || !Contains(kEventNames, StringOf(value))) {
				return Fail(problem, "event_name: is not one of Snap's event names");
			}
			accepted->event_name = StringOf(value);
			has_name = true;
		} else if (key == "event_time") {
			if (!CheckTime(value, limits, &accepted->event_time, problem)) {
				return false;
			}
			has_time = true;
		} else if (key == "action_source") {
			std::string_view source = StringOf(value);
			if (source != "WEB" && source != "MOBILE_APP" && source != "OFFLINE") {
				return Fail(problem, "action_source: must be WEB, MOBILE_APP or OFFLINE");
			}
			has_source = true;
		} else if (key == "event_id") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, "event_id: must be a string");
			}
			accepted->event_id = StringOf(value);
		} else if (key == "event_source_url" || key == "integration") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, std::string(key) + ": must be a string");
			}
		} else if (key == "user_data") {
			if (!CheckUserData(value, &has_minimum, problem)) {
				return false;
			}
			has_user = true;
		} else if (key == "custom_data") {
			if (!CheckCustomData(value, problem)) {
				return false;
			}
		} else if (key == "app_data") {
			if (value.type() != element_type::OBJECT) {
				return Fail(problem, "app_data: must be an object");
			}
		} else if (key == "data_processing_options" || key == "data_processing_options_country" ||
		           key == "data_processing_options_state") {
			if (!CheckDataProcessing(key, value, problem)) {
				return false;
			}
		} else if (key == "opt_out") {
			if (value.type() != element_type::BOOL) {
				return Fail(problem, "opt_out: must be a boolean");
			}
		} else {
			return Fail(problem, std::string(key) + ": unknown field");
		}
	}
	if (!has_name) {
		return Fail(problem, "event_name: is required");
	}
	if (!has_time) {
		return Fail(problem, "event_time: is required");
	}
	if (!has_source) {
		return Fail(problem, "action_source: is required");
	}
	if (!has_user) {
		return Fail(problem, "user_data: is required");
	}
	if (!has_minimum) {
		return Fail(problem, "user_data: needs em, ph, madid, or client_ip_address with client_user_agent");
	}
	accepted->json = event;
	return true;
}

} // namespace capi::testserver
