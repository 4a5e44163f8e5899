#include "server/platforms/reddit/reddit_event_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/json_access.hpp"

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

bool OneOf(std::string_view value, std::initializer_list<std::string_view> values) {
	for (std::string_view known : values) {
		if (value == known) {
			return true;
		}
	}
	return false;
}

bool IsNonNegativeInteger(element value) {
	return value.type() == element_type::UINT64 ||
	       (value.type() == element_type::INT64 && int64_t(value) >= 0);
}

bool IsNumber(element value) {
	return value.type() == element_type::INT64 || value.type() == element_type::UINT64 ||
	       value.type() == element_type::DOUBLE;
}

bool Fail(std::string *problem, std::string text) {
	*problem = std::move(text);
	return false;
}

bool CheckUser(element user, std::string *problem) {
	if (user.type() != element_type::OBJECT) {
		return Fail(problem, "user must be an object");
	}
	for (simdjson::dom::key_value_pair field : ObjectOf(user)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "email" || key == "phone_number" || key == "external_id") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, "user." + std::string(key) + " must be a string");
			}
			if (!IsLowerHexSha256(StringOf(value))) {
				return Fail(problem, "user." + std::string(key) + " is " +
				                         DescribeUnhashedValue(StringOf(value)) +
				                         "; pg_capi sends it as a SHA-256 hash");
			}
		} else if (key == "ip_address") {
			if (value.type() != element_type::STRING || !IsIpAddress(StringOf(value))) {
				return Fail(problem, "user.ip_address is not an IP address");
			}
		} else if (key == "user_agent" || key == "uuid" || key == "idfa" || key == "aaid") {
			if (value.type() != element_type::STRING || StringOf(value).empty()) {
				return Fail(problem, "user." + std::string(key) + " must be a non-empty string");
			}
		} else if (key == "data_processing_options") {
			if (value.type() != element_type::OBJECT) {
				return Fail(problem, "user.data_processing_options must be an object");
			}
			for (simdjson::dom::key_value_pair option : ObjectOf(value)) {
				if (option.key == "modes") {
					if (option.value.type() != element_type::ARRAY) {
						return Fail(problem, "user.data_processing_options.modes must be an array");
					}
					for (element mode : ArrayOf(option.value)) {
						if (StringOf(mode) != "LDU") {
							return Fail(problem, "user.data_processing_options.modes may only hold \"LDU\"");
						}
					}
				} else if (option.key == "country") {
					std::string_view country = StringOf(option.value);
					if (country.size() != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
					    country[1] > 'Z') {
						return Fail(problem,
						            "user.data_processing_options.country must be an ISO 3166-1 alpha-2 "
						            "code such as \"US\"");
					}
				} else if (option.key == "region") {
					if (option.value.type() != element_type::STRING) {
						return Fail(problem,
						            "user.data_processing_options.region must be a string such as \"US-CA\"");
					}
				} else {
					return Fail(problem,
					            "user.data_processing_options." + std::string(option.key) + " is unknown");
				}
			}
		} else if (key != "screen_dimensions") {
			return Fail(problem, "user." + std::string(key) + " is unknown");
		}
	}
	return true;
}

bool CheckMetadata(element metadata, std::string *problem, std::string_view *conversion_id) {
	if (metadata.type() != element_type::OBJECT) {
		return Fail(problem, "metadata must be an object");
	}
	for (simdjson::dom::key_value_pair field : ObjectOf(metadata)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "conversion_id") {
			if (value.type() != element_type::STRING) {
				return Fail(problem, "metadata.conversion_id must be a string");
			}
			*conversion_id = StringOf(value);
		} else if (key == "value") {
			if (!IsNumber(value) || (value.type() == element_type::INT64 && int64_t(value) < 0) ||
			    (value.type() == element_type::DOUBLE && double(value) < 0)) {
				return Fail(problem, "metadata.value must be a non-negative number");
			}
		} else if (key == "currency") {
			if (value.type() != element_type::STRING || !IsCurrencyCode(StringOf(value))) {
				return Fail(problem, "metadata.currency must be a three-letter ISO 4217 code");
			}
		} else if (key == "item_count") {
			if (!IsNonNegativeInteger(value)) {
				return Fail(problem, "metadata.item_count must be a non-negative integer");
			}
		} else if (key == "products") {
			if (value.type() != element_type::ARRAY) {
				return Fail(problem, "metadata.products must be an array of objects");
			}
			for (element product : ArrayOf(value)) {
				if (product.type() != element_type::OBJECT) {
					return Fail(problem, "metadata.products must be an array of objects");
				}
				for (simdjson::dom::key_value_pair part : ObjectOf(product)) {
					if (!OneOf(part.key, {"id", "name", "category"}) ||
					    part.value.type() != element_type::STRING) {
						return Fail(problem, "metadata.products[]." + std::string(part.key) +
						                         " is not a product field (id, name, category: strings)");
					}
				}
			}
		} else {
			return Fail(problem, "metadata." + std::string(key) + " is unknown");
		}
	}
	return true;
}

} // namespace

bool ValidateRedditEvent(element event, int64_t now_ms, AcceptedEvent *accepted, std::string *problem) {
	if (event.type() != element_type::OBJECT) {
		return Fail(problem, "each event must be an object");
	}
	bool has_time = false, has_source = false, has_type = false;
	for (simdjson::dom::key_value_pair field : ObjectOf(event)) {
		std::string_view key = field.key;
		element value = field.value;
		if (key == "event_at") {
			if (value.type() != element_type::INT64) {
				return Fail(problem, "event_at must be an integer (epoch milliseconds)");
			}
			int64_t at = int64_t(value);
			if (at < 100000000000) {
				return Fail(problem, "event_at " + std::to_string(at) +
				                         " looks like seconds; Reddit wants milliseconds");
			}
			if (now_ms - at >= kRedditMaxAgeMs) {
				return Fail(problem, "event_at timestamp must be less than 168h0m0s old");
			}
			if (at - now_ms > kRedditMaxFutureMs) {
				return Fail(problem, "event_at timestamp must not be more than 5m0s in the future");
			}
			accepted->event_time = at;
			has_time = true;
		} else if (key == "action_source") {
			if (!OneOf(StringOf(value), {"WEBSITE", "APP", "PHYSICAL_STORE", "OTHER"})) {
				return Fail(problem, "action_source must be one of WEBSITE, APP, PHYSICAL_STORE, OTHER");
			}
			has_source = true;
		} else if (key == "click_id") {
			if (value.type() != element_type::STRING || StringOf(value).empty()) {
				return Fail(problem, "click_id must be a non-empty string");
			}
		} else if (key == "type") {
			simdjson::dom::object type = ObjectOf(value);
			element tracking, custom;
			if (value.type() != element_type::OBJECT ||
			    type["tracking_type"].get(tracking) != simdjson::SUCCESS) {
				return Fail(problem, "type.tracking_type is required");
			}
			std::string_view name = StringOf(tracking);
			if (!OneOf(name, {"PAGE_VISIT", "VIEW_CONTENT", "SEARCH", "ADD_TO_CART", "ADD_TO_WISHLIST",
			                  "LEAD", "PURCHASE", "SIGN_UP", "CUSTOM"})) {
				return Fail(problem,
				            "type.tracking_type '" + std::string(name) + "' is not a Reddit tracking type");
			}
			bool has_custom = type["custom_event_name"].get(custom) == simdjson::SUCCESS;
			if (name == "CUSTOM") {
				std::string_view custom_name = has_custom ? StringOf(custom) : std::string_view();
				if (custom_name.empty() || custom_name.size() > 64) {
					return Fail(problem,
					            "type.custom_event_name (1 to 64 characters) is required with CUSTOM");
				}
				name = custom_name;
			} else if (has_custom) {
				return Fail(problem, "type.custom_event_name is only for tracking_type CUSTOM");
			}
			accepted->event_name = name;
			has_type = true;
		} else if (key == "user") {
			if (!CheckUser(value, problem)) {
				return false;
			}
		} else if (key == "metadata") {
			if (!CheckMetadata(value, problem, &accepted->event_id)) {
				return false;
			}
		} else {
			return Fail(problem, std::string(key) + " is not a field of a conversion event");
		}
	}
	if (!has_time) {
		return Fail(problem, "event_at is required");
	}
	if (!has_source) {
		return Fail(problem, "action_source is required");
	}
	if (!has_type) {
		return Fail(problem, "type is required");
	}
	accepted->json = event;
	return true;
}

} // namespace capi::testserver
