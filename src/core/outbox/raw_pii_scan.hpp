// Finds raw personal data where the outbox would store and send it unhashed: anywhere but
// user_data (which the INSERT trigger replaces by hashes). Linear scans, no regular expressions.
//
// What is detected:
//  - email addresses: local@domain.tld, where the character before '@' can belong to a local part and
//    the domain has at least two non-empty dot-separated labels and a top-level label of two or more
//    letters (or an IDN one: "xn--..." or non-ASCII). "Shirt @ 50% off", "@handle", "user@localhost",
//    "v1@2.0" and retina image names such as "logo@2x.png" (a file extension is not a top-level
//    domain) are not addresses. Percent-encoding is decoded first (twice, so %2540 is seen too).
//  - keys that name a personal identifier field of src/core/identity/field.hpp (email, phone,
//    first_name, last_name, date_of_birth, street, external_id and Meta's short keys em, ph, fn, ln,
//    db), compared as identity::FindField compares them. Coarse location and gender (city, state, zip,
//    country, gender) are allowed as keys: products and stores have them too.
//
// Not detected: phone numbers and names in free text. Order ids, SKUs, prices and quantities are
// digit strings too, and names are ordinary words: any rule would refuse legitimate events, so
// applications must keep them in user_data.
#pragma once

#include <string_view>

namespace capi::outbox {

// True when text contains something shaped like an email address (see above).
bool ContainsEmailAddress(std::string_view text);

// True when key names a personal identifier field (see above).
bool IsPersonalIdentifierKey(std::string_view key) noexcept;

} // namespace capi::outbox

#include "core/cpp_only.hpp"
