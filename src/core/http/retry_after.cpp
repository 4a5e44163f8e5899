#include "core/http/retry_after.hpp"

#include <curl/curl.h>

#include <string>

namespace capi::http {

std::optional<long> ParseRetryAfter(std::string_view value, std::time_t now) {
	while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
		value.remove_prefix(1);
	while (!value.empty() &&
	       (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' || value.back() == '\n'))
		value.remove_suffix(1);
	if (value.empty())
		return std::nullopt;

	bool all_digits = true;
	for (char c : value)
		all_digits = all_digits && c >= '0' && c <= '9';
	if (all_digits) {
		long seconds = 0;
		for (char c : value) {
			seconds = seconds * 10 + (c - '0');
			if (seconds > kMaxRetryAfterSeconds)
				return kMaxRetryAfterSeconds;
		}
		return seconds;
	}

	// An HTTP-date always names a weekday or month, so it starts with a letter; this keeps
	// curl_getdate's leniency from reading "-5" or "1.5" as dates.
	if (!((value.front() >= 'A' && value.front() <= 'Z') || (value.front() >= 'a' && value.front() <= 'z')))
		return std::nullopt;
	std::string date(value);
	std::time_t when = curl_getdate(date.c_str(), nullptr);
	if (when == -1)
		return std::nullopt;
	if (when <= now)
		return 0L;
	std::time_t delta = when - now;
	return delta > kMaxRetryAfterSeconds ? kMaxRetryAfterSeconds : static_cast<long>(delta);
}

} // namespace capi::http
