// What an INSERT into capi.outbox makes of user_data: the raw identifiers an application inserted are
// replaced by the stored identity bag (core/dispatch/identity_bag.hpp), so raw personal data never rests
// in the table.
//
// Input: the identifiers capi.user_data() accepts (core/identity/identifiers.hpp): identity fields by
// long or short name, client_ip_address, client_user_agent, click ids; strings, numbers, null or arrays
// of those. "field@platform" keys are accepted too, so a stored bag is valid input and building is
// idempotent: BuildIdentityBag(BuildIdentityBag(x)) == BuildIdentityBag(x) (a row copied from the
// outbox, or restored, keeps its bag).
//
// Output, a JSON object with keys in a fixed order (fields in Field order, each unsuffixed key before
// its suffixed ones in Platform order, then the plain keys in PlainKey order):
//   - "field": [Meta's SHA-256 hex digests], when Meta accepts the field and one value is usable;
//   - "field@platform": [that platform's values], for every other platform accepting the field,
//     only when they differ from "field" (absent "field" counts as []). Hashed where the platform
//     wants hashes, plain where it wants plain (identity/wire_form.hpp): email@google for gmail
//     addresses, email@reddit for "+alias" or dotted local parts, phone@google/@tiktok/@reddit ("+"
//     E.164), city@tiktok, state@google, zip@google, country@google/@linkedin in clear;
//   - plain keys (client_ip_address, client_user_agent, click ids): the first usable value as a
//     string, trimmed; an IP address must be IPv4 or IPv6 (invalid ones are dropped). One value per
//     key: LinkedIn, which takes several IPv4 addresses and li_fat_ids, gets only that one (and no
//     address when the first valid one is IPv6).
// Values are deduplicated and keep the input order. Values already hashed (64 hex digits) are kept,
// lowercased, wherever a hash is wanted.
//
// Privacy exception: names, email, phone, street, date of birth, gender and external_id are never
// stored in clear. Where a platform wants one of them plain (LinkedIn userInfo.firstName/lastName,
// LinkedIn externalIds), the bag holds "field@platform": [] (hiding Meta's digests from that
// platform) and the platform gets nothing for it from the outbox. Coarse location (city, state, zip,
// country) is stored in clear where a platform requires it plain.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/identity/identifiers.hpp"
#include "core/identity/region.hpp"

namespace capi::outbox {

// Writes the bag's JSON text into out (replacing its contents): "{}" when nothing is usable.
// region (ISO 3166-1 alpha-2) reads national phone numbers and zips, as in capi.normalize.
// Throws capi::Error 22023 when user_data_json is not a JSON object, has an unknown key (the hint
// lists the valid ones), a value of another type or more than 32 values for one key, or is larger than
// 1 MiB (identity/input_limits.hpp); 22P02 when it is not JSON. Messages name keys, never values.
// Values too long for their field (input_limits.hpp) count as unusable, as in capi.normalize.
// Throws capi::Interrupted when an interrupt is pending (core/interrupt.hpp). Deduplication is linear.
// Not reentrant per thread (uses this thread's reusable buffers).
// plain, when given, receives the value the bag keeps for each plain key (indexed by PlainKey; ""
// when none): views into this thread's builder, valid until its next call.
// unusable, when given, receives the user_data keys (long field names, plain key names; in Field then
// PlainKey order) given with a value that is not blank but of which no platform can use any: values
// that cannot be normalized or are too long, invalid IP addresses, the SHA-256 of the empty string.
// The INSERT records them in capi.outbox.unusable_identifiers (docs/match-quality.md).
using PlainValues = std::array<std::string_view, identity::kPlainKeyCount>;
using UnusableKeys = std::vector<std::string_view>; // static names
void BuildIdentityBag(std::string_view user_data_json, identity::Region region, std::string &out,
                      PlainValues *plain = nullptr, UnusableKeys *unusable = nullptr);

// The same bag as its members, in the same order, for a caller that builds the JSON value itself (the
// INSERT trigger builds the stored jsonb directly: parsing the text form again took 16 % of a bulk
// INSERT's time). An identity field's member is an array of strings, a plain key's one string. The
// views point into this thread's builder and are valid until its next call; throws as
// BuildIdentityBag does.
struct BagMember {
	std::string_view key;        // "field", "field@platform" or a plain key name
	bool is_array = false;       // identity fields: an array; plain keys: one string
	std::size_t first_value = 0; // into BagMembers::values
	std::size_t value_count = 0; // plain keys: 1
};
struct BagMembers {
	std::vector<BagMember> members;
	std::vector<std::string_view> values;
};
const BagMembers &BuildIdentityBagMembers(std::string_view user_data_json, identity::Region region,
                                          PlainValues *plain = nullptr, UnusableKeys *unusable = nullptr);

// The bag's JSON text (what BuildIdentityBag writes) from its members, into out (replacing it).
void WriteIdentityBagJson(const BagMembers &bag, std::string &out);

std::string BuildIdentityBag(std::string_view user_data_json, identity::Region region);

} // namespace capi::outbox

#include "core/cpp_only.hpp"
