// Pinterest's event names (https://developers.pinterest.com/docs/api/v5/events-create, event_name)
// for the outbox's Meta-style names. ViewContent goes to page_visit, a name every version of the
// reference lists; config.event_map {"ViewContent": "view_content"} chooses the newer one.
#include "core/platforms/pinterest/pinterest_adapter.hpp"

#include <array>

namespace capi::dispatch {
namespace {

constexpr std::array<EventNameEntry, 17> kDefaults = {{
    {"Purchase", "checkout"},
    {"AddToCart", "add_to_cart"},
    {"AddToWishlist", "add_to_wishlist"},
    {"Lead", "lead"},
    {"CompleteRegistration", "signup"},
    {"ViewContent", "page_visit"},
    {"PageView", "page_visit"},
    {"Search", "search"},
    {"InitiateCheckout", "initiate_checkout"},
    {"AddPaymentInfo", "add_payment_info"},
    {"Subscribe", "subscribe"},
    {"StartTrial", "start_trial"},
    {"SubmitApplication", "submit_application"},
    {"Contact", "contact"},
    {"Schedule", "schedule"},
    {"FindLocation", "find_location"},
    {"CustomizeProduct", "customize_product"},
}};

bool Contains(std::string_view text, std::string_view part) {
	return text.find(part) != std::string_view::npos;
}

} // namespace

std::optional<std::string_view> PinterestEventName(const CommonSettings &common,
                                                   std::string_view outbox_name) {
	return MapEventName(common, kDefaults, outbox_name);
}

std::optional<std::string_view> PinterestActionSource(std::string_view outbox_action_source,
                                                      std::string_view user_agent) {
	if (outbox_action_source == "website")
		return std::string_view("web");
	if (outbox_action_source == "app") {
		if (Contains(user_agent, "Android"))
			return std::string_view("app_android");
		if (Contains(user_agent, "iPhone") || Contains(user_agent, "iPad") || Contains(user_agent, "iOS") ||
		    Contains(user_agent, "CFNetwork"))
			return std::string_view("app_ios");
		return std::nullopt;
	}
	return std::string_view("offline"); // physical_store, phone_call, email, chat, system_generated, ...
}

} // namespace capi::dispatch
