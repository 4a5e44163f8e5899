// Match keys: the identifiers a platform matches a conversion to a person with, which of them an
// outbox row carries for that platform, and an estimated 0–10 match-quality score
// (docs/match-quality.md: the weights and their public sources).
//
// One evaluation serves capi.match_quality() (raw identifiers, built into an identity bag first) and
// capi.match_quality_report (the bags the outbox stores): both read a stored identity bag
// (core/dispatch/identity_bag.hpp) through StoredValues, so the function and the report cannot
// disagree.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/identity/field.hpp"
#include "core/identity/identifiers.hpp"

namespace capi::quality {

// The identifiers scored, in report order; bit 1 << MatchKey in the masks below. click_id and
// browser_id are the platform's own (Meta fbc/fbp, Google gclid|gbraid|wbraid, TikTok ttclid/ttp,
// Snap sc_click_id/sc_cookie1, Reddit rdt_click_id/rdt_uuid, Pinterest epik, LinkedIn li_fat_id).
enum class MatchKey {
	kEmail,
	kPhone,
	kFirstName,
	kLastName,
	kCity,
	kState,
	kZip,
	kCountry,
	kGender,
	kDateOfBirth,
	kExternalId,
	kIpAddress,
	kUserAgent,
	kClickId,
	kBrowserId,
};
inline constexpr std::size_t kMatchKeyCount = 15;

constexpr std::uint32_t Bit(MatchKey key) {
	return std::uint32_t{1} << static_cast<unsigned>(key);
}

// The report's name: em ph fn ln ct st zp country ge db external_id ip ua click_id browser_id.
std::string_view MatchKeyName(MatchKey key) noexcept;

// How a platform uses a match key.
enum class Use {
	kNone,     // the platform has no place for it: no weight, no coverage
	kSent,     // sent when the bag holds a usable value; weighted
	kWithheld, // the platform takes it, but pg_capi never sends it from the outbox (names and external
	           // ids are not stored in clear: identity_bag_builder.hpp's privacy exception); no weight
};

struct KeyRule {
	Use use = Use::kNone;
	int weight_milli = 0; // score points x 1000 when present (the sent keys of a platform sum to 10,000)
	bool address_group = false; // counts only when every address_group key is present (Google's address)
	std::optional<identity::Field> field;      // the identity field it is read from, or
	std::array<identity::PlainKey, 3> plain{}; // the plain bag keys (any one usable is enough)
	std::size_t plain_count = 0;
	bool ipv4_only = false; // LinkedIn takes IPv4 addresses only
	// The user_data key an application adds to supply it (email, phone, ..., fbc, gclid).
	std::string_view input_key;
};

const KeyRule &RuleFor(identity::Platform platform, MatchKey key) noexcept;

// The keys platform uses (Use::kSent) as bits.
std::uint32_t SentKeys(identity::Platform platform) noexcept;

// What a stored identity bag holds under one key, judged by a predicate on its values.
enum class KeyState {
	kAbsent,   // no such key
	kUnusable, // the key exists without a usable value (an empty array, "", the digest of "")
	kUsable,
};

// A usable stored value: not blank, and not the SHA-256 of the empty string (a hashed "" is no
// identifier). Values are the bag's: trimmed digests or plain text.
bool IsUsableStoredValue(std::string_view value) noexcept;
// As IsUsableStoredValue, and an IPv4 address.
bool IsUsableIpv4Value(std::string_view value) noexcept;

using ValueTest = bool (*)(std::string_view value) noexcept;

// Read access to a stored identity bag (a jsonb in the glue, a JSON value in JsonBag). Probe returns
// the state of key: kUsable when its value (a string) or one of its values (an array of strings)
// passes usable; values of other types are not usable.
class StoredValues {
public:
	virtual KeyState Probe(std::string_view key, ValueTest usable) const = 0;

protected:
	~StoredValues() = default;
};

// Which keys a bag carries for platform (the lookup rule: "field@platform" when present, else
// "field"), as bits: usable, and unusable = given but unusable (a bag key without a usable value, or a
// user_data key the INSERT recorded as unusable, see AddRecordedUnusable).
struct Presence {
	std::uint32_t usable = 0;
	std::uint32_t unusable = 0;
};
Presence Evaluate(const StoredValues &bag, identity::Platform platform);

// Adds one name of the outbox's unusable_identifiers (a user_data key: email, client_ip_address, fbc,
// ...) to presence for platform: the match key it supplies becomes unusable unless usable already.
// Names the platform does not use are ignored.
void AddRecordedUnusable(std::string_view user_data_key, identity::Platform platform, Presence &presence);

// The estimated score of the usable keys, 0 to 10 (in thousandths: 0 to 10,000).
int ScoreMilli(std::uint32_t usable, identity::Platform platform) noexcept;

// For the report view: usable bits 0–14, unusable bits 16–30, the number of usable keys in bits
// 32–39 and of unusable keys in bits 40–47 (only keys the platform sends count).
std::int64_t PackPresence(const Presence &presence, identity::Platform platform) noexcept;
Presence UnpackPresence(std::int64_t packed) noexcept;

} // namespace capi::quality

#include "core/cpp_only.hpp"
