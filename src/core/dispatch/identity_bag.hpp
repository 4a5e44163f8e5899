// The stored identity bag: what the outbox keeps in user_data after hashing at INSERT (raw PII
// never rests). A JSON object with
//   - identity fields (email, phone, first_name, last_name, city, state, zip, country, gender,
//     date_of_birth, external_id, street), optionally suffixed "@<platform>" (email@google,
//     city@tiktok), each an array of strings. Unsuffixed values are SHA-256 hex digests of Meta's
//     normalization; a suffixed key holds that platform's own variant (hashed or plain as the
//     platform wants it);
//   - plain keys with string values: client_ip_address, client_user_agent and click ids.
// Lookup rule: the values of field F for platform P are bag["F@P"] when that key exists (even if
// its array is empty), else bag["F"].
#pragma once

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/identity/field.hpp"
#include "core/identity/identifiers.hpp"

namespace capi::dispatch {

// The plain keys and counts are the identity layer's: one list for what INSERT accepts and what
// the adapters read.
using identity::kFieldCount;
using identity::kPlainKeyCount;
using identity::PlainKey;
using identity::PlainKeyName;

class IdentityBag {
public:
	IdentityBag();
	~IdentityBag();
	IdentityBag(const IdentityBag &) = delete;
	IdentityBag &operator=(const IdentityBag &) = delete;

	// Reads json and resolves every field for platform by the lookup rule; "" (or blank) is an
	// empty bag. Returns what is wrong when json is not a JSON object, or when a value the
	// platform would use has the wrong type (a field: string or array of strings; a plain key:
	// string). Keys of other platforms and unknown keys are ignored. Empty strings count as absent.
	std::optional<std::string> Load(std::string_view json, identity::Platform platform);

	// The values of field for the loaded platform, in bag order. Views stay valid until the next
	// Load or the destruction of the bag.
	const std::vector<std::string_view> &Values(identity::Field field) const {
		return values_[static_cast<std::size_t>(field)];
	}
	// Forgets every identifier (consent_policy.hpp); with keep_click_ids, Google's click ids (gclid,
	// gbraid, wbraid) stay.
	void Strip(bool keep_click_ids);

	// The value of a plain key, "" when absent.
	std::string_view Plain(PlainKey key) const { return plain_[static_cast<std::size_t>(key)]; }

private:
	struct Parser;
	std::unique_ptr<Parser> parser_;
	std::array<std::vector<std::string_view>, kFieldCount> values_;
	std::array<std::string_view, kPlainKeyCount> plain_;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
