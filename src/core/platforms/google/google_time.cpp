#include "core/platforms/google/google_time.hpp"

#include <cstdio>

namespace capi::dispatch {
namespace {

struct CivilTime {
	std::int64_t year;
	int month, day, hour, minute, second, millisecond;
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil, inverted).
CivilTime ToCivil(std::int64_t epoch_ms) {
	std::int64_t days = epoch_ms / 86400000;
	std::int64_t ms_of_day = epoch_ms % 86400000;
	if (ms_of_day < 0) {
		ms_of_day += 86400000;
		days -= 1;
	}
	days += 719468;
	const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	const std::int64_t day_of_era = days - era * 146097;
	const std::int64_t year_of_era =
	    (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
	const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
	const std::int64_t mp = (5 * day_of_year + 2) / 153;
	CivilTime time{};
	time.day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
	time.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
	time.year = year_of_era + era * 400 + (time.month <= 2 ? 1 : 0);
	time.hour = static_cast<int>(ms_of_day / 3600000);
	time.minute = static_cast<int>(ms_of_day / 60000 % 60);
	time.second = static_cast<int>(ms_of_day / 1000 % 60);
	time.millisecond = static_cast<int>(ms_of_day % 1000);
	return time;
}

} // namespace

std::string GoogleRfc3339(std::int64_t epoch_ms) {
	const CivilTime t = ToCivil(epoch_ms);
	char text[48];
	std::snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<long long>(t.year),
	              t.month, t.day, t.hour, t.minute, t.second, t.millisecond);
	return text;
}

std::string GoogleAdsDateTime(std::int64_t epoch_ms) {
	const CivilTime t = ToCivil(epoch_ms);
	char text[48];
	std::snprintf(text, sizeof text, "%04lld-%02d-%02d %02d:%02d:%02d+00:00", static_cast<long long>(t.year),
	              t.month, t.day, t.hour, t.minute, t.second);
	return text;
}

} // namespace capi::dispatch
