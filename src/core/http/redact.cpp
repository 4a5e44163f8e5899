#include "core/http/redact.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace capi::http {
namespace {

constexpr std::size_t kMinAutoSecretLength = 6;

char Lower(char c) noexcept {
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool StartsWithIgnoringCase(std::string_view text, std::size_t at, std::string_view prefix) noexcept {
	if (text.size() - at < prefix.size())
		return false;
	for (std::size_t i = 0; i < prefix.size(); i++) {
		if (Lower(text[at + i]) != Lower(prefix[i]))
			return false;
	}
	return true;
}

bool IsWordChar(char c) noexcept {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool IsSpace(char c) noexcept {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

// Where a URL (and so its query string) ends inside free text.
bool EndsUrl(char c) noexcept {
	return IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == ')' || c == '#' || c == '`';
}

// Where a key=value value ends inside free text.
bool EndsValue(char c) noexcept {
	return EndsUrl(c) || c == '&' || c == ';' || c == ',';
}

std::string_view Trim(std::string_view s) noexcept {
	while (!s.empty() && IsSpace(s.front()))
		s.remove_prefix(1);
	while (!s.empty() && IsSpace(s.back()))
		s.remove_suffix(1);
	return s;
}

// "?a=1&b=2 rest" -> "?a=[REDACTED]&b=[REDACTED] rest".
std::string RedactQueries(std::string_view text) {
	std::string out;
	out.reserve(text.size());
	std::size_t i = 0;
	while (i < text.size()) {
		char c = text[i];
		out.push_back(c);
		i++;
		if (c != '?')
			continue;
		// Inside a query: copy keys, replace values, until the URL ends.
		while (i < text.size() && !EndsUrl(text[i])) {
			std::size_t end = i;
			while (end < text.size() && !EndsUrl(text[end]) && text[end] != '&' && text[end] != ';')
				end++;
			std::string_view segment = text.substr(i, end - i);
			std::size_t eq = segment.find('=');
			if (eq == std::string_view::npos) {
				if (!segment.empty())
					out.append(kRedacted);
			} else {
				out.append(segment.substr(0, eq + 1));
				if (eq + 1 < segment.size())
					out.append(kRedacted);
			}
			i = end;
			if (i < text.size() && (text[i] == '&' || text[i] == ';')) {
				out.push_back(text[i]);
				i++;
			}
		}
	}
	return out;
}

// "... access_token=abc ..." -> "... access_token=[REDACTED] ...", wherever it appears.
std::string RedactCredentialKeys(std::string_view text) {
	static constexpr std::string_view kKeys[] = {
	    "access_token", "refresh_token", "client_secret", "id_token", "token",     "secret", "password",
	    "passwd",       "api_key",       "apikey",        "key",      "signature", "sig",    "auth",
	};
	std::string out;
	out.reserve(text.size());
	std::size_t i = 0;
	while (i < text.size()) {
		bool matched = false;
		if (i == 0 || !IsWordChar(text[i - 1])) {
			for (std::string_view key : kKeys) {
				std::size_t after = i + key.size();
				if (after < text.size() && text[after] == '=' && StartsWithIgnoringCase(text, i, key)) {
					out.append(text.substr(i, key.size() + 1));
					std::size_t end = after + 1;
					while (end < text.size() && !EndsValue(text[end]))
						end++;
					if (end > after + 1 && text.substr(after + 1, end - after - 1) != kRedacted)
						out.append(kRedacted);
					else
						out.append(text.substr(after + 1, end - after - 1));
					i = end;
					matched = true;
					break;
				}
			}
		}
		if (!matched) {
			out.push_back(text[i]);
			i++;
		}
	}
	return out;
}

// "Authorization: Bearer x\r\n" -> "Authorization: [REDACTED]\r\n"; "Bearer x" -> "Bearer [REDACTED]".
std::string RedactHeadersAndSchemes(std::string_view text) {
	static constexpr std::string_view kHeaders[] = {
	    "proxy-authorization", "authorization",  "set-cookie", "cookie",  "x-access-token",
	    "access-token",        "x-goog-api-key", "x-api-key",  "api-key", "developer-token",
	};
	static constexpr std::string_view kSchemes[] = {"bearer ", "basic "};
	std::string out;
	out.reserve(text.size());
	std::size_t i = 0;
	while (i < text.size()) {
		bool boundary = i == 0 || !IsWordChar(text[i - 1]);
		std::size_t value_start = std::string_view::npos;
		bool whole_line = false;
		if (boundary) {
			for (std::string_view name : kHeaders) {
				if (!StartsWithIgnoringCase(text, i, name))
					continue;
				std::size_t colon = i + name.size();
				while (colon < text.size() && (text[colon] == ' ' || text[colon] == '\t'))
					colon++;
				if (colon < text.size() && text[colon] == ':') {
					value_start = colon + 1;
					whole_line = true;
					break;
				}
			}
			if (value_start == std::string_view::npos) {
				for (std::string_view scheme : kSchemes) {
					if (StartsWithIgnoringCase(text, i, scheme)) {
						value_start = i + scheme.size();
						break;
					}
				}
			}
		}
		if (value_start == std::string_view::npos) {
			out.push_back(text[i]);
			i++;
			continue;
		}
		out.append(text.substr(i, value_start - i));
		std::size_t start = value_start;
		while (start < text.size() && (text[start] == ' ' || text[start] == '\t'))
			start++;
		std::size_t end = start;
		while (end < text.size() && text[end] != '\r' && text[end] != '\n' && text[end] != '"' &&
		       (whole_line || !IsSpace(text[end])))
			end++;
		if (end > start) {
			if (whole_line)
				out.push_back(' ');
			else
				out.append(text.substr(value_start, start - value_start));
			out.append(kRedacted);
		} else {
			out.append(text.substr(value_start, end - value_start));
		}
		i = end;
	}
	return out;
}

std::string PercentDecode(std::string_view value) {
	int length = 0;
	std::unique_ptr<char, decltype(&curl_free)> decoded(
	    curl_easy_unescape(nullptr, value.data(), static_cast<int>(value.size()), &length), &curl_free);
	if (!decoded)
		return std::string(value);
	return std::string(decoded.get(), static_cast<std::size_t>(length));
}

} // namespace

bool IsSensitiveHeader(std::string_view name) noexcept {
	static constexpr std::string_view kNames[] = {
	    "authorization",  "proxy-authorization", "cookie",  "set-cookie",     "access-token",
	    "x-access-token", "x-api-key",           "api-key", "x-goog-api-key", "developer-token",
	};
	name = Trim(name);
	for (std::string_view candidate : kNames) {
		if (name.size() == candidate.size() && StartsWithIgnoringCase(name, 0, candidate))
			return true;
	}
	return false;
}

void Redactor::AddSecret(std::string_view secret) {
	if (secret.empty())
		return;
	if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end())
		return;
	secrets_.emplace_back(secret);
}

void Redactor::AddHeaderSecrets(const std::vector<std::string> &headers) {
	for (const std::string &header : headers) {
		std::string_view line = header;
		std::size_t colon = line.find(':');
		if (colon == std::string_view::npos || !IsSensitiveHeader(line.substr(0, colon)))
			continue;
		std::string_view value = Trim(line.substr(colon + 1));
		AddSecret(value);
		std::size_t space = value.find(' ');
		if (space != std::string_view::npos) {
			std::string_view credential = Trim(value.substr(space + 1));
			if (credential.size() >= kMinAutoSecretLength)
				AddSecret(credential);
		}
	}
}

void Redactor::AddUrlSecrets(std::string_view url) {
	std::size_t question = url.find('?');
	if (question == std::string_view::npos)
		return;
	std::string_view query = url.substr(question + 1);
	query = query.substr(0, query.find('#'));
	while (!query.empty()) {
		std::size_t amp = query.find('&');
		std::string_view pair = query.substr(0, amp);
		std::size_t eq = pair.find('=');
		std::string_view value = eq == std::string_view::npos ? pair : pair.substr(eq + 1);
		if (value.size() >= kMinAutoSecretLength) {
			AddSecret(value);
			std::string decoded = PercentDecode(value);
			if (decoded.size() >= kMinAutoSecretLength)
				AddSecret(decoded);
		}
		if (amp == std::string_view::npos)
			break;
		query.remove_prefix(amp + 1);
	}
}

std::string Redactor::Apply(std::string_view text) const {
	return RedactPatterns(ReplaceSecrets(text, secrets_));
}

std::string ReplaceSecrets(std::string_view text, const std::vector<std::string> &secrets) {
	// Every occurrence of every secret as [begin, end), overlapping ones included.
	std::vector<std::pair<std::size_t, std::size_t>> spans;
	for (const std::string &secret : secrets) {
		if (secret.empty())
			continue;
		for (std::size_t at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1))
			spans.emplace_back(at, at + secret.size());
	}
	if (spans.empty())
		return std::string(text);
	std::sort(spans.begin(), spans.end());
	std::string out;
	out.reserve(text.size());
	std::size_t copied = 0; // text before this is written (or hidden)
	for (std::size_t i = 0; i < spans.size();) {
		const std::size_t begin = spans[i].first;
		std::size_t end = spans[i].second;
		// Spans that overlap this run extend it (adjacent ones, each a whole secret, stay apart).
		for (++i; i < spans.size() && spans[i].first < end; ++i)
			end = std::max(end, spans[i].second);
		out.append(text.substr(copied, begin - copied));
		out.append(kRedacted);
		copied = end;
	}
	out.append(text.substr(copied));
	return out;
}

std::string RedactPatterns(std::string_view text) {
	return RedactHeadersAndSchemes(RedactCredentialKeys(RedactQueries(text)));
}

} // namespace capi::http
