#include "server/platforms/google/google_time_format.hpp"

namespace capi::testserver {
namespace {

bool Digits(std::string_view text, size_t at, size_t count, int *value) {
	if (at + count > text.size())
		return false;
	int result = 0;
	for (size_t i = at; i < at + count; ++i) {
		if (text[i] < '0' || text[i] > '9')
			return false;
		result = result * 10 + (text[i] - '0');
	}
	*value = result;
	return true;
}

int64_t DaysFromCivil(int64_t year, int month, int day) {
	year -= month <= 2 ? 1 : 0;
	const int64_t era = (year >= 0 ? year : year - 399) / 400;
	const int64_t year_of_era = year - era * 400;
	const int64_t day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
	const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
	return era * 146097 + day_of_era - 719468;
}

// "yyyy-mm-dd<sep>hh:mm:ss" at the start of text.
bool ParseDateTime(std::string_view text, char separator, int64_t *unix_s) {
	int year, month, day, hour, minute, second;
	if (text.size() < 19 || !Digits(text, 0, 4, &year) || text[4] != '-' || !Digits(text, 5, 2, &month) ||
	    text[7] != '-' || !Digits(text, 8, 2, &day) || text[10] != separator || !Digits(text, 11, 2, &hour) ||
	    text[13] != ':' || !Digits(text, 14, 2, &minute) || text[16] != ':' || !Digits(text, 17, 2, &second))
		return false;
	if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60)
		return false;
	*unix_s = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
	return true;
}

// "+hh:mm" / "-hh:mm" as seconds east of UTC.
bool ParseOffset(std::string_view text, int64_t *offset_s) {
	int hours, minutes;
	if (text.size() != 6 || (text[0] != '+' && text[0] != '-') || !Digits(text, 1, 2, &hours) ||
	    text[3] != ':' || !Digits(text, 4, 2, &minutes) || hours > 23 || minutes > 59)
		return false;
	*offset_s = (text[0] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
	return true;
}

} // namespace

bool ParseRfc3339(std::string_view text, int64_t *unix_s) {
	int64_t local = 0;
	if (!ParseDateTime(text, 'T', &local))
		return false;
	size_t at = 19;
	if (at < text.size() && text[at] == '.') {
		size_t digits = 0;
		for (++at; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at)
			++digits;
		if (digits == 0 || digits > 9)
			return false;
	}
	std::string_view zone = text.substr(at);
	int64_t offset = 0;
	if (zone != "Z" && !ParseOffset(zone, &offset))
		return false;
	*unix_s = local - offset;
	return true;
}

bool ParseAdsDateTime(std::string_view text, int64_t *unix_s) {
	int64_t local = 0;
	int64_t offset = 0;
	if (!ParseDateTime(text, ' ', &local) || !ParseOffset(text.substr(19), &offset))
		return false;
	*unix_s = local - offset;
	return true;
}

} // namespace capi::testserver
