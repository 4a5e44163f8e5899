// Gender and the advertiser's own user ID (date of birth: date_of_birth.hpp).
#pragma once

#include <string>
#include <string_view>

namespace capi::identity {

// "m" or "f" from the usual words in English and other major languages ("Male", "woman", "F",
// "Frau", "女性", ...), the salutations of the main European languages ("Herr", "Mme", "Sig.ra"),
// META-PB's words (pronouns "he", "her", ...), or several such words that agree ("he/him"); case,
// accents, punctuation and width ignored. With allow_non_binary (Pinterest), "n" for "n",
// "non-binary", "nonbinary", "nb". Returns false for anything else.
bool NormalizeGender(std::string_view value, bool allow_non_binary, std::string &out);

enum class ExternalIdRule {
	kCompactLower, // lowercase, all white space removed: Meta (capi-param-builder), Snap
	kTrimLower,    // trimmed, lowercase: TikTok, Pinterest
	kTrim,         // trimmed only, case kept: Reddit, LinkedIn (sent in clear)
};

// Returns false when nothing is left. No Unicode normalization: an ID's bytes are kept.
bool NormalizeExternalId(std::string_view value, ExternalIdRule rule, std::string &out);

} // namespace capi::identity

#include "core/cpp_only.hpp"
