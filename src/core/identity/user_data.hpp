// capi.user_data(): a platform's user-identifier object built from raw (or already hashed) identifiers.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/identity/field.hpp"
#include "core/identity/region.hpp"

namespace capi::identity {

// identifiers: a JSON object as described in identifiers.hpp: identity fields (long names or Meta's
// short keys, optionally suffixed "@<platform>" for one platform's own values, so a stored outbox
// identity bag is valid input), client_ip_address, client_user_agent, or click ids (fbc fbp gclid
// gbraid wbraid ttclid ttp li_fat_id sc_click_id sc_cookie1 rdt_click_id rdt_uuid epik); each value a
// string, a number, null, or an array of those (several emails, say).
// Returns the object the platform expects for the user, with its own key names: hashed where it wants
// hashes, plain where it wants plain (wire_form.hpp; an already hashed value is kept where a hash is
// wanted and dropped where plain text is); values that cannot be normalized are left out, duplicates
// are removed. Identifiers the platform carries outside its user object (Google's click ids and device
// info, Reddit's click id) or does not accept at all are left out: see docs/normalization.md.
// Throws capi::Error(22023) for a non-object input, an unknown key, a non-scalar value or more than
// kMaxValuesPerKey values for one key (input_limits.hpp); capi::Interrupted when an interrupt is pending.
nlohmann::json BuildUserData(const nlohmann::json &identifiers, Platform platform, Region region);

// As above, from JSON text (capi.user_data()): also 22023 for text longer than kMaxIdentifiersBytes
// or a number beyond 64-bit integers and doubles, 22P02 for text that is not JSON
// (RawIdentifiers::Parse).
nlohmann::json BuildUserData(std::string_view identifiers_json, Platform platform, Region region);

// The keys BuildUserData accepts besides the identity fields.
bool IsPlainIdentifierKey(std::string_view key) noexcept;

} // namespace capi::identity

#include "core/cpp_only.hpp"
