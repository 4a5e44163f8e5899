// One of libphonenumber's metadata expressions (international prefix, national prefix for parsing,
// general number pattern), evaluated on ASCII digit strings exactly as libphonenumber's ICU adapter
// evaluates it (same pattern text, flags 0, lookingAt for Consume, matches for FullMatch), but
// without building a RegexMatcher per call, and mostly without running the expression at all.
//
// The shortcut is a small prefix tree per expression and question, built lazily from the same ICU
// matcher: for a prefix P, ICU's hitEnd() tells whether the engine looked past the end of P. If it
// did not, the answer is the same for every string that starts with P (the engine takes the same
// steps on it), so the tree stores that answer; otherwise the tree goes one digit deeper, up to a
// size limit, past which the expression is run.
//
// Full matches are answered by a DFA of the expression (phone_digit_dfa.hpp) when its syntax allows,
// built on first use; the prefix tree and ICU remain for the rest.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>

#include <unicode/regex.h>

namespace capi::identity::phone_internal {

class DigitDfa;
struct PrefixTree;

class DigitRegex {
public:
	// A pattern that does not compile never matches (as in libphonenumber). Nothing is compiled here:
	// the ICU pattern and the DFA are built on first use.
	explicit DigitRegex(const std::string &pattern);
	DigitRegex(const DigitRegex &) = delete;
	DigitRegex &operator=(const DigitRegex &) = delete;

	// RegExp::Consume anchored at the start: on success *end is the length of the match.
	bool LookingAt(std::string_view digits, size_t *end) const;
	// RegExp::FullMatch.
	bool FullMatch(std::string_view digits) const;

	// This thread's matcher, reset to `input` (which must outlive its use) and positioned by
	// lookingAt(): for callers that need captured groups. nullptr when the pattern did not compile
	// or when lookingAt() fails.
	icu::RegexMatcher *LookingAtWithGroups(const icu::UnicodeString &input) const;

private:
	enum Question { kLookingAt, kFullMatch, kQuestions };

	icu::RegexMatcher *ThreadMatcher() const;
	const PrefixTree *Tree(Question question) const;
	PrefixTree *BuildTree(Question question) const;
	bool Run(Question question, std::string_view digits, size_t *end) const;
	// The DFA of the pattern, or nullptr when it has none (syntax outside DigitDfa's subset).
	const DigitDfa *Dfa() const;
	// The compiled ICU pattern, or nullptr when it does not compile.
	const icu::RegexPattern *Pattern() const;

	std::string source_;
	mutable std::atomic<const icu::RegexPattern *> pattern_{nullptr};
	mutable std::atomic<bool> pattern_invalid_{false};
	size_t id_ = 0; // index of this expression's matcher in the per-thread matcher table
	mutable std::atomic<const PrefixTree *> trees_[kQuestions];
	mutable std::atomic<const DigitDfa *> dfa_{nullptr};
	mutable std::atomic<bool> dfa_unavailable_{false};
};

} // namespace capi::identity::phone_internal

#include "core/cpp_only.hpp"
