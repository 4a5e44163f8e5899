// The outbox's action_source values: Meta's list, which the outbox adopted (the other platforms' adapters
// map it to their own vocabularies). Checked at INSERT (core/outbox/row_validation) and again by the Meta
// adapter before sending.
// https://developers.facebook.com/docs/marketing-api/conversions-api/parameters/server-event#action-source
#pragma once

#include <string>
#include <string_view>

namespace capi::dispatch {

inline constexpr std::string_view kActionSources[] = {
    "website",
    "app",
    "email",
    "phone_call",
    "chat",
    "physical_store",
    "system_generated",
    "business_messaging",
    "other",
};

bool IsActionSource(std::string_view value) noexcept;

// "website, app, email, ...": the values, in order, for messages.
std::string ActionSourceList();

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
