#include "server/platforms/pinterest/pinterest_event_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/json_access.hpp"

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// The event names of the v5 reference and of Pinterest's later additions.
bool IsEventName(std::string_view name) {
	static constexpr std::string_view kNames[] = {
	    "add_payment_info",
	    "add_to_cart",
	    "add_to_wishlist",
	    "app_install",
	    "app_open",
	    "checkout",
	    "contact",
	    "custom",
	    "customize_product",
	    "find_location",
	    "initiate_checkout",
	    "lead",
	    "page_visit",
	    "schedule",
	    "search",
	    "signup",
	    "start_trial",
	    "submit_application",
	    "subscribe",
	    "view_category",
	    "view_content",
	    "watch_video",
	};
	for (std::string_view known : kNames) {
		if (name == known) {
			return true;
		}
	}
	return false;
}

bool IsActionSource(std::string_view value) {
	return value == "web" || value == "app_android" || value == "app_ios" || value == "offline";
}

bool IsHashedKey(std::string_view key) {
	static constexpr std::string_view kKeys[] = {"em", "ph", "fn", "ln",      "ge",          "db",
	                                             "ct", "st", "zp", "country", "external_id", "hashed_maids"};
	for (std::string_view known : kKeys) {
		if (key == known) {
			return true;
		}
	}
	return false;
}

// "123", "123.45", "0.5": what Pinterest's decimal strings look like.
bool IsDecimalString(std::string_view text) {
	size_t dot = text.find('.');
	std::string_view whole = text.substr(0, dot);
	if (whole.empty()) {
		return false;
	}
	for (char c : whole) {
		if (c < '0' || c > '9') {
			return false;
		}
	}
	if (dot == std::string_view::npos) {
		return true;
	}
	std::string_view fraction = text.substr(dot + 1);
	if (fraction.empty()) {
		return false;
	}
	for (char c : fraction) {
		if (c < '0' || c > '9') {
			return false;
		}
	}
	return true;
}

bool IsInteger(element value) {
	return value.type() == element_type::INT64 || value.type() == element_type::UINT64;
}

class Checker {
public:
	explicit Checker(PinterestEventProblem *problem) : problem_(problem) {}

	bool Schema(std::string detail) {
		problem_->schema = true;
		problem_->detail = std::move(detail);
		return false;
	}
	bool EventFails(std::string detail) {
		problem_->schema = false;
		problem_->detail = std::move(detail);
		return false;
	}

	// Hash formats fail the event; wrong types reject the request.
	bool UserData(element user_data) {
		if (user_data.type() != element_type::OBJECT) {
			return Schema("user_data must be an object");
		}
		bool has_email = false, has_maid = false, has_ip = false, has_agent = false;
		std::string hash_problem;
		for (simdjson::dom::key_value_pair field : ObjectOf(user_data)) {
			std::string_view key = field.key;
			element value = field.value;
			if (IsHashedKey(key)) {
				if (value.type() != element_type::ARRAY) {
					return Schema("user_data." + std::string(key) + " must be an array of strings");
				}
				size_t index = 0;
				for (element item : ArrayOf(value)) {
					if (item.type() != element_type::STRING) {
						return Schema("user_data." + std::string(key) + " must be an array of strings");
					}
					if (!IsLowerHexSha256(StringOf(item)) && hash_problem.empty()) {
						hash_problem = "user_data." + std::string(key) + "[" + std::to_string(index) +
						               "] is " + DescribeUnhashedValue(StringOf(item)) +
						               "; it must be a SHA-256 hash";
					}
					++index;
				}
				has_email |= key == "em" && index > 0;
				has_maid |= key == "hashed_maids" && index > 0;
			} else if (key == "client_ip_address" || key == "client_user_agent" || key == "click_id" ||
			           key == "partner_id") {
				if (value.type() != element_type::STRING) {
					return Schema("user_data." + std::string(key) + " must be a string");
				}
				if (key == "client_ip_address") {
					if (!IsIpAddress(StringOf(value))) {
						return EventFails("user_data.client_ip_address is not an IP address");
					}
					has_ip = true;
				}
				has_agent |= key == "client_user_agent" && !StringOf(value).empty();
			}
		}
		if (!hash_problem.empty()) {
			return EventFails(hash_problem);
		}
		if (!has_email && !has_maid && !(has_ip && has_agent)) {
			return EventFails("user_data needs em, hashed_maids, or client_ip_address together with "
			                  "client_user_agent");
		}
		return true;
	}

	bool Contents(element contents) {
		if (contents.type() != element_type::ARRAY) {
			return Schema("custom_data.contents must be an array of objects");
		}
		for (element item : ArrayOf(contents)) {
			if (item.type() != element_type::OBJECT) {
				return Schema("custom_data.contents must be an array of objects");
			}
			for (simdjson::dom::key_value_pair field : ObjectOf(item)) {
				if (field.key == "item_price" &&
				    (field.value.type() != element_type::STRING || !IsDecimalString(StringOf(field.value)))) {
					return Schema(
					    "custom_data.contents[].item_price must be a decimal string such as \"9.99\"");
				}
				if (field.key == "quantity" && !IsInteger(field.value)) {
					return Schema("custom_data.contents[].quantity must be an integer");
				}
				if ((field.key == "id" || field.key == "item_name" || field.key == "item_category" ||
				     field.key == "item_brand") &&
				    field.value.type() != element_type::STRING) {
					return Schema("custom_data.contents[]." + std::string(field.key) + " must be a string");
				}
			}
		}
		return true;
	}

	bool CustomData(element custom_data) {
		if (custom_data.type() != element_type::OBJECT) {
			return Schema("custom_data must be an object");
		}
		for (simdjson::dom::key_value_pair field : ObjectOf(custom_data)) {
			std::string_view key = field.key;
			element value = field.value;
			if (key == "value") {
				if (value.type() != element_type::STRING || !IsDecimalString(StringOf(value))) {
					return Schema("custom_data.value must be a decimal string such as \"19.99\"");
				}
			} else if (key == "currency") {
				if (value.type() != element_type::STRING || !IsCurrencyCode(StringOf(value))) {
					return Schema("custom_data.currency must be a three-letter ISO 4217 code");
				}
			} else if (key == "order_id" || key == "content_name" || key == "content_category" ||
			           key == "content_brand" || key == "search_string" || key == "opt_out_type" ||
			           key == "np") {
				if (value.type() != element_type::STRING) {
					return Schema("custom_data." + std::string(key) + " must be a string");
				}
			} else if (key == "num_items") {
				if (!IsInteger(value)) {
					return Schema("custom_data.num_items must be an integer");
				}
			} else if (key == "content_ids") {
				if (value.type() != element_type::ARRAY) {
					return Schema("custom_data.content_ids must be an array of strings");
				}
				for (element id : ArrayOf(value)) {
					if (id.type() != element_type::STRING) {
						return Schema("custom_data.content_ids must be an array of strings");
					}
				}
			} else if (key == "contents") {
				if (!Contents(value)) {
					return false;
				}
			}
		}
		return true;
	}

private:
	PinterestEventProblem *problem_;
};

} // namespace

bool ValidatePinterestEvent(element event, int64_t now_unix_s, AcceptedEvent *accepted,
                            PinterestEventProblem *problem) {
	Checker check(problem);
	if (event.type() != element_type::OBJECT) {
		return check.Schema("must be an object");
	}
	element name, source, time, id, user_data, custom_data, opt_out;
	simdjson::dom::object object = ObjectOf(event);
	if (object["event_name"].get(name) != simdjson::SUCCESS || name.type() != element_type::STRING) {
		return check.Schema("event_name is required (a string)");
	}
	if (object["action_source"].get(source) != simdjson::SUCCESS || source.type() != element_type::STRING) {
		return check.Schema("action_source is required (a string)");
	}
	if (object["event_time"].get(time) != simdjson::SUCCESS || time.type() != element_type::INT64) {
		return check.Schema("event_time is required (an integer, Unix seconds)");
	}
	if (object["event_id"].get(id) != simdjson::SUCCESS || id.type() != element_type::STRING) {
		return check.Schema("event_id is required (a string)");
	}
	if (object["user_data"].get(user_data) != simdjson::SUCCESS) {
		return check.Schema("user_data is required");
	}
	accepted->event_name = StringOf(name);
	accepted->event_id = StringOf(id);
	accepted->event_time = int64_t(time);
	accepted->json = event;
	if (!IsEventName(accepted->event_name)) {
		return check.Schema("event_name '" + std::string(accepted->event_name) +
		                    "' is not a Pinterest event name");
	}
	if (!IsActionSource(StringOf(source))) {
		return check.Schema("action_source must be one of app_android, app_ios, web, offline");
	}
	if (object["opt_out"].get(opt_out) == simdjson::SUCCESS && opt_out.type() != element_type::BOOL) {
		return check.Schema("opt_out must be a boolean");
	}
	if (object["custom_data"].get(custom_data) == simdjson::SUCCESS && !check.CustomData(custom_data)) {
		return false;
	}
	if (!check.UserData(user_data)) {
		return false;
	}
	if (accepted->event_id.empty()) {
		return check.EventFails("event_id must not be empty");
	}
	if (accepted->event_time >= 100000000000) {
		return check.EventFails("event_time " + std::to_string(accepted->event_time) +
		                        " looks like milliseconds; Pinterest wants Unix seconds");
	}
	if (accepted->event_time <= 0) {
		return check.EventFails("event_time must be a positive Unix time in seconds");
	}
	if (accepted->event_time > now_unix_s + kPinterestMaxFutureSeconds) {
		return check.EventFails("event_time is " + std::to_string(accepted->event_time - now_unix_s) +
		                        " s in the future");
	}
	return true;
}

} // namespace capi::testserver
