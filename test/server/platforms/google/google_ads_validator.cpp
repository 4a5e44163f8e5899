#include "server/platforms/google/google_ads_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/google/google_time_format.hpp"
#include "server/platforms/json_access.hpp"

#include <initializer_list>
#include <optional>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

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

// "customers/{digits}/conversionActions/{digits}" -> the action id.
bool ConversionActionId(std::string_view name, std::string_view *id) {
	constexpr std::string_view kCustomers = "customers/";
	constexpr std::string_view kActions = "/conversionActions/";
	if (name.substr(0, kCustomers.size()) != kCustomers)
		return false;
	size_t at = name.find(kActions);
	if (at == std::string_view::npos || !IsDigits(name.substr(kCustomers.size(), at - kCustomers.size())))
		return false;
	*id = name.substr(at + kActions.size());
	return IsDigits(*id);
}

std::optional<std::string_view> StringAt(object fields, std::string_view key) {
	element value;
	if (fields.at_key(key).get(value) != simdjson::SUCCESS || value.type() != element_type::STRING)
		return std::nullopt;
	return StringOf(value);
}

bool Present(object fields, std::string_view key) {
	element value;
	return fields.at_key(key).get(value) == simdjson::SUCCESS;
}

AdsRowError Row(size_t index, std::string kind, std::string code, std::string message, std::string field) {
	return AdsRowError{index, std::move(kind), std::move(code), std::move(message), std::move(field)};
}

std::optional<AdsRowError> CheckIdentifiers(element identifiers, size_t index) {
	if (identifiers.type() != element_type::ARRAY)
		return Row(index, "fieldError", "INVALID_VALUE", "userIdentifiers must be a list.",
		           "user_identifiers");
	if (ArrayOf(identifiers).size() > kAdsMaxUserIdentifiers)
		return Row(index, "collectionSizeError", "TOO_MANY", "Too many user identifiers: at most 5.",
		           "user_identifiers");
	for (element identifier : ArrayOf(identifiers)) {
		object fields = ObjectOf(identifier);
		size_t values = 0;
		for (simdjson::dom::key_value_pair field : fields) {
			if (field.key == "userIdentifierSource") {
				if (!IsOneOf(StringOf(field.value), {"UNSPECIFIED", "UNKNOWN", "FIRST_PARTY", "THIRD_PARTY"}))
					return Row(index, "fieldError", "INVALID_VALUE", "Unknown userIdentifierSource.",
					           "user_identifiers");
				continue;
			}
			if (field.key != "hashedEmail" && field.key != "hashedPhoneNumber")
				return Row(index, "conversionUploadError", "UNSUPPORTED_USER_IDENTIFIER",
				           "Only hashed_email and hashed_phone_number are supported for conversion uploads.",
				           "user_identifiers");
			if (field.value.type() != element_type::STRING || !IsLowerHexSha256(StringOf(field.value)))
				return Row(index, "fieldError", "INVALID_VALUE",
				           "The user identifier must be a SHA-256 digest in lowercase hex.",
				           "user_identifiers");
			++values;
		}
		if (values != 1)
			return Row(index, "fieldError", "INVALID_VALUE", "Set exactly one identifier per UserIdentifier.",
			           "user_identifiers");
	}
	return std::nullopt;
}

// A conversion's row error, or nullopt with accepted filled.
std::optional<AdsRowError> CheckConversion(object fields, size_t index, int64_t now_s,
                                           AcceptedEvent *accepted) {
	std::optional<std::string_view> action = StringAt(fields, "conversionAction");
	std::string_view action_id;
	if (!action || !ConversionActionId(*action, &action_id))
		return Row(index, "conversionUploadError", "INVALID_CONVERSION_ACTION",
		           "conversionAction must be customers/{customer_id}/conversionActions/{id}.",
		           "conversion_action");
	std::optional<std::string_view> when = StringAt(fields, "conversionDateTime");
	int64_t time_s = 0;
	if (!when || !ParseAdsDateTime(*when, &time_s))
		return Row(index, "dateError", "INVALID_FIELD_FORMAT",
		           "conversionDateTime must be yyyy-mm-dd hh:mm:ss+|-hh:mm.", "conversion_date_time");
	if (now_s - time_s > kGoogleMaxAgeS)
		return Row(index, "conversionUploadError", "EXPIRED_EVENT",
		           "The conversion is older than the conversion action's click-through window.",
		           "conversion_date_time");
	if (time_s - now_s > kGoogleMaxFutureS)
		return Row(index, "dateError", "LATER_THAN_MAXIMUM_DATE",
		           "The conversion date time is in the future.", "conversion_date_time");
	const bool gclid = Present(fields, "gclid");
	const bool gbraid = Present(fields, "gbraid");
	const bool wbraid = Present(fields, "wbraid");
	if (gbraid && wbraid)
		return Row(index, "conversionUploadError", "GBRAID_WBRAID_BOTH_SET",
		           "Both gbraid and wbraid are set; only one may be.", "wbraid");
	if (gclid && (gbraid || wbraid))
		return Row(index, "fieldError", "VALUE_MUST_BE_UNSET",
		           "gclid cannot be combined with gbraid or wbraid.", gbraid ? "gbraid" : "wbraid");
	element identifiers;
	const bool has_identifiers = fields.at_key("userIdentifiers").get(identifiers) == simdjson::SUCCESS;
	if (has_identifiers) {
		if (std::optional<AdsRowError> error = CheckIdentifiers(identifiers, index))
			return error;
	}
	if (!gclid && !gbraid && !wbraid && (!has_identifiers || ArrayOf(identifiers).size() == 0))
		return Row(index, "conversionUploadError", "CLICK_NOT_FOUND",
		           "A click id (gclid, gbraid, wbraid) or user identifiers are required.", "gclid");
	for (const char *click : {"gclid", "gbraid", "wbraid"}) {
		std::optional<std::string_view> value = StringAt(fields, click);
		if (Present(fields, click) && (!value || value->empty()))
			return Row(index, "conversionUploadError", "UNPARSEABLE_GCLID", "The click id is not a string.",
			           click);
	}
	if (std::optional<std::string_view> currency = StringAt(fields, "currencyCode");
	    Present(fields, "currencyCode") &&
	    (!currency || !IsCurrencyCode(*currency) || (*currency)[0] < 'A' || (*currency)[0] > 'Z'))
		return Row(index, "currencyCodeError", "UNSUPPORTED", "The currency code is not supported.",
		           "currency_code");
	element value;
	if (fields.at_key("conversionValue").get(value) == simdjson::SUCCESS && !value.is_number())
		return Row(index, "fieldError", "INVALID_VALUE", "conversionValue must be a number.",
		           "conversion_value");
	if (fields.at_key("consent").get(value) == simdjson::SUCCESS) {
		object consent = ObjectOf(value);
		for (simdjson::dom::key_value_pair field : consent) {
			if (field.key == "adPersonalization")
				return Row(
				    index, "fieldError", "VALUE_MUST_BE_UNSET",
				    "ad_personalization can only be set for OfflineUserDataJobService and UserDataService.",
				    "consent.ad_personalization");
			if (field.key != "adUserData" ||
			    !IsOneOf(StringOf(field.value), {"UNSPECIFIED", "UNKNOWN", "GRANTED", "DENIED"}))
				return Row(index, "fieldError", "INVALID_VALUE", "Invalid consent.", "consent");
		}
	}
	std::optional<std::string_view> order = StringAt(fields, "orderId");
	if (Present(fields, "orderId") && !order)
		return Row(index, "fieldError", "INVALID_VALUE", "orderId must be a string.", "order_id");
	accepted->event_name = action_id;
	accepted->event_id = order.value_or(std::string_view());
	accepted->event_time = time_s;
	return std::nullopt;
}

bool Fail(GoogleFieldProblem *problem, std::string field, std::string description) {
	problem->field = std::move(field);
	problem->description = std::move(description);
	return false;
}

} // namespace

bool ValidateUploadClickConversions(element root, int64_t now_s, HandlerOutcome *outcome,
                                    AdsValidation *validation, GoogleFieldProblem *problem) {
	if (root.type() != element_type::OBJECT)
		return Fail(problem, "", "Invalid JSON payload received. Expected an object.");
	object fields = ObjectOf(root);
	element conversions;
	for (simdjson::dom::key_value_pair field : fields) {
		if (!IsOneOf(field.key, {"conversions", "partialFailure", "validateOnly", "debugEnabled", "jobId"}))
			return Fail(problem, std::string(field.key),
			            "Invalid JSON payload received. Unknown name \"" + std::string(field.key) +
			                "\": Cannot find field.");
		bool flag = false;
		if (field.key == "partialFailure" || field.key == "validateOnly" || field.key == "debugEnabled") {
			if (field.value.get_bool().get(flag) != simdjson::SUCCESS)
				return Fail(problem, std::string(field.key), "Invalid value: expected a boolean.");
			if (field.key == "partialFailure")
				validation->partial_failure = flag;
			if (field.key == "validateOnly" && flag)
				outcome->test_event_code = "validateOnly";
		}
	}
	if (fields.at_key("conversions").get(conversions) != simdjson::SUCCESS ||
	    conversions.type() != element_type::ARRAY || ArrayOf(conversions).size() == 0) {
		validation->request_error_kind = "requestError";
		validation->request_error_code = "REQUIRED_FIELD_MISSING";
		return Fail(problem, "conversions", "At least one conversion is required.");
	}
	if (ArrayOf(conversions).size() > kAdsMaxConversions) {
		validation->request_error_kind = "conversionUploadError";
		validation->request_error_code = "TOO_MANY_CONVERSIONS_IN_REQUEST";
		return Fail(problem, "conversions", "Too many conversions in the request: at most 2000.");
	}
	size_t index = 0;
	for (element conversion : ArrayOf(conversions)) {
		if (conversion.type() != element_type::OBJECT)
			return Fail(problem, "conversions[" + std::to_string(index) + "]",
			            "Invalid value: expected an object.");
		for (simdjson::dom::key_value_pair field : ObjectOf(conversion))
			if (!IsOneOf(field.key, {"conversionAction", "conversionDateTime", "gclid", "gbraid", "wbraid",
			                         "orderId", "conversionValue", "currencyCode", "userIdentifiers",
			                         "consent", "conversionEnvironment", "customVariables", "cartData",
			                         "externalAttributionData", "userIpAddress"}))
				return Fail(problem, "conversions[" + std::to_string(index) + "]." + std::string(field.key),
				            "Invalid JSON payload received. Unknown name \"" + std::string(field.key) +
				                "\": Cannot find field.");
		AcceptedEvent accepted;
		accepted.json = conversion;
		if (std::optional<AdsRowError> error =
		        CheckConversion(ObjectOf(conversion), index, now_s, &accepted)) {
			validation->row_errors.push_back(std::move(*error));
		} else {
			outcome->events.push_back(accepted);
			validation->accepted_positions.push_back(index);
		}
		++index;
	}
	return true;
}

} // namespace capi::testserver
