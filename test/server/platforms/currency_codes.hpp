// ISO 4217 currency codes as the platforms check them (https://www.iso.org/iso-4217-currency-codes.html,
// list one: active currencies; fund codes, precious metals, XDR and the testing codes XTS/XXX are not
// currencies a purchase is paid in). Kept apart from src/core's list on purpose: the test server is an
// independent oracle for what the extension sends.
#pragma once

#include <string_view>

namespace capi::testserver {

// An active ISO 4217 currency code, either case ("usd" as "USD").
bool IsIso4217Currency(std::string_view value);

} // namespace capi::testserver
