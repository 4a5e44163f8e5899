// Meta-style outbox event names -> Snap v3 event names (the v3 enum of Snap's Conversions API:
// https://developers.snap.com/api/marketing-api/Conversions-API/Parameters). Snap takes only its enum,
// so a name absent from this table and from config.event_map is not sent. Lead has no Snap event:
// SIGN_UP or CUSTOM_EVENT_1 are candidates (UNCONFIRMED which Snap prefers), so it is left to
// config.event_map rather than guessed.
#include <array>

#include "core/platforms/snap/snap_adapter.hpp"

namespace capi::dispatch {
namespace {

constexpr std::array<EventNameEntry, 11> kSnapEventNames = {{
    {"Purchase", "PURCHASE"},
    {"AddToCart", "ADD_CART"},
    {"CompleteRegistration", "SIGN_UP"},
    {"ViewContent", "VIEW_CONTENT"},
    {"InitiateCheckout", "START_CHECKOUT"},
    {"Search", "SEARCH"},
    {"AddPaymentInfo", "ADD_BILLING"},
    {"Subscribe", "SUBSCRIBE"},
    {"PageView", "PAGE_VIEW"},
    {"AddToWishlist", "ADD_TO_WISHLIST"},
    {"StartTrial", "START_TRIAL"},
}};

} // namespace

std::optional<std::string_view> SnapEventName(const CommonSettings &common, std::string_view outbox_name) {
	return MapEventName(common, kSnapEventNames, outbox_name);
}

} // namespace capi::dispatch
