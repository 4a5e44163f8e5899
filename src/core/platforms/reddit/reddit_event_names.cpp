// Reddit's event types (https://ads-api.reddit.com/docs/v3/operations/Post%20Conversion%20Events,
// type.tracking_type) for the outbox's Meta-style names. Meta names Reddit has no type for go as
// CUSTOM with their own name.
#include "core/platforms/reddit/reddit_adapter.hpp"

#include <array>

namespace capi::dispatch {
namespace {

constexpr std::array<std::string_view, 8> kTrackingTypes = {
    "PAGE_VISIT", "VIEW_CONTENT", "SEARCH", "ADD_TO_CART", "ADD_TO_WISHLIST", "LEAD", "PURCHASE", "SIGN_UP",
};

// A platform name that is not a tracking type is a custom event name.
constexpr std::array<EventNameEntry, 11> kDefaults = {{
    {"Purchase", "PURCHASE"},
    {"AddToCart", "ADD_TO_CART"},
    {"AddToWishlist", "ADD_TO_WISHLIST"},
    {"Lead", "LEAD"},
    {"CompleteRegistration", "SIGN_UP"},
    {"ViewContent", "VIEW_CONTENT"},
    {"Search", "SEARCH"},
    {"PageView", "PAGE_VISIT"},
    {"InitiateCheckout", "InitiateCheckout"},
    {"AddPaymentInfo", "AddPaymentInfo"},
    {"Subscribe", "Subscribe"},
}};

} // namespace

std::optional<RedditEventType> RedditEventTypeFor(const CommonSettings &common,
                                                  std::string_view outbox_name) {
	std::optional<std::string_view> name = MapEventName(common, kDefaults, outbox_name);
	if (!name)
		return std::nullopt;
	for (std::string_view type : kTrackingTypes)
		if (*name == type)
			return RedditEventType{type, {}};
	// "CUSTOM" in event_map: a custom event under the outbox's own name.
	return RedditEventType{"CUSTOM", *name == "CUSTOM" ? outbox_name : *name};
}

} // namespace capi::dispatch
