#include "core/quality/event_id_fitness.hpp"

#include "core/dispatch/value_checks.hpp"
#include "core/identity/unicode_text.hpp"

namespace capi::quality {
namespace {

constexpr std::string_view kPlaceholders[] = {
    "undefined",       "null", "none", "nil", "nan", "n/a", "true", "false", "0", "-1",
    "[object object]", "\"\"", "''",
};

constexpr std::string_view kTemplateOpenings[] = {"{{", "${", "<%", "%%", "[["};

bool EqualsIgnoringAsciiCase(std::string_view a, std::string_view b) noexcept {
	if (a.size() != b.size())
		return false;
	for (std::size_t i = 0; i < a.size(); ++i)
		if (identity::text::ToAsciiLower(a[i]) != identity::text::ToAsciiLower(b[i]))
			return false;
	return true;
}

// A bare number of 10, 13, 16 or 19 digits read as Unix seconds, milliseconds, microseconds or
// nanoseconds, within a day of event_time_ms.
bool IsTimestampNear(std::string_view digits, std::int64_t event_time_ms) noexcept {
	constexpr std::int64_t kDayMs = 24LL * 60 * 60 * 1000;
	std::int64_t divisor_to_ms = 0; // value / divisor = ms; 0: multiply by 1000 (seconds)
	switch (digits.size()) {
	case 10:
		divisor_to_ms = 0;
		break;
	case 13:
		divisor_to_ms = 1;
		break;
	case 16:
		divisor_to_ms = 1000;
		break;
	case 19:
		divisor_to_ms = 1000000;
		break;
	default:
		return false;
	}
	// 19 digits can exceed int64: compare on the leading 13 digits (milliseconds) then.
	std::int64_t value = 0;
	const std::size_t used = digits.size() == 19 ? 13 : digits.size();
	for (std::size_t i = 0; i < used; ++i)
		value = value * 10 + (digits[i] - '0');
	std::int64_t ms = 0;
	if (digits.size() == 19)
		ms = value;
	else
		ms = divisor_to_ms == 0 ? value * 1000 : value / divisor_to_ms;
	const std::int64_t distance = ms > event_time_ms ? ms - event_time_ms : event_time_ms - ms;
	return distance <= kDayMs;
}

} // namespace

std::optional<std::string_view> EventIdProblem(std::string_view event_id,
                                               std::optional<std::int64_t> event_time_ms) noexcept {
	const std::string_view trimmed = identity::text::Trim(event_id);
	if (trimmed.empty())
		return "blank";
	if (trimmed.size() != event_id.size())
		return "whitespace";
	for (std::string_view placeholder : kPlaceholders)
		if (EqualsIgnoringAsciiCase(trimmed, placeholder))
			return "placeholder";
	for (std::string_view opening : kTemplateOpenings)
		if (trimmed.find(opening) != std::string_view::npos)
			return "template";
	if (dispatch::IsDigits(trimmed)) {
		if (trimmed.size() <= 2)
			return "small_number";
		if (event_time_ms && IsTimestampNear(trimmed, *event_time_ms))
			return "timestamp";
	}
	return std::nullopt;
}

} // namespace capi::quality
