// ParseDigits: libphonenumber 8.12's PhoneNumberUtil::ParseHelper (+ IsPossibleNumberWithReason) for
// a number reduced to its ASCII digits, step for step, on libphonenumber's own metadata and with the
// same ICU regular expressions. Parse is slow mostly because of the generic work this skips (UTF-8
// scans, the viability and extension expressions, a new RegexMatcher per expression); here each
// metadata expression is compiled once (DigitRegex, phone_regex.cpp) and mostly answered from a
// prefix tree.
//
// The metadata comes from the blob compiled into libphonenumber (metadata_get/metadata_size, the
// functions its own PhoneNumberUtil loads it from; declared in its metadata.h, which Debian does not
// install), parsed with the installed PhoneMetadataCollection protobuf. BuildTables() cross-checks it
// against the public API and disables the fast path if they disagree.
#include "core/identity/phone_fast.hpp"
#include "core/identity/phone_regex.hpp"

#include <algorithm>
#include <list>
#include <map>
#include <set>
#include <vector>

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>

namespace i18n::phonenumbers {
int metadata_size();
const void *metadata_get();
} // namespace i18n::phonenumbers

namespace capi::identity::phone_internal {
namespace {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneMetadataCollection;
using i18n::phonenumbers::PhoneNumberDesc;
using i18n::phonenumbers::PhoneNumberUtil;
using Validation = PhoneNumberUtil::ValidationResult;

// PhoneNumberUtil's private constants of the same names (phonenumberutil.h, libphonenumber 8.x).
constexpr size_t kMinLengthForNsn = 2;
constexpr size_t kMaxLengthForNsn = 17;
constexpr size_t kMaxLengthCountryCode = 3;
constexpr int kNoRules = -1;
constexpr size_t kLengthTableSize = 32; // longer numbers: computed

// IsNumberMatchingDesc's view of a PhoneNumberDesc: its possible lengths and its pattern.
struct NumberDesc {
	const DigitRegex *pattern = nullptr; // nullptr: an empty pattern, which never matches
	bool any_length = true;              // no possible_length listed: the length is not checked
	uint32_t lengths = 0;                // bit n set when n is a listed possible length
};

// What ParseHelper needs from one PhoneMetadata (a region, or a non-geographic calling code).
struct Rules {
	int country_code = 0;
	std::string country_code_text;
	const DigitRegex *international_prefix = nullptr; // compiled even when empty, as libphonenumber does
	const DigitRegex *national_prefix = nullptr;      // national_prefix_for_parsing; nullptr when empty
	const DigitRegex *general = nullptr; // general_desc pattern; nullptr (never matches) when empty
	icu::UnicodeString transform_rule;   // national_prefix_transform_rule
	std::vector<int> possible_lengths;   // general_desc, in metadata order
	std::vector<int> local_lengths;
	uint8_t length_check[kLengthTableSize] = {}; // TestNumberLength by length, precomputed
	// What GetNumberTypeHelper (validity) needs.
	NumberDesc general_desc;
	NumberDesc fixed_line;
	NumberDesc mobile;
	std::vector<NumberDesc> other_types; // premium rate, toll free, shared cost, VoIP, personal, pager,
	                                     // UAN, voicemail: those that have numbers
	bool same_mobile_and_fixed_line_pattern = false;
	const DigitRegex *leading_digits = nullptr; // set when the metadata has leading_digits
};

struct Tables {
	std::vector<Rules> rules;
	int16_t by_region[26 * 26];    // rules of a region code, kNoRules if unsupported
	int16_t by_country_code[1000]; // rules libphonenumber uses for a calling code, kNoRules if invalid
	// GetRegionCodesForCountryCallingCode: the rules of every region sharing a calling code, in
	// libphonenumber's order (the main region first); the non-geographic entity's for "001" codes.
	std::vector<int16_t> regions_by_country_code[1000];
	bool usable = false;
};

int RegionSlot(std::string_view code) {
	if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z')
		return -1;
	return (code[0] - 'A') * 26 + (code[1] - 'A');
}

// TestNumberLength(number, metadata) for type UNKNOWN: general_desc lengths only.
Validation ComputeNumberLengthCheck(const Rules &rules, size_t length) {
	const std::vector<int> &possible = rules.possible_lengths;
	int actual = static_cast<int>(length);
	if (possible[0] == -1)
		return PhoneNumberUtil::INVALID_LENGTH;
	if (std::find(rules.local_lengths.begin(), rules.local_lengths.end(), actual) !=
	    rules.local_lengths.end())
		return PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY;
	if (possible[0] == actual)
		return PhoneNumberUtil::IS_POSSIBLE;
	if (possible[0] > actual)
		return PhoneNumberUtil::TOO_SHORT;
	if (possible.back() < actual)
		return PhoneNumberUtil::TOO_LONG;
	return std::find(possible.begin() + 1, possible.end(), actual) != possible.end()
	           ? PhoneNumberUtil::IS_POSSIBLE
	           : PhoneNumberUtil::INVALID_LENGTH;
}

class TableBuilder {
public:
	// Expressions are shared between regions (many use "00" or "0") and live as long as the process.
	const DigitRegex *Pattern(const std::string &source) {
		auto found = regexes_.find(source);
		if (found != regexes_.end())
			return found->second;
		const DigitRegex *regex = new DigitRegex(source);
		regexes_.emplace(source, regex);
		return regex;
	}

	Rules FromMetadata(const PhoneMetadata &metadata) {
		Rules rules;
		rules.country_code = metadata.country_code();
		rules.country_code_text = std::to_string(metadata.country_code());
		rules.international_prefix = Pattern(metadata.international_prefix());
		if (!metadata.national_prefix_for_parsing().empty())
			rules.national_prefix = Pattern(metadata.national_prefix_for_parsing());
		if (!metadata.general_desc().national_number_pattern().empty())
			rules.general = Pattern(metadata.general_desc().national_number_pattern());
		rules.transform_rule = icu::UnicodeString::fromUTF8(metadata.national_prefix_transform_rule());
		const auto &possible = metadata.general_desc().possible_length();
		rules.possible_lengths.assign(possible.begin(), possible.end());
		const auto &local = metadata.general_desc().possible_length_local_only();
		rules.local_lengths.assign(local.begin(), local.end());
		if (!rules.possible_lengths.empty()) {
			for (size_t length = 0; length < kLengthTableSize; length++)
				rules.length_check[length] = static_cast<uint8_t>(ComputeNumberLengthCheck(rules, length));
		}
		rules.general_desc = Desc(metadata.general_desc());
		rules.fixed_line = Desc(metadata.fixed_line());
		rules.mobile = Desc(metadata.mobile());
		for (const auto *desc :
		     {&metadata.premium_rate(), &metadata.toll_free(), &metadata.shared_cost(), &metadata.voip(),
		      &metadata.personal_number(), &metadata.pager(), &metadata.uan(), &metadata.voicemail()})
			if (!desc->national_number_pattern().empty())
				rules.other_types.push_back(Desc(*desc));
		rules.same_mobile_and_fixed_line_pattern = metadata.same_mobile_and_fixed_line_pattern();
		if (metadata.has_leading_digits())
			rules.leading_digits = Pattern(metadata.leading_digits());
		return rules;
	}

	NumberDesc Desc(const PhoneNumberDesc &desc) {
		NumberDesc result;
		if (!desc.national_number_pattern().empty())
			result.pattern = Pattern(desc.national_number_pattern());
		result.any_length = desc.possible_length_size() == 0;
		for (int length : desc.possible_length())
			if (length >= 0 && length < 32)
				result.lengths |= 1u << length;
		return result;
	}

private:
	std::map<std::string, const DigitRegex *> regexes_;
};

// Builds the tables once per process. Leaked on purpose: no static object with a destructor.
Tables *BuildTables() {
	auto *tables = new Tables();
	std::fill(std::begin(tables->by_region), std::end(tables->by_region), kNoRules);
	std::fill(std::begin(tables->by_country_code), std::end(tables->by_country_code), kNoRules);
	PhoneMetadataCollection collection;
	if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size()))
		return tables;
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	TableBuilder builder;
	std::map<int, int> non_geographic;
	for (int i = 0; i < collection.metadata_size(); i++) {
		const PhoneMetadata &metadata = collection.metadata(i);
		Rules rules = builder.FromMetadata(metadata);
		if (rules.possible_lengths.empty())
			return tables; // libphonenumber assumes at least one possible length
		int index = static_cast<int>(tables->rules.size());
		tables->rules.push_back(std::move(rules));
		if (metadata.id() == "001") {
			non_geographic[metadata.country_code()] = index;
			continue;
		}
		int slot = RegionSlot(metadata.id());
		// Cross-check with the public API: same country code, same region set.
		if (slot < 0 || util.GetCountryCodeForRegion(metadata.id()) != metadata.country_code())
			return tables;
		tables->by_region[slot] = static_cast<int16_t>(index);
	}
	std::set<std::string> supported;
	util.GetSupportedRegions(&supported);
	size_t regions = std::count_if(std::begin(tables->by_region), std::end(tables->by_region),
	                               [](int16_t index) { return index != kNoRules; });
	if (supported.size() != regions)
		return tables;
	// The rules ExtractCountryCode and IsPossibleNumberWithReason use for a calling code: its main
	// region's (GetRegionCodeForCountryCode), or the non-geographic entity's ("001").
	for (int code = 1; code < 1000; code++) {
		std::string region;
		util.GetRegionCodeForCountryCode(code, &region);
		int index = kNoRules;
		if (region == "001") {
			auto found = non_geographic.find(code);
			if (found == non_geographic.end())
				return tables;
			index = found->second;
		} else if (region != "ZZ") {
			int slot = RegionSlot(region);
			if (slot < 0 || tables->by_region[slot] == kNoRules)
				return tables;
			index = tables->by_region[slot];
		}
		tables->by_country_code[code] = static_cast<int16_t>(index);
		if (region == "001") {
			tables->regions_by_country_code[code].push_back(static_cast<int16_t>(index));
		} else if (region != "ZZ") {
			std::list<std::string> sharing;
			util.GetRegionCodesForCountryCallingCode(code, &sharing);
			for (const std::string &shared : sharing) {
				int slot = RegionSlot(shared);
				if (slot < 0 || tables->by_region[slot] == kNoRules)
					return tables;
				tables->regions_by_country_code[code].push_back(tables->by_region[slot]);
			}
		}
	}
	tables->usable = true;
	return tables;
}

const Tables &GetTables() {
	static const Tables *tables = BuildTables();
	return *tables;
}

icu::UnicodeString Ascii(std::string_view text) {
	return icu::UnicodeString(text.data(), static_cast<int32_t>(text.size()), US_INV);
}

// IsMatch(matcher_api, number, general_desc): an empty pattern never matches.
bool MatchesGeneral(const Rules &rules, std::string_view number) {
	return rules.general != nullptr && rules.general->FullMatch(number);
}

Validation TestNumberLength(const Rules &rules, size_t length) {
	if (length < kLengthTableSize)
		return static_cast<Validation>(rules.length_check[length]);
	return ComputeNumberLengthCheck(rules, length);
}

// The national prefix replaced by the transform rule (RegExp::Replace, first match only: find,
// appendReplacement, appendTail), when libphonenumber captures a part of the prefix to keep.
// Returns false when the plain stripping applies.
bool TransformNationalPrefix(const Rules &rules, std::string_view number, std::string &candidate) {
	icu::UnicodeString input = Ascii(number);
	icu::RegexMatcher *matcher = rules.national_prefix->LookingAtWithGroups(input);
	if (matcher == nullptr)
		return false;
	// libphonenumber first asks Consume for two groups, then for one; the last group it gets is the
	// "captured part of the prefix". Each Consume re-runs the same lookingAt.
	int groups = matcher->groupCount();
	UErrorCode status = U_ZERO_ERROR;
	icu::UnicodeString captured;
	if (groups >= 1)
		captured = matcher->group(groups >= 2 ? 2 : 1, status);
	if (captured.isEmpty() || U_FAILURE(status))
		return false;
	icu::UnicodeString replaced;
	matcher->reset(input);
	if (matcher->find()) {
		matcher->appendReplacement(replaced, rules.transform_rule, status);
		matcher->appendTail(replaced);
	} else {
		replaced = input;
	}
	if (U_FAILURE(status))
		replaced = input; // Replace failed: the number stays as it was
	candidate.clear();
	replaced.toUTF8String(candidate);
	return true;
}

// MaybeStripNationalPrefixAndCarrierCode: the number without its national prefix, or unchanged.
// A transformed number is kept in storage.
std::string_view StripNationalPrefix(const Rules &rules, std::string_view number, std::string &storage) {
	if (number.empty() || rules.national_prefix == nullptr)
		return number;
	size_t end = 0;
	if (!rules.national_prefix->LookingAt(number, &end))
		return number; // every Consume fails
	std::string_view candidate = number.substr(end);
	if (!rules.transform_rule.isEmpty() && TransformNationalPrefix(rules, number, storage))
		candidate = storage;
	if (MatchesGeneral(rules, number) && !MatchesGeneral(rules, candidate))
		return number;
	return candidate;
}

const Rules *RulesForCountryCode(const Tables &tables, int code) {
	if (code <= 0 || code >= 1000 || tables.by_country_code[code] == kNoRules)
		return nullptr;
	return &tables.rules[tables.by_country_code[code]];
}

// ExtractCountryCode: the first 1 to 3 digits that form a valid calling code.
int ExtractCountryCode(const Tables &tables, std::string_view &number) {
	if (number.empty() || number[0] == '0')
		return 0;
	int code = 0;
	for (size_t i = 1; i <= kMaxLengthCountryCode; i++) {
		if (i <= number.size())
			code = code * 10 + (number[i - 1] - '0');
		if (RulesForCountryCode(tables, code) != nullptr) {
			number.remove_prefix(std::min(i, number.size()));
			return code;
		}
	}
	return 0;
}

enum class CountryCodeError { kNone, kInvalidCountryCode, kTooShortAfterIdd };

// MaybeExtractCountryCode. number holds digits only (MaybeStripInternationalPrefixAndNormalize's
// normalization is the identity on them). A transformed number is kept in storage.
CountryCodeError MaybeExtractCountryCode(const Tables &tables, const Rules *default_rules, bool plus,
                                         std::string_view &number, std::string &storage, int &country_code) {
	bool international = plus;
	if (!plus && default_rules != nullptr) {
		// ParsePrefixAsIdd: strip the international prefix unless a 0 follows it.
		size_t end = 0;
		if (default_rules->international_prefix->LookingAt(number, &end) &&
		    (end >= number.size() || number[end] != '0')) {
			number.remove_prefix(end);
			international = true;
		}
	}
	if (international) {
		if (number.size() <= kMinLengthForNsn)
			return CountryCodeError::kTooShortAfterIdd;
		country_code = ExtractCountryCode(tables, number);
		return country_code != 0 ? CountryCodeError::kNone : CountryCodeError::kInvalidCountryCode;
	}
	if (default_rules != nullptr) {
		const std::string &code = default_rules->country_code_text;
		if (number.substr(0, code.size()) == code) {
			std::string_view potential =
			    StripNationalPrefix(*default_rules, number.substr(code.size()), storage);
			// The same condition as libphonenumber's, with the cheap length test first.
			if (TestNumberLength(*default_rules, number.size()) == PhoneNumberUtil::TOO_LONG ||
			    (!MatchesGeneral(*default_rules, number) && MatchesGeneral(*default_rules, potential))) {
				number = potential;
				country_code = default_rules->country_code;
				return CountryCodeError::kNone;
			}
		}
	}
	country_code = 0;
	return CountryCodeError::kNone;
}

// The rules of a region code written in any case; nullptr for unknown regions.
const Rules *RulesForRegion(const Tables &tables, std::string_view region) {
	if (region.size() != 2)
		return nullptr;
	char upper[2] = {static_cast<char>(region[0] & ~0x20), static_cast<char>(region[1] & ~0x20)};
	int slot = RegionSlot(std::string_view(upper, 2));
	return slot >= 0 && tables.by_region[slot] != kNoRules ? &tables.rules[tables.by_region[slot]] : nullptr;
}

// IsNumberMatchingDesc.
bool MatchesDesc(const NumberDesc &desc, std::string_view national_number) {
	const size_t length = national_number.size();
	if (!desc.any_length && (length >= 32 || ((desc.lengths >> length) & 1) == 0))
		return false;
	return desc.pattern != nullptr && desc.pattern->FullMatch(national_number);
}

// GetNumberTypeHelper(national_number, metadata) != UNKNOWN. Which type matches does not matter here,
// so the likeliest (fixed line, mobile) are tried first.
bool HasNumberType(const Rules &rules, std::string_view national_number) {
	if (!MatchesDesc(rules.general_desc, national_number))
		return false;
	if (MatchesDesc(rules.fixed_line, national_number))
		return true;
	if (!rules.same_mobile_and_fixed_line_pattern && MatchesDesc(rules.mobile, national_number))
		return true;
	for (const NumberDesc &desc : rules.other_types)
		if (MatchesDesc(desc, national_number))
			return true;
	return false;
}

} // namespace

ValidityResult CheckValidNumber(int country_code, std::string_view national_number) {
	const Tables &tables = GetTables();
	if (!tables.usable)
		return ValidityResult::kUnknown;
	if (country_code <= 0 || country_code >= 1000)
		return ValidityResult::kInvalid;
	// IsValidNumber: GetRegionCodeForNumber, then IsValidNumberForRegion with that region.
	const std::vector<int16_t> &regions = tables.regions_by_country_code[country_code];
	const Rules *region_rules = nullptr;
	if (regions.size() == 1) {
		region_rules = &tables.rules[regions[0]];
	} else {
		// GetRegionCodeForNumberFromRegionList: leading digits if the region has them, else validity.
		for (int16_t index : regions) {
			const Rules &rules = tables.rules[index];
			size_t end = 0;
			if (rules.leading_digits != nullptr) {
				if (rules.leading_digits->LookingAt(national_number, &end)) {
					region_rules = &rules;
					break;
				}
			} else if (HasNumberType(rules, national_number)) {
				return ValidityResult::kValid; // IsValidNumberForRegion would ask the same question
			}
		}
	}
	return region_rules != nullptr && HasNumberType(*region_rules, national_number)
	           ? ValidityResult::kValid
	           : ValidityResult::kInvalid;
}

FastResult ParseDigits(std::string_view digits, bool plus, std::string_view region, int *country_code,
                       std::string *national_number) {
	const Tables &tables = GetTables();
	if (!tables.usable)
		return FastResult::kUndecided;
	const Rules *default_rules = RulesForRegion(tables, region);
	// CheckRegionForParsing: without a valid region only "+..." can be read.
	if (!plus && default_rules == nullptr)
		return FastResult::kRejected;

	std::string_view number = digits;
	std::string extracted_storage;
	int code = 0;
	CountryCodeError error =
	    MaybeExtractCountryCode(tables, default_rules, plus, number, extracted_storage, code);
	if (error != CountryCodeError::kNone) {
		if (error != CountryCodeError::kInvalidCountryCode || !plus)
			return FastResult::kRejected;
		// "+" followed by no valid calling code: ParseHelper drops the '+' and tries again; its
		// result must then have found a calling code.
		number = digits;
		code = 0;
		MaybeExtractCountryCode(tables, default_rules, false, number, extracted_storage, code);
		if (code == 0)
			return FastResult::kRejected;
	}
	const Rules *rules = default_rules;
	if (code != 0)
		rules = RulesForCountryCode(tables, code);
	else
		code = default_rules->country_code;
	if (rules == nullptr)
		return FastResult::kUndecided; // cannot happen with consistent tables
	if (number.size() < kMinLengthForNsn)
		return FastResult::kRejected;
	std::string stripped_storage;
	std::string_view potential = StripNationalPrefix(*rules, number, stripped_storage);
	Validation stripped_length = TestNumberLength(*rules, potential.size());
	if (stripped_length != PhoneNumberUtil::TOO_SHORT &&
	    stripped_length != PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY &&
	    stripped_length != PhoneNumberUtil::INVALID_LENGTH)
		number = potential;
	if (number.size() < kMinLengthForNsn || number.size() > kMaxLengthForNsn)
		return FastResult::kRejected;
	// IsPossibleNumberWithReason: the calling code's main region decides (US for all of NANPA).
	const Rules *main_rules = RulesForCountryCode(tables, code);
	if (main_rules == nullptr || TestNumberLength(*main_rules, number.size()) != PhoneNumberUtil::IS_POSSIBLE)
		return FastResult::kRejected;
	// The national number keeps its leading zeros (Italian leading zero), so E.164 is cc + number.
	*country_code = code;
	national_number->assign(number);
	return FastResult::kAccepted;
}

} // namespace capi::identity::phone_internal
