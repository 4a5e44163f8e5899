#include "core/dispatch/destination.hpp"

#include "core/dispatch/common_settings.hpp"
#include "core/error.hpp"

namespace capi::dispatch {

bool IsValidDestinationName(std::string_view name) noexcept {
	bool valid = !name.empty() && name.size() <= 63;
	for (char c : name)
		valid = valid && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		                  c == '_' || c == '.' || c == '-');
	return valid;
}

void RequireDestinationColumnSize(const char *column, std::size_t bytes, std::size_t max_bytes) {
	if (bytes > max_bytes)
		throw Error(sqlstate::kProgramLimitExceeded,
		            std::string("capi.destinations.") + column + " is larger than " +
		                std::to_string(max_bytes) + " bytes",
		            "No platform's settings, credentials or endpoint come near this size.");
}

void RequireValidDestinationName(std::string_view name) {
	if (!IsValidDestinationName(name))
		throw Error(sqlstate::kInvalidParameterValue, "destination name is not valid",
		            "A destination name is 1 to 63 ASCII letters, digits, '_', '.' or '-'.");
}
namespace {

[[noreturn]] void Throw(const Destination &destination, std::string_view what) {
	std::string message = "destination ";
	message.append(destination.name).append(": ").append(what);
	throw Error(sqlstate::kInvalidParameterValue, message);
}

bool IsBlank(std::string_view text) {
	return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

} // namespace

SettingsReader::SettingsReader(const Destination &destination, std::string_view section,
                               std::string_view text, Secrecy secrecy)
    : destination_(destination), section_(section), secrecy_(secrecy) {
	if (IsBlank(text)) {
		object_ = nlohmann::json::object();
		return;
	}
	// No parser detail in the message: nlohmann quotes the text it stopped at, which may be a secret.
	object_ = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	if (object_.is_discarded()) {
		Throw(destination_, section_ + " is not valid JSON");
	}
	if (!object_.is_object()) {
		Throw(destination_, section_ + " must be a JSON object");
	}
}

std::optional<std::string> SettingsReader::OptionalString(std::string_view key) const {
	auto found = object_.find(key);
	if (found == object_.end() || found->is_null()) {
		return std::nullopt;
	}
	if (!found->is_string()) {
		Fail(key, "must be a string");
	}
	const std::string &value = found->get_ref<const std::string &>();
	if (value.empty()) {
		Fail(key, "must not be empty");
	}
	return value;
}

std::string SettingsReader::RequiredString(std::string_view key) const {
	std::optional<std::string> value = OptionalString(key);
	if (!value) {
		Fail(key, "is required");
	}
	return *value;
}

void SettingsReader::RejectUnknownKeys(std::initializer_list<std::string_view> known) const {
	for (auto item = object_.begin(); item != object_.end(); ++item) {
		bool listed = false;
		for (std::string_view name : known) {
			listed = listed || item.key() == name;
		}
		if (section_ == "config") { // read by ReadCommonSettings
			for (std::string_view name : kCommonConfigKeys) {
				listed = listed || item.key() == name;
			}
		}
		if (listed) {
			continue;
		}
		std::string expected;
		for (std::string_view name : known) {
			expected.append(expected.empty() ? "" : ", ").append(name);
		}
		if (section_ == "config") {
			for (std::string_view name : kCommonConfigKeys) {
				expected.append(", ").append(name);
			}
		}
		if (secrecy_ == Secrecy::kSecret) {
			Throw(destination_, section_ + " has an unknown key (expected: " + expected + ")");
		}
		Throw(destination_,
		      section_ + " has an unknown key \"" + item.key() + "\" (expected: " + expected + ")");
	}
}

void SettingsReader::Fail(std::string_view key, std::string_view problem) const {
	std::string what = section_;
	what.append(".").append(key).append(" ").append(problem);
	Throw(destination_, what);
}

namespace {

void CollectStrings(const nlohmann::json &value, std::vector<std::string> *out) {
	if (value.is_string()) {
		out->push_back(value.get<std::string>());
	} else if (value.is_structured()) {
		for (const nlohmann::json &item : value) {
			CollectStrings(item, out);
		}
	}
}

} // namespace

std::vector<std::string> CredentialSecrets(const Destination &destination) {
	std::vector<std::string> secrets;
	const std::string &text = destination.credentials_json;
	nlohmann::json credentials = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	if (!credentials.is_discarded()) {
		CollectStrings(credentials, &secrets);
	}
	return secrets;
}

std::string ResolveBaseUrl(const Destination &destination, std::string_view default_base,
                           std::string_view override_base) {
	if (override_base.empty()) {
		return std::string(default_base);
	}
	const char *kForm = "endpoint override must have the form scheme://host[:port]";
	size_t scheme_end = override_base.find("://");
	if (scheme_end == std::string_view::npos || scheme_end == 0) {
		Throw(destination, kForm);
	}
	std::string_view rest = override_base.substr(scheme_end + 3);
	size_t authority_end = rest.find_first_of("/?#");
	std::string_view authority = rest.substr(0, authority_end);
	std::string_view tail =
	    authority_end == std::string_view::npos ? std::string_view() : rest.substr(authority_end);
	if (authority.empty() || authority.find('@') != std::string_view::npos ||
	    (!tail.empty() && tail != "/")) {
		Throw(destination, kForm);
	}
	return std::string(override_base.substr(0, scheme_end + 3 + authority.size()));
}

} // namespace capi::dispatch
