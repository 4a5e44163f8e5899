// First and last names.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

enum class NameRule {
	kCompact, // NFKC, lowercase, no punctuation, no white space: Meta, TikTok, Snap, Pinterest
	kWords,   // NFKC, lowercase, single spaces between words, no honorific (first) or suffix (last), and
	          // no punctuation in last names: Google
	kPlain,   // NFKC, single spaces between words, case kept: LinkedIn's plain-text userInfo
};

enum class NamePart { kFirst, kLast };

// Returns false (out empty) when the value contains no letter.
bool NormalizeName(std::string_view value, NameRule rule, NamePart part, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
