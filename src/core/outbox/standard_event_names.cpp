#include "core/cpp_only.hpp"
#include "core/outbox/standard_event_names.hpp"

namespace capi::outbox {
namespace {

// Meta's standard events (https://developers.facebook.com/docs/meta-pixel/reference#standard-events)
// and the other names the adapters' tables map (ApplicationApproval, Download: TikTok).
constexpr std::string_view kStandardNames[] = {
    "AddPaymentInfo",
    "AddToCart",
    "AddToWishlist",
    "ApplicationApproval",
    "CompleteRegistration",
    "Contact",
    "CustomizeProduct",
    "Donate",
    "Download",
    "FindLocation",
    "InitiateCheckout",
    "Lead",
    "PageView",
    "Purchase",
    "Schedule",
    "Search",
    "StartTrial",
    "SubmitApplication",
    "Subscribe",
    "ViewContent",
};

char Lower(char c) {
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualIgnoringCase(std::string_view a, std::string_view b) {
	if (a.size() != b.size())
		return false;
	for (std::size_t i = 0; i < a.size(); ++i)
		if (Lower(a[i]) != Lower(b[i]))
			return false;
	return true;
}

} // namespace

std::optional<std::string_view> MiscasedStandardEventName(std::string_view name) noexcept {
	for (std::string_view standard : kStandardNames)
		if (EqualIgnoringCase(name, standard))
			return name == standard ? std::nullopt : std::optional<std::string_view>(standard);
	return std::nullopt;
}

} // namespace capi::outbox
