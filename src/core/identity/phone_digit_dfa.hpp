// A deterministic automaton over the ASCII digits that answers RegExp::FullMatch for one of
// libphonenumber's metadata expressions in one table step per digit.
//
// Number patterns in the metadata (national_number_pattern of every number type) use a small regular
// subset: digits, \d, classes such as [02-9], groups (?:...), alternation | and the bounded
// quantifiers ? {n} {n,m}. Without back-references, look-arounds or possessive quantifiers, ICU's
// matches() (a backtracking engine asked for a match of the whole input) accepts exactly the strings
// of the expression's regular language, so a DFA of that language gives the same answers: this is
// what makes libphonenumber's validity check (dozens of ICU matches per number) affordable on the
// fast path. phone_digit_dfa_test.cpp checks it against ICU on every pattern of the metadata.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace capi::identity::phone_internal {

class DigitDfa {
public:
	// nullptr when the pattern uses syntax outside the subset above (the caller then runs ICU), or
	// when its automaton would exceed kMaxStates.
	static std::unique_ptr<DigitDfa> Compile(std::string_view pattern);

	// True when digits (ASCII '0'..'9' only) belong to the pattern's language.
	bool FullMatch(std::string_view digits) const noexcept {
		uint32_t state = kStart;
		for (char c : digits) {
			const auto digit = static_cast<unsigned>(c - '0');
			if (digit > 9)
				return false;
			state = next_[state * 10 + digit];
			if (state == kDead)
				return false;
		}
		return accepting_[state] != 0;
	}

	std::size_t StateCount() const noexcept { return accepting_.size(); }

	static constexpr std::size_t kMaxStates = 20000;

private:
	static constexpr uint32_t kDead = 0;
	static constexpr uint32_t kStart = 1;

	std::vector<uint16_t> next_;     // state * 10 + digit -> state
	std::vector<uint8_t> accepting_; // by state
};

} // namespace capi::identity::phone_internal

#include "core/cpp_only.hpp"
