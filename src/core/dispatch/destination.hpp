// A destination (one ad-platform account) and the helpers adapters use to read and check its
// settings. Error messages name the destination and the offending key, never a credential value.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/identity/field.hpp"

namespace capi::dispatch {

struct Destination {
	std::string name;
	identity::Platform platform = identity::Platform::kMeta;
	std::string config_json;       // JSON object text; "" = {}
	std::string credentials_json;  // JSON object text; "" = {}
	std::string endpoint_override; // "scheme://host[:port]" replacing the platform's, or ""
	// Why a credential file it names could not be used (credential_files.hpp), "" when none: the
	// worker pauses the destination with this reason.
	std::string credentials_unavailable;
};

// Throws capi::Error 22023 unless name is 1 to 63 ASCII letters, digits, '_', '.' or '-' (what
// capi.destinations' CHECK constraint allows; checked first so that the constraint's error, which
// shows the whole row, credentials included, never fires).
void RequireValidDestinationName(std::string_view name);
// The same rule as a test: true when name is 1 to 63 ASCII letters, digits, '_', '.' or '-'.
bool IsValidDestinationName(std::string_view name) noexcept;

// Bounds on a destination's columns, checked from their stored size before they are read (a 100 MB
// value is refused at once, never rendered, parsed or quoted). No platform's settings come near:
// the largest credential, a Google service-account key, is about 2.5 kB.
inline constexpr std::size_t kMaxDestinationJsonBytes = 64 * 1024; // config, credentials (JSON text)
inline constexpr std::size_t kMaxDestinationTextBytes = 2048;      // platform, endpoint

// Throws capi::Error 54000 "capi.destinations.<column> is larger than <max_bytes> bytes" when bytes
// exceeds max_bytes; the value itself is never quoted.
void RequireDestinationColumnSize(const char *column, std::size_t bytes, std::size_t max_bytes);

// One JSON-object setting of a destination ("config" or "credentials"), read key by key.
// Every failure throws capi::Error 22023 "destination <name>: <section>.<key> <problem>".
// For a secret section, values (and unknown key names) never appear in messages.
class SettingsReader {
public:
	enum class Secrecy { kPlain, kSecret };

	// Throws when text is not a JSON object ("" counts as {}).
	SettingsReader(const Destination &destination, std::string_view section, std::string_view text,
	               Secrecy secrecy);

	// nullopt when the key is absent (or null); throws when it is not a string or is empty.
	std::optional<std::string> OptionalString(std::string_view key) const;
	// Throws when absent, too.
	std::string RequiredString(std::string_view key) const;
	// Throws naming the first key (plain sections only) not listed. The "config" section also
	// accepts the keys every platform takes (kCommonConfigKeys, common_settings.hpp).
	void RejectUnknownKeys(std::initializer_list<std::string_view> known) const;

	[[noreturn]] void Fail(std::string_view key, std::string_view problem) const;

private:
	const Destination &destination_;
	std::string section_;
	Secrecy secrecy_;
	nlohmann::json object_;
};

// Every string value of destination.credentials_json, at any depth, to be scrubbed from text that
// is logged or stored. Empty when the text is not JSON; never throws capi::Error.
std::vector<std::string> CredentialSecrets(const Destination &destination);

// The base URL ("scheme://host[:port]", no trailing slash) requests go to: override when not empty,
// else default_base. Throws capi::Error 22023 when override is not of that form (a path other than
// "/", a query, a fragment or user info). Whether the scheme and host are allowed is the HTTP
// client's check (http::CheckUrl), done when the request is sent.
std::string ResolveBaseUrl(const Destination &destination, std::string_view default_base,
                           std::string_view override_base);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
