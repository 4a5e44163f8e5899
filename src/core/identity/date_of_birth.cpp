#include "core/identity/date_of_birth.hpp"

#include <atomic>
#include <cstdint>
#include <ctime>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include <unicode/dtfmtsym.h>
#include <unicode/locid.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

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

// Per-thread scratch strings (leaked: no static object with a destructor in a backend).
enum ScratchSlot { kFoldedScratch, kKeyScratch, kScratchSlots };

std::string &Scratch(ScratchSlot slot) {
	static thread_local std::string *buffers = new std::string[kScratchSlots];
	return buffers[slot];
}

// Letters and marks make words; the rest (digits aside) separates them.
bool IsWordCharacter(UChar32 c) {
	return c >= 0 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_M_MASK)) != 0;
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

// Display languages whose month names are read (ICU's CLDR data, format and stand-alone forms, wide
// and abbreviated: "Februar", "févr.", "lutego", "февраля"): the main European languages. de_AT adds
// "Jänner". Croatian is left out: its month names are Polish and Czech ones for other months
// ("listopad" is October in Croatian, November in Polish and Czech), and no key may name two months.
constexpr const char *kMonthLocales[] = {"en", "de", "de_AT", "fr", "es", "it", "pt", "nl", "pl", "sv",
                                         "da", "nb", "fi",    "cs", "sk", "hu", "ro", "sl", "tr", "el",
                                         "ru", "uk", "bg",    "lt", "lv", "et", "ca", "ga"};

// What a word of a date can be, besides a number.
struct DateWords {
	std::unordered_map<std::string, int> months; // key -> 1..12
	std::unordered_set<std::string> weekdays;    // ignored ("Sunday, 16 February 1997")
	std::unordered_set<std::string> fillers;     // kFillerWords, as keys
	std::unordered_set<std::string> ordinals;    // kOrdinalSuffixes, as keys
};

// Words that may stand anywhere in a date and mean nothing for it: "16th of February", "16 de
// febrero de 1997", "le 16 février", "den 16. Februar", "am 16. Februar", "il 16 febbraio",
// "16 февраля 1997 г." (год), "16 lutego 1997 r." (roku), and the characters of "1997年2月16日" and
// "1997년 2월 16일".
constexpr std::string_view kFillerWords[] = {"of", "the", "de", "del", "le",   "den", "der",
                                             "am", "il",  "el", "г",   "года", "r",   "roku",
                                             "年", "月",  "日", "년",  "월",   "일"};

// After a number: "16th", "1st", "2nd", "3rd", "1er", "1re", "2e", "2ème", "1º" (NFKC: "1o"), "1ª",
// "1ste", "2de", "16-го".
constexpr std::string_view kOrdinalSuffixes[] = {"st",  "nd", "rd", "th",  "er", "re", "e",
                                                 "eme", "o",  "a",  "ste", "de", "te", "го"};

// Months in Roman numerals, as Polish, Czech, Hungarian and Romanian dates write them ("16 II 1997").
constexpr std::string_view kRomanMonths[] = {"i",   "ii",   "iii", "iv", "v",  "vi",
                                             "vii", "viii", "ix",  "x",  "xi", "xii"};

// Built at first use from ICU's data; leaked (no static object with a destructor in a backend). A
// key that names different months in different languages is dropped.
const DateWords &Words() {
	static const DateWords *words = [] {
		auto *built = new DateWords;
		std::string key;
		std::string name;
		std::unordered_set<std::string> ambiguous;
		auto add_month = [&](const icu::UnicodeString &text, int month) {
			name.clear();
			text.toUTF8String(name);
			text::LetterKey(name, key);
			if (key.empty())
				return;
			auto [it, inserted] = built->months.emplace(key, month);
			if (!inserted && it->second != month)
				ambiguous.insert(key);
		};
		for (const char *locale : kMonthLocales) {
			UErrorCode status = U_ZERO_ERROR;
			icu::DateFormatSymbols symbols{icu::Locale(locale), status};
			if (U_FAILURE(status))
				continue;
			for (auto context : {icu::DateFormatSymbols::FORMAT, icu::DateFormatSymbols::STANDALONE}) {
				for (auto width : {icu::DateFormatSymbols::WIDE, icu::DateFormatSymbols::ABBREVIATED}) {
					int32_t count = 0;
					const icu::UnicodeString *months = symbols.getMonths(count, context, width);
					for (int32_t m = 0; m < count && m < 12; m++)
						add_month(months[m], m + 1);
					const icu::UnicodeString *days = symbols.getWeekdays(count, context, width);
					for (int32_t d = 1; d < count; d++) { // index 0 is unused (UCAL_SUNDAY is 1)
						name.clear();
						days[d].toUTF8String(name);
						text::LetterKey(name, key);
						if (!key.empty())
							built->weekdays.insert(key);
					}
				}
			}
		}
		// Common forms CLDR lacks: English "Sept", German "Mrz" (DIN 5008), Austrian "Feber",
		// "setiembre" (Spanish of Peru and Uruguay).
		for (const auto &[word, month] :
		     {std::pair<const char *, int>{"sept", 9}, {"mrz", 3}, {"feber", 2}, {"setiembre", 9}})
			built->months.emplace(word, month);
		for (int m = 0; m < 12; m++)
			built->months.emplace(std::string(kRomanMonths[m]), m + 1);
		for (const std::string &key_of_two : ambiguous)
			built->months.erase(key_of_two);
		for (std::string_view word : kFillerWords) {
			text::LetterKey(word, key);
			built->fillers.insert(key);
		}
		for (std::string_view word : kOrdinalSuffixes) {
			text::LetterKey(word, key);
			built->ordinals.insert(key);
		}
		for (const auto &[month_key, month] : built->months)
			built->weekdays.erase(month_key); // "mar" is March, not Spanish martes
		return built;
	}();
	return *words;
}

// 1..12 for a month name or abbreviation in one of kMonthLocales' languages (or a Roman numeral);
// 0 otherwise. key: the word's text::LetterKey.
int MonthOfKey(const std::string &key) {
	const auto &months = Words().months;
	const auto found = months.find(key);
	return found != months.end() ? found->second : 0;
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

bool IsDayOrMonth(const Number &number) {
	return number.digits <= 2;
}

// A date written in words and numbers: up to three numbers, and the month if a word names it.
struct DateTokens {
	Number numbers[3];
	std::size_t count = 0;
	int month_word = 0; // 1..12, 0: no month name
};

// Splits value into numbers and words. A word may only be a month name (the first one counts), a weekday,
// an ordinal suffix after a number or a filler word ("of", "de", "年", ...): false for any other word, or
// for a fourth number.
bool Tokenize(std::string_view value, DateTokens &tokens) {
	char separator = 0;
	bool after_number = false;
	std::string &key = Scratch(kKeyScratch);
	const auto length = static_cast<int32_t>(value.size());
	for (int32_t i = 0; i < length;) {
		const char c = value[static_cast<std::size_t>(i)];
		if (text::IsAsciiDigit(c)) {
			const int32_t start = i;
			int number = 0;
			for (; i < length && text::IsAsciiDigit(value[static_cast<std::size_t>(i)]); i++)
				number = i - start < 4 ? number * 10 + (value[static_cast<std::size_t>(i)] - '0')
				                       : 100000; // overlong: invalid anyway
			if (tokens.count == 3)
				return false;
			tokens.numbers[tokens.count++] = Number{number, static_cast<std::size_t>(i - start), separator};
			separator = 0;
			after_number = true;
			continue;
		}
		int32_t next = i;
		UChar32 cp;
		U8_NEXT(value.data(), next, length, cp);
		if (!IsWordCharacter(cp)) {
			if (text::IsAsciiPunctuation(c))
				separator = c;
			after_number = false;
			i = next;
			continue;
		}
		const int32_t start = i;
		i = next;
		while (i < length) {
			next = i;
			U8_NEXT(value.data(), next, length, cp);
			if (!IsWordCharacter(cp))
				break;
			i = next;
		}
		text::LetterKey(value.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(i - start)),
		                key);
		const int m = MonthOfKey(key);
		if (m != 0 && tokens.month_word == 0)
			tokens.month_word = m;
		else if (!(after_number && Words().ordinals.count(key) != 0) && Words().fillers.count(key) == 0 &&
		         Words().weekdays.count(key) == 0)
			return false;
		after_number = false;
	}
	return true;
}

// "16 February 1997", "February 16th, 1997", "1997年2月16日": the month named, a 4-digit year and the day
// on either side of it.
bool EmitWithMonthName(const DateTokens &tokens, std::string &out) {
	if (tokens.count != 2)
		return Fail(out);
	const Number &first = tokens.numbers[0];
	const Number &second = tokens.numbers[1];
	if (first.digits == 4 && IsDayOrMonth(second))
		return Emit(first.value, tokens.month_word, second.value, out);
	if (second.digits == 4 && IsDayOrMonth(first))
		return Emit(second.value, tokens.month_word, first.value, out);
	return Fail(out);
}

// Three numbers: year first ("1997 2 16", month then day unless only the other reading is a date), or
// year last, day first or month first by what the values allow, else by a dot ("16.02.1997": day
// first) or the region's custom (month first in the US and a few others).
bool EmitFromNumbers(const DateTokens &tokens, std::string_view region, std::string &out) {
	const Number *numbers = tokens.numbers;
	if (tokens.count != 3 || !IsDayOrMonth(numbers[1]))
		return Fail(out);
	if (numbers[0].digits == 4 && IsDayOrMonth(numbers[2])) { // year first
		int month = numbers[1].value;
		int day = numbers[2].value;
		if (month > 12 && day <= 12)
			std::swap(month, day);
		return Emit(numbers[0].value, month, day, out);
	}
	if (numbers[2].digits != 4 || !IsDayOrMonth(numbers[0]))
		return Fail(out);
	const int a = numbers[0].value;
	const int b = numbers[1].value;
	const int year = numbers[2].value;
	bool day_first;
	if (a > 12 && b <= 12)
		day_first = true;
	else if (b > 12 && a <= 12)
		day_first = false;
	else
		day_first = numbers[1].separator_before == '.' || !WritesMonthFirst(region);
	return day_first ? Emit(year, b, a, out) : Emit(year, a, b, out);
}

} // namespace

bool NormalizeDateOfBirth(std::string_view value, std::string_view region, std::string &out) {
	value = text::Trim(value);
	if (!text::IsAscii(value)) { // full-width digits ("１９９７年２月１６日"), and case for the words
		std::string &folded = Scratch(kFoldedScratch);
		text::LowerNfkc(value, folded);
		value = text::Trim(folded);
	}
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
	DateTokens tokens;
	if (!Tokenize(value, tokens))
		return Fail(out);
	return tokens.month_word != 0 ? EmitWithMonthName(tokens, out) : EmitFromNumbers(tokens, region, out);
}

} // namespace capi::identity
