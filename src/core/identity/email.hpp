// Email addresses: trim, lowercase (full Unicode for internationalized addresses), plausibility check,
// and the platform-specific rewrites of the local part.
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

enum class EmailRule {
	kStandard, // trim + lowercase (Meta, TikTok, LinkedIn, Snap, Pinterest)
	kGoogle,   // also drops white space inside; gmail.com/googlemail.com: no dots, no "+suffix" in the local
	           // part
	kReddit,   // also, for every domain: no "+suffix", and only letters and digits in the local part
};

// Returns false (out empty) unless value is a plausible address: exactly one "@", a non-empty local
// part of RFC 5322 "atext" characters and single dots, a domain of at least two non-empty labels
// (letters, digits, "-") whose last label has two or more characters and is not all digits, and no
// white space inside (kGoogle removes it first). Compatibility characters are folded first (NFKC:
// full-width "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ"). A value that is no address but a form naming exactly one
// ("Name <address>", "mailto:address", "address (comment)", "address." with the root dot) is read as
// that address.
bool NormalizeEmail(std::string_view value, EmailRule rule, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
