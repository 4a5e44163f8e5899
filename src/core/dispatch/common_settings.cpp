#include "core/dispatch/common_settings.hpp"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.hpp"

namespace capi::dispatch {
namespace {

[[noreturn]] void Fail(const Destination &destination, std::string_view what) {
	throw Error(sqlstate::kInvalidParameterValue,
	            "destination " + destination.name + ": config." + std::string(what));
}

constexpr std::size_t kMaxEventMapEntries = 1000;
constexpr std::size_t kMaxEventNameBytes = 200;

} // namespace

CommonSettings ReadCommonSettings(const Destination &destination) {
	CommonSettings settings;
	const std::string &text = destination.config_json;
	if (text.find_first_not_of(" \t\r\n") == std::string::npos)
		return settings;
	nlohmann::json config = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
	if (config.is_discarded() || !config.is_object())
		Fail(destination, "must be a JSON object");

	if (auto map = config.find("event_map"); map != config.end() && !map->is_null()) {
		if (!map->is_object())
			Fail(destination, "event_map must be a JSON object {\"event_name\": \"platform event name\"}");
		if (map->size() > kMaxEventMapEntries)
			Fail(destination, "event_map has more than 1000 entries");
		for (auto item = map->begin(); item != map->end(); ++item) {
			if (!item.value().is_string())
				Fail(destination, "event_map." + item.key() + " must be a string");
			const std::string &name = item.value().get_ref<const std::string &>();
			if (item.key().empty() || item.key().size() > kMaxEventNameBytes ||
			    name.size() > kMaxEventNameBytes)
				Fail(destination, "event_map: names are 1 to 200 bytes");
			settings.event_map.emplace(item.key(), name);
		}
	}
	if (auto rate = config.find("max_requests_per_second"); rate != config.end() && !rate->is_null()) {
		if (!rate->is_number() || !std::isfinite(rate->get<double>()) || rate->get<double>() <= 0 ||
		    rate->get<double>() > 100000)
			Fail(destination, "max_requests_per_second must be a number above 0 and at most 100000");
		settings.max_requests_per_second = rate->get<double>();
	}
	if (auto denied = config.find("denied_ad_user_data"); denied != config.end() && !denied->is_null()) {
		if (*denied == "skip")
			settings.denied_ad_user_data = DeniedAdUserData::kSkip;
		else if (*denied == "send_without_identifiers")
			settings.denied_ad_user_data = DeniedAdUserData::kSendWithoutIdentifiers;
		else
			Fail(destination, "denied_ad_user_data must be \"skip\" or \"send_without_identifiers\"");
	}
	return settings;
}

std::string UnmappedEventReason(std::string_view platform_label, std::string_view outbox_name) {
	std::string reason = "no ";
	reason.append(platform_label).append(" event for \"");
	reason.append(outbox_name.substr(0, kMaxEventNameBytes));
	reason.append("\": add it to the destination's config.event_map to send it");
	return reason;
}

} // namespace capi::dispatch
