// Scrubbing secrets out of text that is logged or stored (error messages, URLs).
//
// Ad platforms carry credentials in URLs (Meta and Snap: ?access_token=...) and in headers
// (Authorization: Bearer ..., TikTok's Access-Token, Google's developer-token). Anything the HTTP
// client reports goes through a Redactor first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace capi::http {

inline constexpr std::string_view kRedacted = "[REDACTED]";

class Redactor {
public:
	// Every later Apply replaces this exact text. Empty secrets are ignored.
	void AddSecret(std::string_view secret);

	// For each "Name: value" whose name IsSensitiveHeader: the value and, for "Scheme credential"
	// values such as "Bearer abc", the credential alone.
	void AddHeaderSecrets(const std::vector<std::string> &headers);

	// Every query parameter value of url, as written and percent-decoded. Values shorter than 6
	// characters are skipped (they are not credentials, and scrubbing "1" everywhere would garble
	// the text); RedactQueryValues still hides them wherever they appear inside a URL.
	void AddUrlSecrets(std::string_view url);

	// text with, in this order: the registered secrets replaced (ReplaceSecrets); RedactPatterns.
	std::string Apply(std::string_view text) const;

	std::size_t SecretCount() const noexcept { return secrets_.size(); }

private:
	std::vector<std::string> secrets_; // each once
};

// text with every byte that belongs to an occurrence of a non-empty secret hidden: each run of
// overlapping occurrences (a secret containing another, or two that overlap) becomes one [REDACTED],
// so no part of any secret survives. Only text is searched, never a [REDACTED] written in its place.
// The one secret scrubber: the HTTP client's errors (Redactor::Apply), outcome messages
// (dispatch::OutcomeMessage) and capi.preview's bodies go through it.
std::string ReplaceSecrets(std::string_view text, const std::vector<std::string> &secrets);

// Secrets recognizable without registration:
// - every query value of every URL in text ("?a=1&access_token=x" ->
// "?a=[REDACTED]&access_token=[REDACTED]");
// - the value after a credential-like key anywhere (access_token=, token=, secret=, password=, ...);
// - the rest of the line after a sensitive header name ("Authorization: ...");
// - the word after "Bearer " / "Basic ".
std::string RedactPatterns(std::string_view text);

// authorization, proxy-authorization, cookie, set-cookie, access-token, x-access-token, x-api-key,
// x-goog-api-key, api-key, developer-token (case-insensitive).
bool IsSensitiveHeader(std::string_view name) noexcept;

} // namespace capi::http

#include "core/cpp_only.hpp"
