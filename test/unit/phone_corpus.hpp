// A deterministic corpus of phone numbers as people and exports write them, for the differential
// test (test/unit/phone_differential_test.cpp) and the benchmark (bench/phone_bench.cpp).
//
// Seeds are libphonenumber's example numbers (GetExampleNumberForType for every supported region and
// number type, and every non-geographic entity); each case perturbs the digits, writes the number in
// one of many formats (E.164, international, national, RFC 3966, dialled from abroad with the
// caller's IDD, country code without '+', trunk prefix, "(0)", ...), varies the separators and the
// surrounding text, and sometimes adds an extension, full-width digits or garbage.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace capi::identity::testing {

struct PhoneCase {
	std::string raw;
	std::string region; // as a caller passes it: any case, sometimes unknown or empty
};

class PhoneCorpusGenerator {
public:
	explicit PhoneCorpusGenerator(uint64_t seed) : random_(seed) { CollectSeeds(); }

	// Regions the corpus favours (half of the cases): the markets the extension is used in most.
	static const std::vector<std::string> &MajorRegions() {
		static const auto *regions = new std::vector<std::string>{
		    "US", "CA", "GB", "DE", "FR", "IT", "ES", "NL", "BR", "MX", "AR", "IN", "CN", "JP", "KR", "AU",
		    "ZA", "NG", "RU", "SE", "CH", "PL", "BE", "AT", "IE", "PT", "TR", "ID", "PH", "AE", "SA", "EG",
		    "CO", "CL", "NZ", "SG", "HK", "IL", "DK", "NO", "FI", "UA", "VN", "TH", "MY", "PK", "KE"};
		return *regions;
	}

	std::vector<PhoneCase> Generate(size_t count) {
		std::vector<PhoneCase> cases;
		cases.reserve(count);
		while (cases.size() < count)
			cases.push_back(Next());
		return cases;
	}

	// The regions that contributed at least one seed number.
	std::set<std::string> SeedRegions() const {
		std::set<std::string> regions;
		for (const Seed &seed : seeds_)
			regions.insert(seed.region);
		return regions;
	}

	PhoneCase Next() {
		const Seed &seed = PickSeed();
		std::string nsn = Perturb(seed.nsn);
		PhoneCase result;
		result.region = PickParsingRegion(seed.region);
		result.raw = Write(seed, nsn, result.region);
		result.raw = Decorate(result.raw);
		return result;
	}

private:
	using PhoneNumber = i18n::phonenumbers::PhoneNumber;
	using PhoneNumberUtil = i18n::phonenumbers::PhoneNumberUtil;

	struct Seed {
		std::string region; // "001" for non-geographic entities
		int country_code;
		std::string nsn;
	};

	const PhoneNumberUtil &util_ = *PhoneNumberUtil::GetInstance();
	std::mt19937_64 random_;
	std::vector<Seed> seeds_;
	std::vector<size_t> major_seeds_;

	size_t Below(size_t n) { return static_cast<size_t>(random_() % n); }
	bool Percent(unsigned p) { return Below(100) < p; }
	char Digit() { return static_cast<char>('0' + Below(10)); }

	void CollectSeeds() {
		static const PhoneNumberUtil::PhoneNumberType kTypes[] = {
		    PhoneNumberUtil::FIXED_LINE,      PhoneNumberUtil::MOBILE,      PhoneNumberUtil::TOLL_FREE,
		    PhoneNumberUtil::PREMIUM_RATE,    PhoneNumberUtil::SHARED_COST, PhoneNumberUtil::VOIP,
		    PhoneNumberUtil::PERSONAL_NUMBER, PhoneNumberUtil::PAGER,       PhoneNumberUtil::UAN,
		    PhoneNumberUtil::VOICEMAIL};
		std::set<std::string> regions;
		util_.GetSupportedRegions(&regions);
		const auto &major = MajorRegions();
		for (const std::string &region : regions) {
			for (auto type : kTypes) {
				PhoneNumber number;
				if (!util_.GetExampleNumberForType(region, type, &number))
					continue;
				std::string nsn;
				util_.GetNationalSignificantNumber(number, &nsn);
				if (std::find(major.begin(), major.end(), region) != major.end())
					major_seeds_.push_back(seeds_.size());
				seeds_.push_back({region, number.country_code(), nsn});
			}
		}
		std::set<int> codes;
		util_.GetSupportedGlobalNetworkCallingCodes(&codes);
		for (int code : codes) {
			PhoneNumber number;
			if (!util_.GetExampleNumberForNonGeoEntity(code, &number))
				continue;
			std::string nsn;
			util_.GetNationalSignificantNumber(number, &nsn);
			seeds_.push_back({"001", code, nsn});
		}
	}

	const Seed &PickSeed() {
		if (!major_seeds_.empty() && Percent(60))
			return seeds_[major_seeds_[Below(major_seeds_.size())]];
		return seeds_[Below(seeds_.size())];
	}

	// Replaces some trailing digits (keeping the leading, type-defining ones), sometimes changes
	// the length by one.
	std::string Perturb(std::string nsn) {
		if (Percent(15))
			return nsn; // the example number itself
		size_t keep = nsn.size() > 4 ? nsn.size() - 1 - Below(4) : nsn.size();
		for (size_t i = keep; i < nsn.size(); i++)
			nsn[i] = Digit();
		if (Percent(6))
			nsn.push_back(Digit());
		else if (Percent(6) && nsn.size() > 3)
			nsn.pop_back();
		return nsn;
	}

	std::string PickParsingRegion(const std::string &home) {
		size_t roll = Below(100);
		std::string region = home == "001" ? "US" : home;
		if (roll < 62)
			return region;
		if (roll < 70) {
			for (char &c : region)
				c = static_cast<char>(c | 0x20); // lower case
			return region;
		}
		if (roll < 90)
			return MajorRegions()[Below(MajorRegions().size())];
		static const char *const kOddRegions[] = {"ZZ", "", "XX", "usa", "001", "uk", "u", "G B"};
		return kOddRegions[Below(sizeof(kOddRegions) / sizeof(kOddRegions[0]))];
	}

	std::string Write(const Seed &seed, const std::string &nsn, const std::string &parsing_region) {
		std::string code = std::to_string(seed.country_code);
		PhoneNumber number;
		bool parsed = util_.Parse("+" + code + nsn, "ZZ", &number) == PhoneNumberUtil::NO_PARSING_ERROR;
		std::string text;
		switch (Below(16)) {
		case 0:
			return "+" + code + nsn;
		case 1:
			return code + nsn; // country code without '+' (Meta's format)
		case 2:
			return nsn;
		case 3:
			return "00" + code + " " + nsn;
		case 4:
			return "+" + code + " (0)" + nsn;
		case 5:
			return "0" + nsn;
		case 6:
			return "1" + nsn;
		case 7:
		case 8:
			if (!parsed)
				return "+" + code + nsn;
			util_.Format(number, PhoneNumberUtil::INTERNATIONAL, &text);
			return text;
		case 9:
		case 10:
		case 11:
			if (!parsed)
				return nsn;
			util_.Format(number, PhoneNumberUtil::NATIONAL, &text);
			return text;
		case 12:
			if (!parsed)
				return "tel:+" + code + "-" + nsn;
			util_.Format(number, PhoneNumberUtil::RFC3966, &text);
			return text;
		case 13:
			if (!parsed)
				return "011 " + code + " " + nsn;
			// As dialled from the parsing region: its international prefix (011, 00, 810, ...).
			util_.FormatOutOfCountryCallingNumber(number, parsing_region, &text);
			return text;
		case 14:
			if (!parsed)
				return nsn;
			util_.Format(number, PhoneNumberUtil::NATIONAL, &text);
			return StripNonDigits(text);
		default:
			return RandomGarbage(code + nsn);
		}
	}

	static std::string StripNonDigits(const std::string &text) {
		std::string digits;
		for (char c : text)
			if (c >= '0' && c <= '9')
				digits.push_back(c);
		return digits;
	}

	std::string RandomGarbage(const std::string &digits) {
		switch (Below(8)) {
		case 0: {
			std::string random;
			size_t length = Below(31);
			for (size_t i = 0; i < length; i++)
				random.push_back(Digit());
			return random;
		}
		case 1: {
			static const char *const kWords[] = {"abc",     "",
			                                     "+",       "++",
			                                     "n/a",     "unknown",
			                                     "0",       "-",
			                                     "()",      "1-800-FLOWERS",
			                                     "call me", "+1 800 GOT JUNK",
			                                     "x"};
			return kWords[Below(sizeof(kWords) / sizeof(kWords[0]))];
		}
		case 2:
			return "++" + digits;
		case 3: {
			std::string text = digits;
			text.insert(Below(text.size() + 1), 1, static_cast<char>('a' + Below(26)));
			return text;
		}
		case 4:
			return digits.substr(0, Below(digits.size() + 1));
		case 5:
			return "+" + digits.substr(0, 2) + "+" + digits.substr(2);
		case 6:
			return digits + digits; // two numbers run together
		default:
			return "+0" + digits;
		}
	}

	// Separators, surrounding text, extensions and full-width digits.
	std::string Decorate(std::string text) {
		if (Percent(30)) {
			static const char kSeparators[] = {'-', '.', ' ', '/'};
			char separator = kSeparators[Below(4)];
			bool remove = Percent(30);
			std::string changed;
			for (char c : text) {
				if (c == ' ' || c == '-') {
					if (!remove)
						changed.push_back(separator);
				} else {
					changed.push_back(c);
				}
			}
			text = changed;
		}
		if (Percent(8) && text.size() > 6) {
			size_t start = text[0] == '+' ? 1 : 0;
			text.insert(start + 3, ")");
			text.insert(start, "(");
		}
		if (Percent(12)) {
			static const char *const kPrefixes[] = {" ",
			                                        "  ",
			                                        "\t",
			                                        "\xC2\xA0",
			                                        "tel:",
			                                        "Tel: ",
			                                        "phone ",
			                                        "\xE2\x80\x83",
			                                        "(",
			                                        "#",
			                                        "mobile:\xC2\xA0",
			                                        "\v",
			                                        "\x01",
			                                        "\xEF\xBB\xBF"};
			text = kPrefixes[Below(sizeof(kPrefixes) / sizeof(kPrefixes[0]))] + text;
		}
		if (Percent(12)) {
			static const char *const kSuffixes[] = {
			    " ",         "\n", "\r\n", "\t", "\xC2\xA0", ".",     ")", "  ", "\xE3\x80\x80",
			    " (mobile)", ",",  ";",    "\v", "\x7F",     " cell", " +"};
			text += kSuffixes[Below(sizeof(kSuffixes) / sizeof(kSuffixes[0]))];
		}
		if (Percent(4)) {
			static const char *const kExtensions[] = {" x123", " ext. 5",        " ext 42", ";ext=7", " #12",
			                                          " x 9",  " extension 100", ",,55",    " - 503#"};
			text += kExtensions[Below(sizeof(kExtensions) / sizeof(kExtensions[0]))];
		}
		if (Percent(3))
			text = FullWidthDigits(text);
		if (Percent(2) && !text.empty())
			text.insert(Below(text.size()), "\xC2\xA0");
		return text;
	}

	static std::string FullWidthDigits(const std::string &text) {
		std::string wide;
		for (char c : text) {
			if (c >= '0' && c <= '9') {
				wide += "\xEF\xBC";
				wide.push_back(static_cast<char>(0x90 + (c - '0')));
			} else {
				wide.push_back(c);
			}
		}
		return wide;
	}
};

} // namespace capi::identity::testing
