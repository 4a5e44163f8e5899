// ISO 4217 currency codes: the active codes of ISO 4217 list one (currencies in circulation), as
// published by the maintenance agency (https://www.iso.org/iso-4217-currency-codes.html, list one as
// of 2025). Fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), precious metals (XAU, XAG, XPD,
// XPT), the IMF's XDR/XSU/XUA and the testing codes XTS/XXX are left out: no ad platform takes them as a
// purchase currency. Withdrawn codes (HRK, ZWL, CUC, ...) are left out too, except SLL, which the
// platforms still accept next to its successor SLE.
#pragma once

#include <string_view>

namespace capi::outbox {

// True when code is one of the codes above, compared without regard to ASCII case ("usd" is USD: the
// platforms accept either case).
bool IsIso4217Currency(std::string_view code) noexcept;

} // namespace capi::outbox
