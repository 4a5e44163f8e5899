#include "core/identity/identifiers.hpp"

#include <arpa/inet.h>

#include <unordered_set>

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include "core/error.hpp"
#include "core/identity/acceptance.hpp"
#include "core/identity/input_limits.hpp"
#include "core/interrupt.hpp"

namespace capi::identity {
namespace {

constexpr std::string_view kPlainKeyNames[kPlainKeyCount] = {
    "client_ip_address",
    "client_user_agent",
    "fbc",
    "fbp",
    "gclid",
    "gbraid",
    "wbraid",
    "ttclid",
    "ttp",
    "li_fat_id",
    "sc_click_id",
    "sc_cookie1",
    "rdt_click_id",
    "rdt_uuid",
    "epik",
};

std::string AcceptedKeys() {
	std::string keys =
	    "email, phone, first_name, last_name, city, state, zip, country, gender, date_of_birth, "
	    "external_id, street (or em, ph, fn, ln, ct, st, zp, ge, db)";
	for (std::string_view name : kPlainKeyNames) {
		keys += ", ";
		keys += name;
	}
	return keys;
}

// Keys are quoted in messages only when they look like names: a misplaced value used as a key (an
// email address, say) must not end up in an error message or the server log.
std::string QuotedKey(std::string_view key) {
	constexpr std::size_t kMaxShown = 40;
	bool name_like = !key.empty() && key.size() <= kMaxShown;
	for (char c : key) {
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
		name_like = name_like && ok;
	}
	return name_like ? "\"" + std::string(key) + "\""
	                 : std::string("(not shown: it does not look like a key name)");
}

std::string_view TrimAsciiSpaces(std::string_view s) {
	auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
	while (!s.empty() && is_space(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && is_space(s.back()))
		s.remove_suffix(1);
	return s;
}

[[noreturn]] void ThrowBadValue(std::string_view key) {
	throw Error(sqlstate::kInvalidParameterValue,
	            "identifier " + QuotedKey(key) + " must be a string, a number, null or an array of those");
}

// Called before each value is added to target (which holds the key's values so far). key is one
// Target accepted, so a name of ours and safe to show.
void BeforeAddingValue(std::string_view key, const std::vector<std::string> &target) {
	CheckForInterrupt();
	if (target.size() >= kMaxValuesPerKey)
		throw Error(sqlstate::kInvalidParameterValue,
		            "identifier \"" + std::string(key) + "\" has more than " +
		                std::to_string(kMaxValuesPerKey) + " values",
		            "Send at most " + std::to_string(kMaxValuesPerKey) +
		                " values per identifier key (counting short and long names together).");
}

// A number's text as nlohmann::json writes it (both readers give the same string for the same
// number): a zip or a phone number stored as a JSON number.
std::string NumberText(const nlohmann::json &number) {
	return number.dump();
}

void AddNlohmannValue(std::string_view key, const nlohmann::json &value, std::vector<std::string> &target) {
	if (value.is_null())
		return;
	BeforeAddingValue(key, target);
	if (value.is_string())
		target.push_back(value.get<std::string>());
	else if (value.is_number())
		target.push_back(NumberText(value));
	else
		ThrowBadValue(key);
}

void AddSimdjsonValue(std::string_view key, simdjson::dom::element value, std::vector<std::string> &target) {
	if (value.type() == simdjson::dom::element_type::NULL_VALUE)
		return;
	BeforeAddingValue(key, target);
	switch (value.type()) {
	case simdjson::dom::element_type::STRING:
		target.emplace_back(value.get_string().value_unsafe());
		return;
	case simdjson::dom::element_type::INT64:
		target.push_back(NumberText(nlohmann::json(value.get_int64().value_unsafe())));
		return;
	case simdjson::dom::element_type::UINT64:
		target.push_back(NumberText(nlohmann::json(value.get_uint64().value_unsafe())));
		return;
	case simdjson::dom::element_type::DOUBLE:
		target.push_back(NumberText(nlohmann::json(value.get_double().value_unsafe())));
		return;
	default:
		ThrowBadValue(key);
	}
}

// The simdjson parser of this thread, created on first use and never freed (no static destructor).
simdjson::dom::parser &ThreadParser() {
	thread_local simdjson::dom::parser *parser = nullptr;
	if (parser == nullptr)
		parser = new simdjson::dom::parser();
	return *parser;
}

[[noreturn]] void ThrowNotAnObject() {
	throw Error(sqlstate::kInvalidParameterValue, "identifiers must be a JSON object",
	            "Pass an object such as {\"email\": \"a@example.com\", \"phone\": \"+1 650 555 1212\"}.");
}

} // namespace

std::string_view PlainKeyName(PlainKey key) noexcept {
	return kPlainKeyNames[static_cast<std::size_t>(key)];
}

std::optional<PlainKey> FindPlainKey(std::string_view name) noexcept {
	for (std::size_t i = 0; i < kPlainKeyCount; ++i)
		if (kPlainKeyNames[i] == name)
			return static_cast<PlainKey>(i);
	return std::nullopt;
}

void RawIdentifiers::Clear() {
	for (std::size_t f = 0; f < kFieldCount; ++f) {
		fields_[f].clear();
		if (any_override_[f])
			for (auto &values : overrides_[f])
				values.clear();
		has_override_[f].fill(false);
	}
	any_override_.fill(false);
	for (auto &values : plain_)
		values.clear();
}

std::vector<std::string> &RawIdentifiers::Target(std::string_view key) {
	if (std::optional<Field> field = FindField(key))
		return fields_[Index(*field)];
	if (std::optional<PlainKey> plain = FindPlainKey(key))
		return plain_[Index(*plain)];
	std::size_t at = key.find('@');
	if (at != std::string_view::npos) {
		std::optional<Field> field = FindField(key.substr(0, at));
		std::optional<Platform> platform = FindPlatform(key.substr(at + 1));
		if (field && platform) {
			RequireAcceptedField(*platform, *field);
			has_override_[Index(*field)][Index(*platform)] = true;
			any_override_[Index(*field)] = true;
			return overrides_[Index(*field)][Index(*platform)];
		}
		if (field)
			throw Error(sqlstate::kInvalidParameterValue,
			            "unknown platform after \"" + std::string(FieldName(*field)) +
			                "@\" in an identifier key",
			            "Platforms are meta, google, tiktok, linkedin, snap, reddit, pinterest.");
	}
	throw Error(sqlstate::kInvalidParameterValue, "unknown identifier key " + QuotedKey(key),
	            "Valid keys are: " + AcceptedKeys() + ".");
}

void RawIdentifiers::Read(const nlohmann::json &identifiers) {
	Clear();
	if (!identifiers.is_object())
		ThrowNotAnObject();
	for (const auto &[key, value] : identifiers.items()) {
		CheckForInterrupt();
		std::vector<std::string> &target = Target(key);
		if (value.is_array()) {
			for (const auto &element : value)
				AddNlohmannValue(key, element, target);
		} else {
			AddNlohmannValue(key, value, target);
		}
	}
}

void RawIdentifiers::Parse(std::string_view json_text) {
	Clear();
	if (json_text.size() > kMaxIdentifiersBytes)
		throw Error(sqlstate::kInvalidParameterValue,
		            "identifiers are too large: " + std::to_string(json_text.size()) +
		                " bytes of JSON, at most " + std::to_string(kMaxIdentifiersBytes),
		            "Send the identifiers of one user: at most " + std::to_string(kMaxValuesPerKey) +
		                " values per key.");
	simdjson::dom::element root;
	simdjson::error_code error = ThreadParser().parse(json_text.data(), json_text.size()).get(root);
	if (error == simdjson::NUMBER_ERROR) // valid in jsonb (numeric), but beyond 64-bit integers and doubles
		throw Error(sqlstate::kInvalidParameterValue, "identifiers contain a number too large to read",
		            "Write long numbers as JSON strings.");
	if (error != simdjson::SUCCESS)
		throw Error(sqlstate::kInvalidTextRepresentation, "identifiers are not valid JSON");
	simdjson::dom::object object;
	if (root.get(object) != simdjson::SUCCESS)
		ThrowNotAnObject();
	for (simdjson::dom::key_value_pair member : object) {
		CheckForInterrupt();
		std::vector<std::string> &target = Target(member.key);
		simdjson::dom::array items;
		if (member.value.get(items) == simdjson::SUCCESS) {
			for (simdjson::dom::element item : items)
				AddSimdjsonValue(member.key, item, target);
		} else {
			AddSimdjsonValue(member.key, member.value, target);
		}
	}
}

bool IsIpAddress(std::string_view value, bool ipv4_only) noexcept {
	char text[INET6_ADDRSTRLEN + 1];
	if (value.empty() || value.size() >= sizeof(text))
		return false;
	value.copy(text, value.size());
	text[value.size()] = '\0';
	unsigned char buffer[sizeof(struct in6_addr)];
	if (inet_pton(AF_INET, text, buffer) == 1)
		return true;
	return !ipv4_only && inet_pton(AF_INET6, text, buffer) == 1;
}

namespace {

// The value trimmed into trimmed when it is usable: within kMaxPlainValueBytes as given, not blank,
// and for client_ip_address an IP address.
bool Usable(PlainKey key, std::string_view value, bool ipv4_only, std::string_view &trimmed) {
	if (value.size() > kMaxPlainValueBytes)
		return false;
	trimmed = TrimAsciiSpaces(value);
	if (trimmed.empty())
		return false;
	return key != PlainKey::kClientIpAddress || IsIpAddress(trimmed, ipv4_only);
}

} // namespace

std::vector<std::string> UsablePlainValues(const RawIdentifiers &raw, PlainKey key, bool ipv4_only) {
	std::vector<std::string> result;
	std::unordered_set<std::string_view> seen; // views into raw, which outlives this call
	for (const std::string &value : raw.Of(key)) {
		CheckForInterrupt();
		std::string_view trimmed;
		if (Usable(key, value, ipv4_only, trimmed) && seen.insert(trimmed).second)
			result.emplace_back(trimmed);
	}
	return result;
}

bool FirstUsablePlainValue(const RawIdentifiers &raw, PlainKey key, std::string_view &out) {
	for (const std::string &value : raw.Of(key)) {
		CheckForInterrupt();
		std::string_view trimmed;
		if (Usable(key, value, /*ipv4_only=*/false, trimmed)) {
			out = trimmed;
			return true;
		}
	}
	return false;
}

} // namespace capi::identity
