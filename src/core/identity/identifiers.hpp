// The raw identifiers capi.user_data() and the outbox's identity bag are built from: a JSON object whose
// keys are
//   - identity fields, by long name or Meta's short key (email, em, first_name, fn, ...), optionally
//     suffixed "@<platform>" (email@google): values for that platform only, which replace the
//     unsuffixed ones for it (the lookup rule of the stored identity bag, core/dispatch/identity_bag.hpp,
//     so a stored bag is valid input too);
//   - client_ip_address, client_user_agent and the click ids (fbc fbp gclid gbraid wbraid ttclid ttp
//     li_fat_id sc_click_id sc_cookie1 rdt_click_id rdt_uuid epik);
// each value a string, a number, null, or an array of those (several emails, say).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/identity/field.hpp"

namespace capi::identity {

// Identifiers that are never hashed: network data and the platforms' click and browser ids.
enum class PlainKey {
	kClientIpAddress,
	kClientUserAgent,
	kFbc,
	kFbp,
	kGclid,
	kGbraid,
	kWbraid,
	kTtclid,
	kTtp,
	kLiFatId,
	kScClickId,
	kScCookie1,
	kRdtClickId,
	kRdtUuid,
	kEpik,
};
inline constexpr std::size_t kPlainKeyCount = 15;
inline constexpr std::size_t kFieldCount = 12;   // Field
inline constexpr std::size_t kPlatformCount = 7; // Platform

std::string_view PlainKeyName(PlainKey key) noexcept;                 // "client_ip_address", "fbc", ...
std::optional<PlainKey> FindPlainKey(std::string_view name) noexcept; // exact, case-sensitive

class RawIdentifiers {
public:
	// Replace the contents with the identifiers in a JSON object, given as a value or (Parse) as text.
	// Throw capi::Error 22023 for a non-object, an unknown key, a "field@platform" key whose platform
	// does not accept the field, a value of another type, or more than kMaxValuesPerKey values for one
	// key (input_limits.hpp; messages name the key, never a value); Parse: 22023 for text longer than
	// kMaxIdentifiersBytes or a number beyond 64-bit integers and doubles, 22P02 for text that is not
	// JSON. Throw capi::Interrupted when an interrupt is pending (core/interrupt.hpp).
	void Read(const nlohmann::json &identifiers);
	void Parse(std::string_view json_text);

	// The values given under the field's own names (email, em), in input order, untouched.
	const std::vector<std::string> &Of(Field field) const { return fields_[Index(field)]; }
	// The values given under "field@platform", or nullptr when no such key was given.
	const std::vector<std::string> *Override(Field field, Platform platform) const {
		return has_override_[Index(field)][Index(platform)] ? &overrides_[Index(field)][Index(platform)]
		                                                    : nullptr;
	}
	// The values platform uses for field: Override(field, platform) when given, else Of(field).
	const std::vector<std::string> &For(Field field, Platform platform) const {
		const std::vector<std::string> *own = Override(field, platform);
		return own != nullptr ? *own : Of(field);
	}
	bool HasOverride(Field field) const { return any_override_[Index(field)]; }
	const std::vector<std::string> &Of(PlainKey key) const { return plain_[Index(key)]; }

private:
	template <typename E> static constexpr std::size_t Index(E e) { return static_cast<std::size_t>(e); }
	void Clear();
	// The list a key's values go to; throws for an unknown key.
	std::vector<std::string> &Target(std::string_view key);

	std::array<std::vector<std::string>, kFieldCount> fields_;
	std::array<std::array<std::vector<std::string>, kPlatformCount>, kFieldCount> overrides_;
	std::array<std::array<bool, kPlatformCount>, kFieldCount> has_override_{};
	std::array<bool, kFieldCount> any_override_{};
	std::array<std::vector<std::string>, kPlainKeyCount> plain_;
};

// True for an IPv4 or (unless ipv4_only) IPv6 address in text form (inet_pton).
bool IsIpAddress(std::string_view value, bool ipv4_only) noexcept;

// The usable values of a plain key, in input order and without duplicates: at most kMaxPlainValueBytes
// as given, trimmed of ASCII white space, not empty, and for client_ip_address an IP address (IPv4 only
// when ipv4_only).
std::vector<std::string> UsablePlainValues(const RawIdentifiers &raw, PlainKey key, bool ipv4_only = false);

// The first usable value of a plain key (as UsablePlainValues), or false.
bool FirstUsablePlainValue(const RawIdentifiers &raw, PlainKey key, std::string_view &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
