#include "server/platforms/linkedin/linkedin_element_validator.hpp"

#include "server/platforms/field_formats.hpp"
#include "server/platforms/json_access.hpp"

#include <arpa/inet.h>

namespace capi::testserver {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

constexpr std::string_view kRulePrefix = "urn:lla:llaPartnerConversion:";

bool IsDigits(std::string_view text) {
	if (text.empty()) {
		return false;
	}
	for (char c : text) {
		if (c < '0' || c > '9') {
			return false;
		}
	}
	return true;
}

bool IsDecimal(std::string_view text) {
	size_t dot = text.find('.');
	if (dot == std::string_view::npos) {
		return IsDigits(text);
	}
	return (dot == 0 || IsDigits(text.substr(0, dot))) && IsDigits(text.substr(dot + 1));
}

bool IsIpv4(std::string_view text) {
	char buffer[32];
	if (text.empty() || text.size() >= sizeof buffer) {
		return false;
	}
	text.copy(buffer, text.size());
	buffer[text.size()] = '\0';
	unsigned char address[4];
	return inet_pton(AF_INET, buffer, address) == 1;
}

std::string Required(std::string_view path) {
	return std::string(path) + " :: field is required but not found and has no default value";
}

std::string NotInSchema(std::string_view path) {
	return std::string(path) + " :: unrecognized field found but not allowed";
}

void CheckUserIds(element ids, std::vector<std::string> *problems) {
	if (ids.type() != element_type::ARRAY) {
		problems->push_back("/user/userIds :: expected an array");
		return;
	}
	size_t i = 0;
	for (element id : ArrayOf(ids)) {
		const std::string path = "/user/userIds/" + std::to_string(i++);
		element type, value;
		if (id.type() != element_type::OBJECT || id["idType"].get(type) != simdjson::SUCCESS ||
		    id["idValue"].get(value) != simdjson::SUCCESS || type.type() != element_type::STRING ||
		    value.type() != element_type::STRING) {
			problems->push_back(path + " :: idType and idValue are required strings");
			continue;
		}
		std::string_view kind = StringOf(type), text = StringOf(value);
		if (kind == "SHA256_EMAIL") {
			if (!IsLowerHexSha256(text)) {
				problems->push_back(path + "/idValue :: SHA256_EMAIL must be a SHA-256 hex digest");
			}
		} else if (kind == "PLAINTEXT_IP_ADDRESS") {
			if (!IsIpv4(text)) {
				problems->push_back(path + "/idValue :: PLAINTEXT_IP_ADDRESS must be an IPv4 address");
			}
		} else if (kind == "LINKEDIN_FIRST_PARTY_ADS_TRACKING_UUID" || kind == "ACXIOM_ID" ||
		           kind == "ORACLE_MOAT_ID" || kind == "GOOGLE_AID" || kind == "SHA256_IP_ADDRESS") {
			if (text.empty()) {
				problems->push_back(path + "/idValue :: must not be empty");
			}
		} else {
			problems->push_back(path + "/idType :: \"" + std::string(kind) +
			                    "\" is not a valid IdType symbol");
		}
	}
}

void CheckUser(element user, std::vector<std::string> *problems) {
	if (user.type() != element_type::OBJECT) {
		problems->push_back("/user :: expected a record");
		return;
	}
	bool has_ids = false, has_info = false, has_user_ids = false;
	for (auto field : ObjectOf(user)) {
		std::string_view key = field.key;
		if (key == "userIds") {
			has_user_ids = true;
			CheckUserIds(field.value, problems);
			has_ids = field.value.type() == element_type::ARRAY && ArrayOf(field.value).size() > 0;
		} else if (key == "userInfo") {
			element first, last;
			if (field.value.type() != element_type::OBJECT ||
			    field.value["firstName"].get(first) != simdjson::SUCCESS ||
			    field.value["lastName"].get(last) != simdjson::SUCCESS) {
				problems->push_back(Required("/user/userInfo/firstName"));
				problems->push_back(Required("/user/userInfo/lastName"));
			} else {
				has_info = true;
			}
		} else if (key == "externalIds") {
			if (field.value.type() != element_type::ARRAY || ArrayOf(field.value).size() != 1) {
				problems->push_back("/user/externalIds :: exactly one external id is allowed");
			}
		} else if (key != "lead") {
			problems->push_back(NotInSchema("/user/" + std::string(key)));
		}
	}
	if (!has_user_ids) {
		problems->push_back(Required("/user/userIds"));
	} else if (!has_ids && !has_info) {
		problems->push_back(
		    "/user :: at least one userId or userInfo with firstName and lastName is required");
	}
}

void CheckValue(element value, std::vector<std::string> *problems) {
	element code, amount;
	if (value.type() != element_type::OBJECT) {
		problems->push_back("/conversionValue :: expected a record");
		return;
	}
	if (value["currencyCode"].get(code) != simdjson::SUCCESS) {
		problems->push_back(Required("/conversionValue/currencyCode"));
	} else {
		std::string_view text = StringOf(code);
		bool upper = text.size() == 3;
		for (char c : text) {
			upper = upper && c >= 'A' && c <= 'Z';
		}
		if (!upper) {
			problems->push_back("/conversionValue/currencyCode :: must be an upper-case ISO 4217 code");
		}
	}
	if (value["amount"].get(amount) != simdjson::SUCCESS) {
		problems->push_back(Required("/conversionValue/amount"));
	} else if (amount.type() != element_type::STRING || !IsDecimal(StringOf(amount))) {
		problems->push_back("/conversionValue/amount :: must be a decimal number as a string");
	}
}

void CheckTime(element time, int64_t now_ms, std::vector<std::string> *problems) {
	if (time.type() != element_type::INT64 && time.type() != element_type::UINT64) {
		problems->push_back("/conversionHappenedAt :: expected a long (epoch milliseconds)");
		return;
	}
	int64_t ms = time.type() == element_type::INT64 ? int64_t(time) : static_cast<int64_t>(uint64_t(time));
	if (ms < 100000000000LL) { // before 1973 in ms: seconds were sent
		problems->push_back("/conversionHappenedAt :: " + std::to_string(ms) +
		                    " is not in epoch milliseconds (it looks like seconds)");
	} else if (now_ms - ms > kLinkedInMaxAgeMs) {
		problems->push_back("/conversionHappenedAt :: conversion happened more than 90 days ago");
	} else if (ms - now_ms > kLinkedInMaxFutureMs) {
		problems->push_back("/conversionHappenedAt :: conversion happened in the future");
	}
}

} // namespace

std::vector<std::string> LinkedInElementProblems(element element, int64_t now_ms) {
	std::vector<std::string> problems;
	if (element.type() != element_type::OBJECT) {
		problems.push_back("/ :: expected a record");
		return problems;
	}
	bool conversion = false, time = false, user = false;
	for (auto field : ObjectOf(element)) {
		std::string_view key = field.key;
		if (key == "conversion") {
			conversion = true;
			std::string_view urn = StringOf(field.value);
			if (urn.substr(0, kRulePrefix.size()) != kRulePrefix ||
			    !IsDigits(urn.substr(kRulePrefix.size()))) {
				problems.push_back("/conversion :: must be a urn:lla:llaPartnerConversion URN");
			}
		} else if (key == "conversionHappenedAt") {
			time = true;
			CheckTime(field.value, now_ms, &problems);
		} else if (key == "conversionValue") {
			CheckValue(field.value, &problems);
		} else if (key == "eventId") {
			if (field.value.type() != element_type::STRING || StringOf(field.value).empty()) {
				problems.push_back("/eventId :: expected a non-empty string");
			}
		} else if (key == "user") {
			user = true;
			CheckUser(field.value, &problems);
		} else {
			problems.push_back(NotInSchema("/" + std::string(key)));
		}
	}
	if (!conversion) {
		problems.push_back(Required("/conversion"));
	}
	if (!time) {
		problems.push_back(Required("/conversionHappenedAt"));
	}
	if (!user) {
		problems.push_back(Required("/user"));
	}
	return problems;
}

} // namespace capi::testserver
