#include "server/platforms/google/google_data_manager_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/google/google_time_format.hpp"
#include "server/platforms/json_access.hpp"

#include <initializer_list>
#include <map>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

bool Fail(GoogleFieldProblem *problem, std::string field, std::string description) {
	problem->field = std::move(field);
	problem->description = std::move(description);
	return false;
}

bool IsOneOf(std::string_view value, std::initializer_list<std::string_view> allowed) {
	for (std::string_view item : allowed)
		if (value == item)
			return true;
	return false;
}

bool IsDigits(std::string_view text) {
	if (text.empty())
		return false;
	for (char c : text)
		if (c < '0' || c > '9')
			return false;
	return true;
}

// Every key of object is one of known; else the proto3 JSON parser's complaint.
bool KnownKeys(object fields, std::initializer_list<std::string_view> known, const std::string &path,
               GoogleFieldProblem *problem) {
	for (simdjson::dom::key_value_pair field : fields)
		if (!IsOneOf(field.key, known))
			return Fail(problem, path.empty() ? std::string(field.key) : path + "." + std::string(field.key),
			            "Invalid JSON payload received. Unknown name \"" + std::string(field.key) +
			                "\": Cannot find field.");
	return true;
}

bool StringMember(object fields, std::string_view key, const std::string &path, std::string_view *out,
                  bool required, GoogleFieldProblem *problem) {
	element value;
	if (fields.at_key(key).get(value) != simdjson::SUCCESS) {
		if (required)
			return Fail(problem, path + "." + std::string(key), "Required field is missing.");
		*out = {};
		return true;
	}
	if (value.type() != element_type::STRING)
		return Fail(problem, path + "." + std::string(key), "Invalid value: expected a string.");
	*out = StringOf(value);
	if (required && out->empty())
		return Fail(problem, path + "." + std::string(key), "Required field is empty.");
	return true;
}

bool CheckAccount(element account, const std::string &path, std::string_view *id,
                  GoogleFieldProblem *problem) {
	if (account.type() != element_type::OBJECT)
		return Fail(problem, path, "Invalid value: expected an object.");
	object fields = ObjectOf(account);
	if (!KnownKeys(fields, {"accountType", "accountId", "product"}, path, problem))
		return false;
	std::string_view type;
	if (!StringMember(fields, "accountType", path, &type, true, problem) ||
	    !StringMember(fields, "accountId", path, id, true, problem))
		return false;
	if (!IsOneOf(type, {"GOOGLE_ADS", "DISPLAY_VIDEO_PARTNER", "DISPLAY_VIDEO_ADVERTISER", "DATA_PARTNER"}))
		return Fail(problem, path + ".accountType", "Invalid value at 'accountType': unknown enum value.");
	if (!IsDigits(*id))
		return Fail(problem, path + ".accountId", "The account id must be digits only, without hyphens.");
	return true;
}

struct DestinationsRead {
	std::map<std::string_view, std::string_view> product_by_reference;
	std::string_view first_product;
};

bool CheckDestinations(element destinations, HandlerOutcome *outcome, DestinationsRead *read,
                       GoogleFieldProblem *problem) {
	if (destinations.type() != element_type::ARRAY || ArrayOf(destinations).size() == 0)
		return Fail(problem, "destinations", "At least one destination is required.");
	size_t index = 0;
	for (element destination : ArrayOf(destinations)) {
		const std::string path = "destinations[" + std::to_string(index++) + "]";
		if (destination.type() != element_type::OBJECT)
			return Fail(problem, path, "Invalid value: expected an object.");
		object fields = ObjectOf(destination);
		if (!KnownKeys(
		        fields,
		        {"reference", "loginAccount", "linkedAccount", "operatingAccount", "productDestinationId"},
		        path, problem))
			return false;
		std::string_view reference, product, account_id;
		if (!StringMember(fields, "reference", path, &reference, false, problem) ||
		    !StringMember(fields, "productDestinationId", path, &product, true, problem))
			return false;
		if (!IsDigits(product))
			return Fail(problem, path + ".productDestinationId", "The conversion action id must be digits.");
		element account;
		if (fields.at_key("operatingAccount").get(account) != simdjson::SUCCESS)
			return Fail(problem, path + ".operatingAccount", "Required field is missing.");
		if (!CheckAccount(account, path + ".operatingAccount", &account_id, problem))
			return false;
		for (const char *optional : {"loginAccount", "linkedAccount"}) {
			element other;
			std::string_view other_id;
			if (fields.at_key(optional).get(other) == simdjson::SUCCESS &&
			    !CheckAccount(other, path + "." + optional, &other_id, problem))
				return false;
		}
		if (outcome->destination.empty())
			outcome->destination = std::string(account_id);
		if (read->first_product.empty())
			read->first_product = product;
		if (!reference.empty() && !read->product_by_reference.emplace(reference, product).second)
			return Fail(problem, path + ".reference",
			            "Destination references must be unique within the request.");
	}
	return true;
}

bool CheckHash(element value, const std::string &path, GoogleFieldProblem *problem) {
	if (value.type() != element_type::STRING || !IsLowerHexSha256(StringOf(value)))
		return Fail(problem, path, "The value must be a SHA-256 digest in lowercase hex (encoding HEX).");
	return true;
}

bool CheckUserData(element user_data, const std::string &path, GoogleFieldProblem *problem) {
	if (user_data.type() != element_type::OBJECT)
		return Fail(problem, path, "Invalid value: expected an object.");
	object fields = ObjectOf(user_data);
	if (!KnownKeys(fields, {"userIdentifiers"}, path, problem))
		return false;
	element identifiers;
	if (fields.at_key("userIdentifiers").get(identifiers) != simdjson::SUCCESS ||
	    identifiers.type() != element_type::ARRAY || ArrayOf(identifiers).size() == 0)
		return Fail(problem, path + ".userIdentifiers", "At least one user identifier is required.");
	if (ArrayOf(identifiers).size() > kDataManagerMaxIdentifiers)
		return Fail(problem, path + ".userIdentifiers", "At most 10 user identifiers are allowed per event.");
	size_t index = 0;
	for (element identifier : ArrayOf(identifiers)) {
		const std::string item = path + ".userIdentifiers[" + std::to_string(index++) + "]";
		if (identifier.type() != element_type::OBJECT || ObjectOf(identifier).size() != 1)
			return Fail(problem, item, "Exactly one of emailAddress, phoneNumber, address must be set.");
		object one = ObjectOf(identifier);
		if (!KnownKeys(one, {"emailAddress", "phoneNumber", "address"}, item, problem))
			return false;
		for (simdjson::dom::key_value_pair field : one) {
			if (field.key != "address") {
				if (!CheckHash(field.value, item + "." + std::string(field.key), problem))
					return false;
				continue;
			}
			const std::string address_path = item + ".address";
			if (field.value.type() != element_type::OBJECT)
				return Fail(problem, address_path, "Invalid value: expected an object.");
			object address = ObjectOf(field.value);
			if (!KnownKeys(address, {"givenName", "familyName", "regionCode", "postalCode"}, address_path,
			               problem))
				return false;
			for (const char *hashed : {"givenName", "familyName"}) {
				element value;
				if (address.at_key(hashed).get(value) != simdjson::SUCCESS)
					return Fail(problem, address_path + "." + hashed, "Required field is missing.");
				if (!CheckHash(value, address_path + "." + hashed, problem))
					return false;
			}
			std::string_view region, postal;
			if (!StringMember(address, "regionCode", address_path, &region, true, problem) ||
			    !StringMember(address, "postalCode", address_path, &postal, true, problem))
				return false;
			if (region.size() != 2 || region[0] < 'A' || region[0] > 'Z' || region[1] < 'A' ||
			    region[1] > 'Z')
				return Fail(problem, address_path + ".regionCode",
				            "The region code must be ISO 3166-1 alpha-2.");
			if (IsLowerHexSha256(postal))
				return Fail(problem, address_path + ".postalCode", "The postal code must not be hashed.");
		}
	}
	return true;
}

bool CheckConsent(element consent, const std::string &path, GoogleFieldProblem *problem) {
	if (consent.type() != element_type::OBJECT)
		return Fail(problem, path, "Invalid value: expected an object.");
	object fields = ObjectOf(consent);
	if (!KnownKeys(fields, {"adUserData", "adPersonalization"}, path, problem))
		return false;
	for (simdjson::dom::key_value_pair field : fields)
		if (field.value.type() != element_type::STRING ||
		    !IsOneOf(StringOf(field.value),
		             {"CONSENT_STATUS_UNSPECIFIED", "CONSENT_GRANTED", "CONSENT_DENIED"}))
			return Fail(problem, path + "." + std::string(field.key), "Invalid value: unknown enum value.");
	return true;
}

bool CheckStrings(element value, const std::string &path, std::initializer_list<std::string_view> keys,
                  GoogleFieldProblem *problem) {
	if (value.type() != element_type::OBJECT)
		return Fail(problem, path, "Invalid value: expected an object.");
	object fields = ObjectOf(value);
	if (!KnownKeys(fields, keys, path, problem))
		return false;
	for (simdjson::dom::key_value_pair field : fields)
		if (field.value.type() != element_type::STRING || StringOf(field.value).empty())
			return Fail(problem, path + "." + std::string(field.key),
			            "Invalid value: expected a non-empty string.");
	return true;
}

bool CheckEvent(element event, size_t index, int64_t now_s, const DestinationsRead &destinations,
                AcceptedEvent *accepted, GoogleFieldProblem *problem) {
	const std::string path = "events[" + std::to_string(index) + "]";
	if (event.type() != element_type::OBJECT)
		return Fail(problem, path, "Invalid value: expected an object.");
	object fields = ObjectOf(event);
	if (!KnownKeys(fields,
	               {"destinationReferences", "transactionId", "eventTimestamp", "lastUpdatedTimestamp",
	                "userData", "consent", "adIdentifiers", "currency", "conversionValue", "eventSource",
	                "eventDeviceInfo", "cartData", "customVariables", "experimentalFields", "userProperties"},
	               path, problem))
		return false;
	accepted->json = event;
	accepted->event_name = destinations.first_product;
	element references;
	if (fields.at_key("destinationReferences").get(references) == simdjson::SUCCESS) {
		if (references.type() != element_type::ARRAY)
			return Fail(problem, path + ".destinationReferences", "Invalid value: expected an array.");
		bool first = true;
		for (element reference : ArrayOf(references)) {
			auto found = destinations.product_by_reference.find(StringOf(reference));
			if (reference.type() != element_type::STRING || found == destinations.product_by_reference.end())
				return Fail(problem, path + ".destinationReferences",
				            "The reference does not match any destination of the request.");
			if (first)
				accepted->event_name = found->second;
			first = false;
		}
	}
	std::string_view text;
	if (!StringMember(fields, "transactionId", path, &accepted->event_id, false, problem) ||
	    !StringMember(fields, "eventTimestamp", path, &text, true, problem))
		return false;
	int64_t time_s = 0;
	if (!ParseRfc3339(text, &time_s))
		return Fail(problem, path + ".eventTimestamp", "Invalid value: expected an RFC 3339 timestamp.");
	if (now_s - time_s > kGoogleMaxAgeS)
		return Fail(problem, path + ".eventTimestamp", "The event is older than 90 days.");
	if (time_s - now_s > kGoogleMaxFutureS)
		return Fail(problem, path + ".eventTimestamp", "The event timestamp is in the future.");
	accepted->event_time = time_s;
	element value;
	if (fields.at_key("userData").get(value) == simdjson::SUCCESS &&
	    !CheckUserData(value, path + ".userData", problem))
		return false;
	if (fields.at_key("consent").get(value) == simdjson::SUCCESS &&
	    !CheckConsent(value, path + ".consent", problem))
		return false;
	if (fields.at_key("adIdentifiers").get(value) == simdjson::SUCCESS &&
	    !CheckStrings(value, path + ".adIdentifiers", {"gclid", "gbraid", "wbraid", "sessionAttributes"},
	                  problem))
		return false;
	if (fields.at_key("eventDeviceInfo").get(value) == simdjson::SUCCESS) {
		if (!CheckStrings(value, path + ".eventDeviceInfo", {"userAgent", "ipAddress"}, problem))
			return false;
		std::string_view ip;
		if (!StringMember(ObjectOf(value), "ipAddress", path + ".eventDeviceInfo", &ip, false, problem))
			return false;
		if (!ip.empty() && !IsIpAddress(ip))
			return Fail(problem, path + ".eventDeviceInfo.ipAddress", "Invalid IP address.");
	}
	std::string_view currency, source;
	if (!StringMember(fields, "currency", path, &currency, false, problem) ||
	    !StringMember(fields, "eventSource", path, &source, false, problem))
		return false;
	if (!currency.empty() && (!IsCurrencyCode(currency) || currency[0] < 'A' || currency[0] > 'Z'))
		return Fail(problem, path + ".currency", "The currency must be an ISO 4217 code in upper case.");
	if (!source.empty() && !IsOneOf(source, {"WEB", "APP", "IN_STORE", "PHONE", "OTHER"}))
		return Fail(problem, path + ".eventSource", "Invalid value at 'eventSource': unknown enum value.");
	if (fields.at_key("conversionValue").get(value) == simdjson::SUCCESS && !value.is_number())
		return Fail(problem, path + ".conversionValue", "Invalid value: expected a number.");
	return true;
}

} // namespace

bool ValidateIngestEvents(element root, int64_t now_s, HandlerOutcome *outcome, GoogleFieldProblem *problem) {
	if (root.type() != element_type::OBJECT)
		return Fail(problem, "", "Invalid JSON payload received. Expected an object.");
	object fields = ObjectOf(root);
	if (!KnownKeys(fields,
	               {"destinations", "events", "consent", "validateOnly", "encoding", "encryptionInfo"}, "",
	               problem))
		return false;
	element destinations, events, value;
	if (fields.at_key("destinations").get(destinations) != simdjson::SUCCESS)
		return Fail(problem, "destinations", "Required field is missing.");
	DestinationsRead read;
	if (!CheckDestinations(destinations, outcome, &read, problem))
		return false;
	std::string_view encoding;
	if (!StringMember(fields, "encoding", "", &encoding, false, problem))
		return false;
	if (!encoding.empty() && encoding != "HEX" && encoding != "BASE64")
		return Fail(problem, "encoding", "Invalid value at 'encoding': unknown enum value.");
	if (fields.at_key("validateOnly").get(value) == simdjson::SUCCESS) {
		bool validate_only = false;
		if (value.get_bool().get(validate_only) != simdjson::SUCCESS)
			return Fail(problem, "validateOnly", "Invalid value: expected a boolean.");
		if (validate_only)
			outcome->test_event_code = "validateOnly";
	}
	if (fields.at_key("events").get(events) != simdjson::SUCCESS || events.type() != element_type::ARRAY ||
	    ArrayOf(events).size() == 0)
		return Fail(problem, "events", "At least one event is required.");
	if (ArrayOf(events).size() > kDataManagerMaxEvents)
		return Fail(problem, "events", "Too many events: at most 2000 per request.");
	outcome->events.reserve(ArrayOf(events).size());
	size_t index = 0;
	for (element event : ArrayOf(events)) {
		outcome->events.emplace_back();
		if (!CheckEvent(event, index, now_s, read, &outcome->events.back(), problem)) {
			outcome->events.clear();
			return false;
		}
		element user_data;
		if (encoding.empty() && ObjectOf(event).at_key("userData").get(user_data) == simdjson::SUCCESS) {
			outcome->events.clear();
			return Fail(problem, "encoding", "The encoding is required when events carry user data.");
		}
		++index;
	}
	return true;
}

} // namespace capi::testserver
