#include "server/platforms/tiktok/tiktok_event_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/json_access.hpp"

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool IsNumber(element value) {
	element_type type = value.type();
	return type == element_type::INT64 || type == element_type::UINT64 || type == element_type::DOUBLE;
}

bool IsInteger(element value) {
	return value.type() == element_type::INT64 || value.type() == element_type::UINT64;
}

bool Fail(std::string *problem, std::string text) {
	*problem = std::move(text);
	return false;
}

// A hashed key: a string, or (email, phone, external_id) an array of strings, each a SHA-256 digest.
bool CheckHashed(std::string_view key, element value, bool array_allowed, std::string *problem) {
	auto check_one = [&](element item) {
		if (item.type() != element_type::STRING) {
			return Fail(problem, "user." + std::string(key) + ": Not a valid string.");
		}
		if (!IsLowerHexSha256(StringOf(item))) {
			return Fail(problem, "user." + std::string(key) + ": must be hashed with SHA-256 (" +
			                         DescribeUnhashedValue(StringOf(item)) + ").");
		}
		return true;
	};
	if (value.type() == element_type::ARRAY) {
		if (!array_allowed) {
			return Fail(problem, "user." + std::string(key) + ": Not a valid string.");
		}
		for (element item : ArrayOf(value)) {
			if (!check_one(item)) {
				return false;
			}
		}
		return true;
	}
	return check_one(value);
}

bool CheckUser(element user, std::string *problem) {
	if (user.type() != element_type::OBJECT) {
		return Fail(problem, "user: Not a valid mapping type.");
	}
	for (simdjson::dom::key_value_pair field : ObjectOf(user)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "email" || key == "phone" || key == "external_id") {
			if (!CheckHashed(key, value, true, problem)) {
				return false;
			}
		} else if (key == "first_name" || key == "last_name" || key == "zip_code") {
			if (!CheckHashed(key, value, false, problem)) {
				return false;
			}
		} else if (key == "city" || key == "state" || key == "country" || key == "ttclid" || key == "ttp" ||
		           key == "user_agent" || key == "locale" || key == "idfa" || key == "idfv" ||
		           key == "gaid" || key == "att_status") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, "user." + std::string(key) + ": Not a valid string.");
			}
			if ((key == "city" || key == "state" || key == "country") && IsLowerHexSha256(StringOf(value))) {
				return Fail(problem, "user." + std::string(key) + ": must not be hashed.");
			}
		} else if (key == "ip") {
			if (value.type() != element_type::STRING || !IsIpAddress(StringOf(value))) {
				return Fail(problem, "user.ip: Not a valid IP address.");
			}
		} else {
			return Fail(problem, "user." + std::string(key) + ": Unknown field.");
		}
	}
	return true;
}

bool CheckContents(element contents, std::string *problem) {
	if (contents.type() != element_type::ARRAY) {
		return Fail(problem, "properties.contents: Not a valid list.");
	}
	size_t i = 0;
	for (element item : ArrayOf(contents)) {
		std::string where = "properties.contents." + std::to_string(i++) + ".";
		if (item.type() != element_type::OBJECT) {
			return Fail(problem, where.substr(0, where.size() - 1) + ": Not a valid mapping type.");
		}
		for (simdjson::dom::key_value_pair field : ObjectOf(item)) {
			std::string_view key = field.key;
			if (key == "price") {
				if (!IsNumber(field.value)) {
					return Fail(problem, where + "price: Not a valid number.");
				}
			} else if (key == "quantity") {
				if (!IsInteger(field.value)) {
					return Fail(problem, where + "quantity: Not a valid integer.");
				}
			} else if (key == "content_id" || key == "content_name" || key == "content_category" ||
			           key == "brand" || key == "content_type") {
				if (field.value.type() != element_type::STRING) {
					return Fail(problem, where + std::string(key) + ": Not a valid string.");
				}
			} else {
				return Fail(problem, where + std::string(key) + ": Unknown field.");
			}
		}
	}
	return true;
}

bool CheckProperties(element properties, std::string *problem) {
	if (properties.type() != element_type::OBJECT) {
		return Fail(problem, "properties: Not a valid mapping type.");
	}
	for (simdjson::dom::key_value_pair field : ObjectOf(properties)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "value") {
			if (!IsNumber(value)) {
				return Fail(problem, "properties.value: Not a valid number.");
			}
		} else if (key == "num_items") {
			if (!IsInteger(value)) {
				return Fail(problem, "properties.num_items: Not a valid integer.");
			}
		} else if (key == "currency") {
			if (value.type() != element_type::STRING || !IsCurrencyCode(StringOf(value))) {
				return Fail(problem, "properties.currency: Not a valid ISO 4217 currency code.");
			}
			for (char c : StringOf(value)) {
				if (c >= 'a' && c <= 'z') {
					return Fail(problem, "properties.currency: Not a valid ISO 4217 currency code.");
				}
			}
		} else if (key == "content_ids") {
			if (value.type() != element_type::ARRAY) {
				return Fail(problem, "properties.content_ids: Not a valid list.");
			}
			for (element id : ArrayOf(value)) {
				if (id.type() != element_type::STRING) {
					return Fail(problem, "properties.content_ids: Not a valid string.");
				}
			}
		} else if (key == "contents") {
			if (!CheckContents(value, problem)) {
				return false;
			}
		} else if (key == "content_type" || key == "order_id" || key == "shop_id" || key == "query" ||
		           key == "search_string" || key == "description") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, "properties." + std::string(key) + ": Not a valid string.");
			}
		} else {
			return Fail(problem, "properties." + std::string(key) + ": Unknown field.");
		}
	}
	return true;
}

} // namespace

bool ValidateTikTokEvent(element event, int64_t now_unix_s, int64_t max_future_s, AcceptedEvent *accepted,
                         std::string *problem) {
	if (event.type() != element_type::OBJECT) {
		return Fail(problem, "event: Not a valid mapping type.");
	}
	bool has_name = false, has_time = false;
	for (simdjson::dom::key_value_pair field : ObjectOf(event)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "event") {
			if (value.type() != element_type::STRING || StringOf(value).empty()) {
				return Fail(problem, "event: Not a valid string.");
			}
			accepted->event_name = StringOf(value);
			has_name = true;
		} else if (key == "event_time") {
			int64_t time = 0;
			if (value.get(time) != simdjson::SUCCESS || time <= 0) {
				return Fail(problem, "event_time: Not a valid integer.");
			}
			if (time > 100000000000LL) {
				return Fail(problem, "event_time: must be a Unix timestamp in seconds.");
			}
			if (time > now_unix_s + max_future_s) {
				return Fail(problem, "event_time: must not be in the future.");
			}
			accepted->event_time = time;
			has_time = true;
		} else if (key == "event_id") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, "event_id: Not a valid string.");
			}
			accepted->event_id = StringOf(value);
		} else if (key == "user") {
			if (!CheckUser(value, problem)) {
				return false;
			}
		} else if (key == "properties") {
			if (!CheckProperties(value, problem)) {
				return false;
			}
		} else if (key == "page") {
			if (value.type() != element_type::OBJECT) {
				return Fail(problem, "page: Not a valid mapping type.");
			}
			for (simdjson::dom::key_value_pair page : ObjectOf(value)) {
				if ((page.key != "url" && page.key != "referrer") ||
				    page.value.type() != element_type::STRING) {
					return Fail(problem, "page." + std::string(page.key) + ": Not a valid string.");
				}
			}
		} else if (key == "limited_data_use") {
			if (value.type() != element_type::BOOL) {
				return Fail(problem, "limited_data_use: Not a valid boolean.");
			}
		} else if (key == "app" || key == "ad" || key == "lead") {
			if (value.type() != element_type::OBJECT) {
				return Fail(problem, std::string(key) + ": Not a valid mapping type.");
			}
		} else {
			return Fail(problem, std::string(key) + ": Unknown field.");
		}
	}
	if (!has_name) {
		return Fail(problem, "event: Missing data for required field.");
	}
	if (!has_time) {
		return Fail(problem, "event_time: Missing data for required field.");
	}
	accepted->json = event;
	return true;
}

} // namespace capi::testserver
