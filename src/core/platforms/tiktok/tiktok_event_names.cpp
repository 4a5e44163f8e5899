// Meta-style outbox event names -> TikTok standard events
// (https://ads.tiktok.com/help/article/supported-standard-events). An outbox name absent from this
// table and from config.event_map is not sent: TikTok takes custom events too, but only a name the
// DBA chose (event_map {"MyEvent": "MyEvent"}) goes out as one. PageView has no TikTok standard
// event and Meta's Donate none either.
#include <array>

#include "core/platforms/tiktok/tiktok_adapter.hpp"

namespace capi::dispatch {
namespace {

constexpr std::array<EventNameEntry, 18> kTikTokEventNames = {{
    {"AddPaymentInfo", "AddPaymentInfo"},
    {"AddToCart", "AddToCart"},
    {"AddToWishlist", "AddToWishlist"},
    {"CompleteRegistration", "CompleteRegistration"},
    {"Contact", "Contact"},
    {"CustomizeProduct", "CustomizeProduct"},
    {"FindLocation", "FindLocation"},
    {"InitiateCheckout", "InitiateCheckout"},
    {"Lead", "Lead"},
    {"Purchase", "Purchase"},
    {"Schedule", "Schedule"},
    {"Search", "Search"},
    {"StartTrial", "StartTrial"},
    {"SubmitApplication", "SubmitApplication"},
    {"Subscribe", "Subscribe"},
    {"ViewContent", "ViewContent"},
    // TikTok's own standard events that Meta has no name for, under TikTok's name.
    {"ApplicationApproval", "ApplicationApproval"},
    {"Download", "Download"},
}};

} // namespace

std::optional<std::string_view> TikTokEventName(const CommonSettings &common, std::string_view outbox_name) {
	return MapEventName(common, kTikTokEventNames, outbox_name);
}

} // namespace capi::dispatch
