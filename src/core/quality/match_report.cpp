#include "core/quality/match_report.hpp"

#include <algorithm>
#include <cmath>

#include "core/outbox/identity_bag_builder.hpp"

namespace capi::quality {
namespace {

using identity::Platform;
using nlohmann::json;

// Points with at most three decimals (weights are thousandths), as a JSON number.
json Points(int milli) {
	return json(static_cast<double>(milli) / 1000.0);
}

// The displayed score: one decimal, as Meta's Events Manager shows its Event Match Quality.
json RoundedScore(int milli) {
	return json(std::round(static_cast<double>(milli) / 100.0) / 10.0);
}

const char *StatusName(const KeyRule &rule, std::uint32_t bit, const Presence &presence) {
	if (rule.use == Use::kWithheld)
		return "not_sent";
	if ((presence.usable & bit) != 0)
		return "present";
	return (presence.unusable & bit) != 0 ? "unusable" : "missing";
}

struct Suggestion {
	std::string action; // add or fix
	std::vector<std::string> keys;
	int gain_milli = 0;
	std::string note;
	std::size_t order = 0; // MatchKey order, for a stable sort
};

constexpr const char *kAddressNote =
    "Google uses a name and address only as a whole: first_name, last_name, zip and country together";

std::vector<Suggestion> Suggestions(const Presence &presence, Platform platform) {
	std::vector<Suggestion> out;
	Suggestion address{"add", {}, 0, kAddressNote, kMatchKeyCount};
	bool address_fix = false;
	for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
		const MatchKey key = static_cast<MatchKey>(k);
		const KeyRule &rule = RuleFor(platform, key);
		if (rule.use != Use::kSent)
			continue;
		const std::uint32_t bit = Bit(key);
		const bool usable = (presence.usable & bit) != 0;
		const bool unusable = (presence.unusable & bit) != 0;
		if (rule.address_group) {
			address.gain_milli += rule.weight_milli;
			address.order = std::min(address.order, k);
			if (!usable) {
				address.keys.emplace_back(rule.input_key);
				address_fix = address_fix || unusable;
			}
			continue;
		}
		if (usable)
			continue;
		Suggestion s{unusable ? "fix" : "add", {std::string(rule.input_key)}, rule.weight_milli, {}, k};
		if (rule.plain_count > 1)
			s.note =
			    "or " + std::string(identity::PlainKeyName(rule.plain[1])) +
			    (rule.plain_count > 2 ? " / " + std::string(identity::PlainKeyName(rule.plain[2])) : "") +
			    " (one click id is sent)";
		if (rule.ipv4_only)
			s.note = "LinkedIn takes IPv4 addresses only";
		out.push_back(std::move(s));
	}
	if (!address.keys.empty()) {
		if (address_fix)
			address.action = "fix";
		out.push_back(std::move(address));
	}
	std::stable_sort(out.begin(), out.end(), [](const Suggestion &a, const Suggestion &b) {
		return a.gain_milli != b.gain_milli ? a.gain_milli > b.gain_milli : a.order < b.order;
	});
	return out;
}

json Report(const Presence &presence, const std::vector<std::string> &unusable_keys, Platform platform) {
	json identifiers = json::object();
	const int score = ScoreMilli(presence.usable, platform);
	bool address_complete = true;
	for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
		const KeyRule &rule = RuleFor(platform, static_cast<MatchKey>(k));
		if (rule.address_group)
			address_complete = address_complete && (presence.usable & Bit(static_cast<MatchKey>(k))) != 0;
	}
	for (std::size_t k = 0; k < kMatchKeyCount; ++k) {
		const MatchKey key = static_cast<MatchKey>(k);
		const KeyRule &rule = RuleFor(platform, key);
		if (rule.use == Use::kNone)
			continue;
		const std::uint32_t bit = Bit(key);
		const bool usable = (presence.usable & bit) != 0;
		const int contribution = usable && (!rule.address_group || address_complete) ? rule.weight_milli : 0;
		json entry{{"status", StatusName(rule, bit, presence)},
		           {"weight", Points(rule.weight_milli)},
		           {"contribution", Points(contribution)},
		           {"key", rule.input_key}};
		if (rule.use == Use::kWithheld)
			entry["note"] = "pg_capi never stores it in clear, so the outbox cannot send it to this platform";
		else if (rule.address_group)
			entry["note"] = kAddressNote;
		identifiers[std::string(MatchKeyName(key))] = std::move(entry);
	}
	json to_add = json::array();
	for (const Suggestion &s : Suggestions(presence, platform)) {
		json entry{{"action", s.action}, {"keys", s.keys}, {"gain", Points(s.gain_milli)}};
		if (!s.note.empty())
			entry["note"] = s.note;
		to_add.push_back(std::move(entry));
	}
	return json{{"platform", identity::PlatformName(platform)},
	            {"score", RoundedScore(score)},
	            {"identifiers", std::move(identifiers)},
	            {"unusable", unusable_keys},
	            {"to_add", std::move(to_add)}};
}

} // namespace

KeyState JsonBag::Probe(std::string_view key, ValueTest usable) const {
	if (!bag_.is_object())
		return KeyState::kAbsent;
	auto found = bag_.find(key);
	if (found == bag_.end())
		return KeyState::kAbsent;
	auto passes = [&](const json &value) {
		return value.is_string() && usable(value.get_ref<const std::string &>());
	};
	if (found->is_array())
		return std::any_of(found->begin(), found->end(), passes) ? KeyState::kUsable : KeyState::kUnusable;
	return passes(*found) ? KeyState::kUsable : KeyState::kUnusable;
}

json MatchQualityReportOfBag(const json &bag, const std::vector<std::string> &unusable, Platform platform) {
	Presence presence = Evaluate(JsonBag(bag), platform);
	for (const std::string &name : unusable)
		AddRecordedUnusable(name, platform, presence);
	return Report(presence, unusable, platform);
}

json MatchQualityReport(std::string_view user_data_json, Platform platform, std::string_view region) {
	std::string bag_text;
	outbox::UnusableKeys unusable;
	outbox::BuildIdentityBag(user_data_json, region, bag_text, nullptr, &unusable);
	return MatchQualityReportOfBag(json::parse(bag_text),
	                               std::vector<std::string>(unusable.begin(), unusable.end()), platform);
}

} // namespace capi::quality
