// A destination in its platform's test or validate mode, for capi.dry_run: the same destination
// with the key of PlatformAdapter::TestMode() set in its config, so that the adapter builds every
// request the way the platform's test mode wants it (Meta test_event_code, Google validateOnly, Snap
// /events/validate, Pinterest ?test=true, Reddit test_id, TikTok test_event_code).
#pragma once

#include <optional>
#include <string>

#include "core/dispatch/adapter.hpp"

namespace capi::dispatch {

// destination with its config's test-mode key set: true for a flag; for a code, test_code when given,
// else the code already in the config. Checks the result with adapter.Validate. Throws capi::Error:
//   0A000 when the platform has no test mode (LinkedIn: a dry run would record real conversions);
//   22023 when the platform needs a code and neither test_code nor the config has one, when test_code
//         is given to a platform whose mode takes none, or when the destination is invalid.
// Messages name the destination and the key, never a credential.
Destination InTestMode(const Destination &destination, const PlatformAdapter &adapter,
                       const std::optional<std::string> &test_code);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
