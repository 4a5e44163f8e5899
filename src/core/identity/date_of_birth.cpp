#include "core/identity/date_of_birth.hpp"

#include <atomic>
#include <cstdint>
#include <ctime>

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// The current year, re-read at most once an hour (time() is cheap, gmtime_r less so). UTC+14, the
// earliest time zone, so that nobody born today anywhere is refused.
int CurrentYear() {
	static std::atomic<int64_t> next_check{0};
	static std::atomic<int> year{0};
	const std::time_t now = std::time(nullptr);
	if (now >= next_check.load(std::memory_order_relaxed)) {
		const std::time_t earliest_zone = now + 14 * 3600;
		std::tm utc{};
		gmtime_r(&earliest_zone, &utc);
		year.store(utc.tm_year + 1900, std::memory_order_relaxed);
		next_check.store(now + 3600, std::memory_order_relaxed);
	}
	return year.load(std::memory_order_relaxed);
}

constexpr bool IsLeapYear(int year) {
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

constexpr int DaysInMonth(int year, int month) {
	constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool Emit(int year, int month, int day, std::string &out) {
	if (year < 1900 || year > CurrentYear() || month < 1 || month > 12 || day < 1 ||
	    day > DaysInMonth(year, month)) {
		out.clear();
		return false;
	}
	out.resize(8);
	char *p = out.data();
	for (int i = 3; i >= 0; i--, year /= 10)
		p[i] = static_cast<char>('0' + year % 10);
	p[4] = static_cast<char>('0' + month / 10);
	p[5] = static_cast<char>('0' + month % 10);
	p[6] = static_cast<char>('0' + day / 10);
	p[7] = static_cast<char>('0' + day % 10);
	return true;
}

bool Fail(std::string &out) {
	out.clear();
	return false;
}

int Digits(std::string_view s, std::size_t from, std::size_t count) {
	int value = 0;
	for (std::size_t i = from; i < from + count; i++) {
		if (!text::IsAsciiDigit(s[i]))
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value;
}

// "1997-02-16", "1997/02/16", "1997.02.16", alone or followed by a time ("T..." or " ...").
bool ParseIsoDate(std::string_view s, int &year, int &month, int &day) {
	if (s.size() < 10 || (s.size() > 10 && s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return false;
	const char separator = s[4];
	if ((separator != '-' && separator != '/' && separator != '.') || s[7] != separator)
		return false;
	year = Digits(s, 0, 4);
	month = Digits(s, 5, 2);
	day = Digits(s, 8, 2);
	return year >= 0 && month >= 0 && day >= 0;
}

// 1..12 for an English month name or its three-letter abbreviation ("Sept" too); 0 otherwise.
int MonthFromWord(std::string_view word) {
	constexpr std::string_view kMonths[] = {"january",   "february", "march",    "april",
	                                        "may",       "june",     "july",     "august",
	                                        "september", "october",  "november", "december"};
	if (word.size() < 3)
		return 0;
	char lower[10];
	if (word.size() > sizeof lower)
		return 0;
	for (std::size_t i = 0; i < word.size(); i++)
		lower[i] = text::ToAsciiLower(word[i]);
	const std::string_view w(lower, word.size());
	for (int m = 0; m < 12; m++)
		if (w == kMonths[m] || w == kMonths[m].substr(0, 3))
			return m + 1;
	return w == "sept" ? 9 : 0;
}

bool IsOrdinalSuffix(std::string_view word) {
	if (word.size() != 2)
		return false;
	const char a = text::ToAsciiLower(word[0]);
	const char b = text::ToAsciiLower(word[1]);
	return (a == 's' && b == 't') || (a == 'n' && b == 'd') || (a == 'r' && b == 'd') ||
	       (a == 't' && b == 'h');
}

bool IsOf(std::string_view word) {
	return word.size() == 2 && text::ToAsciiLower(word[0]) == 'o' && text::ToAsciiLower(word[1]) == 'f';
}

bool WritesMonthFirst(std::string_view region) {
	if (region.size() != 2)
		return false;
	const char a = text::ToAsciiUpper(region[0]);
	const char b = text::ToAsciiUpper(region[1]);
	constexpr std::string_view kMonthFirst[] = {"US", "PR", "GU", "VI", "AS", "MP", "UM", "PH"};
	for (std::string_view r : kMonthFirst)
		if (r[0] == a && r[1] == b)
			return true;
	return false;
}

struct Number {
	int value;
	std::size_t digits;
	char separator_before; // the last ASCII punctuation character between it and the previous token
};

} // namespace

bool NormalizeDateOfBirth(std::string_view value, std::string_view region, std::string &out) {
	value = text::Trim(value);
	int year = 0;
	int month = 0;
	int day = 0;
	if (ParseIsoDate(value, year, month, day)) {
		if (month > 12 && day <= 12)
			std::swap(month, day);
		return Emit(year, month, day, out);
	}
	if (value.size() == 8 && Digits(value, 0, 8) >= 0)
		return Emit(Digits(value, 0, 4), Digits(value, 4, 2), Digits(value, 6, 2), out);

	// Tokens: numbers, and words that may only be a month name, an ordinal suffix or "of".
	Number numbers[3];
	std::size_t count = 0;
	int month_word = 0;
	char separator = 0;
	bool after_number = false;
	for (std::size_t i = 0; i < value.size();) {
		const char c = value[i];
		if (text::IsAsciiDigit(c)) {
			std::size_t start = i;
			int number = 0;
			for (; i < value.size() && text::IsAsciiDigit(value[i]); i++)
				number = i - start < 4 ? number * 10 + (value[i] - '0') : 100000; // overlong: invalid anyway
			if (count == 3)
				return Fail(out);
			numbers[count++] = Number{number, i - start, separator};
			separator = 0;
			after_number = true;
		} else if (text::IsAsciiAlpha(c)) {
			std::size_t start = i;
			while (i < value.size() && text::IsAsciiAlpha(value[i]))
				i++;
			const std::string_view word = value.substr(start, i - start);
			const int m = MonthFromWord(word);
			if (m != 0 && month_word == 0)
				month_word = m;
			else if (!(after_number && IsOrdinalSuffix(word)) && !IsOf(word))
				return Fail(out);
			after_number = false;
		} else {
			if (text::IsAsciiPunctuation(c))
				separator = c;
			after_number = false;
			i++;
		}
	}

	auto is_day_or_month = [](const Number &n) { return n.digits <= 2; };
	if (month_word != 0) {
		if (count != 2)
			return Fail(out);
		const Number &first = numbers[0];
		const Number &second = numbers[1];
		if (first.digits == 4 && is_day_or_month(second))
			return Emit(first.value, month_word, second.value, out);
		if (second.digits == 4 && is_day_or_month(first))
			return Emit(second.value, month_word, first.value, out);
		return Fail(out);
	}
	if (count != 3 || !is_day_or_month(numbers[1]))
		return Fail(out);
	if (numbers[0].digits == 4 && is_day_or_month(numbers[2])) { // year first
		year = numbers[0].value;
		month = numbers[1].value;
		day = numbers[2].value;
		if (month > 12 && day <= 12)
			std::swap(month, day);
		return Emit(year, month, day, out);
	}
	if (numbers[2].digits != 4 || !is_day_or_month(numbers[0]))
		return Fail(out);
	const int a = numbers[0].value;
	const int b = numbers[1].value;
	year = numbers[2].value;
	bool day_first;
	if (a > 12 && b <= 12)
		day_first = true;
	else if (b > 12 && a <= 12)
		day_first = false;
	else
		day_first = numbers[1].separator_before == '.' || !WritesMonthFirst(region);
	return day_first ? Emit(year, b, a, out) : Emit(year, a, b, out);
}

} // namespace capi::identity
