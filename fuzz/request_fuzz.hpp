// The request-builder target body, instantiated once per platform (request_<platform>_fuzz.cpp).
//
// Input, one value per line:
//   line 0: the destination's config JSON ("" = a valid one, platform_destinations.hpp)
//   then 8 lines per event: event_id, event_name, event_time as seconds relative to now, action_source,
//   event_source_url, user_data, custom_data, consent.
// user_data is the raw identifiers an application inserts; it goes through BuildIdentityBag as at
// INSERT (when that refuses it, the event gets "{}"). A user_data line starting with '!' is used
// verbatim as the stored bag instead (a bag edited by hand, or written by an older version).
//
// Contract checked (core/dispatch/adapter.hpp): Validate, StartRequest and TokenRequest throw only
// capi::Error; Preflight, GroupingKey, Add and Finish throw only capi::Error (the pipeline then fails
// the event alone); Add never takes more than MaxBatchSize events; Finish gives a request with a URL
// and a body, and element_events (when set) names accepted events only.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/outbox/identity_bag_builder.hpp"
#include "fuzz_input.hpp"
#include "platform_destinations.hpp"

namespace capi::fuzz {

inline constexpr std::int64_t kFuzzNowMs = 1796601600000; // 2026-12-07 00:00:00 UTC
inline constexpr std::size_t kLinesPerEvent = 8;
inline constexpr std::size_t kMaxFuzzEvents = 32;

inline std::string StoredBag(std::string_view line) {
	if (!line.empty() && line[0] == '!')
		return std::string(line.substr(1));
	std::string bag = "{}";
	AllowingCapiError([&] { outbox::BuildIdentityBag(line, "US", bag); });
	return bag;
}

inline int FuzzRequestBuilder(identity::Platform platform, const std::uint8_t *data, std::size_t size) {
	const std::vector<std::string_view> lines = Lines(AsText(data, size));
	const dispatch::PlatformAdapter *adapter = dispatch::FindAdapter(platform);
	if (adapter == nullptr)
		ContractBroken("no adapter");
	dispatch::Destination destination = ValidDestination(platform);
	if (!lines[0].empty())
		destination.config_json = std::string(lines[0]);

	std::vector<dispatch::OutboxEvent> events;
	for (std::size_t first = 1; first + kLinesPerEvent <= lines.size() && events.size() < kMaxFuzzEvents;
	     first += kLinesPerEvent) {
		dispatch::OutboxEvent event;
		event.outbox_id = static_cast<std::int64_t>(events.size()) + 1;
		event.event_id = std::string(lines[first]);
		event.event_name = std::string(lines[first + 1]);
		event.event_time_ms = kFuzzNowMs + ParseInt(lines[first + 2], 0) * 1000;
		event.action_source = std::string(lines[first + 3]);
		event.event_source_url = std::string(lines[first + 4]);
		event.user_data_json = StoredBag(lines[first + 5]);
		event.custom_data_json = std::string(lines[first + 6]);
		event.consent_json = std::string(lines[first + 7]);
		events.push_back(std::move(event));
	}

	if (!AllowingCapiError([&] { adapter->Validate(destination); }))
		return 0;
	AllowingCapiError([&] { (void)adapter->TokenRequest(destination, ""); });
	std::unique_ptr<dispatch::RequestBuilder> builder;
	if (!AllowingCapiError([&] { builder = adapter->StartRequest(destination, dispatch::RequestContext{}); }))
		return 0;
	std::vector<std::size_t> accepted;
	for (std::size_t i = 0; i < events.size() && !builder->full(); ++i) {
		AllowingCapiError([&] { (void)adapter->Preflight(destination, events[i], kFuzzNowMs); });
		AllowingCapiError([&] { (void)adapter->GroupingKey(destination, events[i]); });
		const std::size_t before = builder->size();
		std::optional<dispatch::Refusal> refusal;
		if (!AllowingCapiError([&] { refusal = builder->Add(events[i], kFuzzNowMs); })) {
			builder.reset(); // the pipeline drops a builder whose Add threw and starts again without it
			if (!AllowingCapiError(
			        [&] { builder = adapter->StartRequest(destination, dispatch::RequestContext{}); }))
				ContractBroken("StartRequest failed after succeeding");
			for (std::size_t index : accepted)
				if (builder->Add(events[index], kFuzzNowMs))
					ContractBroken("Add refused an event it accepted before");
			continue;
		}
		if (refusal.has_value() != (builder->size() == before))
			ContractBroken("Add refused and grew the request, or accepted without growing it");
		if (!refusal)
			accepted.push_back(i);
	}
	if (builder->size() > adapter->MaxBatchSize())
		ContractBroken("more events than MaxBatchSize");
	if (builder->size() == 0)
		return 0;
	dispatch::HttpRequest request;
	if (!AllowingCapiError([&] { request = builder->Finish(); }))
		return 0;
	if (request.url.empty() || request.body.empty())
		ContractBroken("a request without a URL or a body");
	for (std::size_t event : request.element_events)
		if (event >= builder->size())
			ContractBroken("element_events names an event that was not added");
	return 0;
}

} // namespace capi::fuzz
