// The standard event names outbox events use (Meta's names, which every adapter maps to its platform's
// own: core/platforms/*/..._event_names.cpp), and the mistake of writing one in another case.
//
// Every adapter compares names exactly: Meta takes "purchase" or "PURCHASE" as a custom event (no
// Purchase optimization or reporting), Snap, TikTok, Reddit, Pinterest and LinkedIn find no mapping and
// send nothing, Google finds no conversion action. So an INSERT of a name that equals a standard name
// without regard to ASCII case, but not exactly, is refused (destination_checks.hpp) unless a
// destination of the event names it explicitly in its config.
#pragma once

#include <optional>
#include <string_view>

namespace capi::outbox {

// The standard spelling when name equals one of the standard names without regard to ASCII case but
// is not that name ("purchase" -> "Purchase"); nullopt for a standard name as written and for any
// other (custom) name.
std::optional<std::string_view> MiscasedStandardEventName(std::string_view name) noexcept;

} // namespace capi::outbox
