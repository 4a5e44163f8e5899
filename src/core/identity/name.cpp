#include "core/identity/name.hpp"

#include "core/identity/unicode_text.hpp"

namespace capi::identity {
namespace {

// Google: "Don't include prefixes such as Mrs." / "Don't include suffixes such as Jr." (Data Manager).
// Matched as whole words after lowercasing and punctuation removal, and only when another word remains.
constexpr std::string_view kHonorifics[] = {"mr",  "mrs",  "ms",   "miss", "mx",  "dr",  "prof",
                                            "mme", "mlle", "herr", "frau", "sra", "srta"};
constexpr std::string_view kSuffixes[] = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"};

template <typename Words> bool IsOneOf(std::string_view word, const Words &words) {
	for (std::string_view candidate : words)
		if (word == candidate)
			return true;
	return false;
}

// The first or last word of out (lowercase words separated by single spaces), without a final '.'.
std::string_view Word(std::string_view word) {
	if (!word.empty() && word.back() == '.')
		word.remove_suffix(1);
	return word;
}

void DropHonorificOrSuffix(NamePart part, std::string &out) {
	if (part == NamePart::kFirst) {
		const std::size_t space = out.find(' ');
		if (space != std::string::npos && IsOneOf(Word(std::string_view(out).substr(0, space)), kHonorifics))
			out.erase(0, space + 1);
	} else {
		const std::size_t space = out.rfind(' ');
		if (space != std::string::npos && IsOneOf(Word(std::string_view(out).substr(space + 1)), kSuffixes))
			out.erase(space);
	}
}

text::CleanRule CleanRuleFor(NameRule rule, NamePart part) {
	switch (rule) {
	case NameRule::kCompact:
		return {true, text::Form::kNfkc, text::Keep::kNoPunctuation, text::Spaces::kRemove};
	case NameRule::kWords: // Google Ads API: last name "no punctuation"; first name: lowercase and spaces
	                       // only
		return {true, text::Form::kNfkc,
		        part == NamePart::kLast ? text::Keep::kNoPunctuation : text::Keep::kAll,
		        text::Spaces::kCollapse};
	case NameRule::kPlain:
		return {false, text::Form::kNfkc, text::Keep::kAll, text::Spaces::kCollapse};
	}
	return {true, text::Form::kNfkc, text::Keep::kNoPunctuation, text::Spaces::kRemove};
}

} // namespace

bool NormalizeName(std::string_view value, NameRule rule, NamePart part, std::string &out) {
	if (!text::Clean(value, CleanRuleFor(rule, part), out) || !text::ContainsLetter(out)) {
		out.clear();
		return false;
	}
	if (rule == NameRule::kWords)
		DropHonorificOrSuffix(part, out);
	return true;
}

} // namespace capi::identity
