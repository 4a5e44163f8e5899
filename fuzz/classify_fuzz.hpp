// The response-classifier target body, instantiated once per platform (classify_<platform>_fuzz.cpp).
//
// Input: line 0 is "<http status> <batch size> [<retry-after ms>]" (missing numbers: 400, 1, none);
// the rest of the input is the response body.
//
// Contract checked (core/dispatch/adapter.hpp): Classify never throws; bad_indexes are ascending,
// within the batch, and only set for kRejectedEvents / kPartial; bad_messages is empty or parallel
// to bad_indexes; messages are at most 1 KiB (a little more allowed for a prefix of ours).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/dispatch/adapter.hpp"
#include "fuzz_input.hpp"
#include "platform_destinations.hpp"

namespace capi::fuzz {

inline constexpr std::size_t kMaxMessageBytes = 1024 + 256;

inline int FuzzClassifier(identity::Platform platform, const std::uint8_t *data, std::size_t size) {
	const std::string_view text = AsText(data, size);
	const std::size_t newline = text.find('\n');
	const std::string_view head = text.substr(0, newline);
	const std::string_view body =
	    newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);

	const std::size_t first_space = head.find(' ');
	const long status = static_cast<long>(ParseInt(head, 400));
	std::int64_t batch = 1;
	dispatch::ResponseHeaders headers;
	if (first_space != std::string_view::npos) {
		const std::string_view rest = head.substr(first_space + 1);
		batch = ParseInt(rest, 1);
		const std::size_t second_space = rest.find(' ');
		if (second_space != std::string_view::npos)
			headers.retry_after_ms = ParseInt(rest.substr(second_space + 1), 0);
	}
	if (batch < 1 || batch > 2000)
		batch = 1;

	const dispatch::PlatformAdapter *adapter = dispatch::FindAdapter(platform);
	if (adapter == nullptr)
		ContractBroken("no adapter");
	const dispatch::Destination destination = ValidDestination(platform);
	const dispatch::BatchOutcome outcome =
	    adapter->Classify(destination, static_cast<std::size_t>(batch), status, body, headers);

	const bool names_events = outcome.kind == dispatch::OutcomeKind::kRejectedEvents ||
	                          outcome.kind == dispatch::OutcomeKind::kPartial;
	if (!names_events && !outcome.bad_indexes.empty())
		ContractBroken("bad_indexes set for an outcome that names no events");
	for (std::size_t i = 0; i < outcome.bad_indexes.size(); ++i) {
		if (outcome.bad_indexes[i] >= static_cast<std::size_t>(batch))
			ContractBroken("bad index outside the batch");
		if (i > 0 && outcome.bad_indexes[i] <= outcome.bad_indexes[i - 1])
			ContractBroken("bad_indexes not ascending");
	}
	if (!outcome.bad_messages.empty() && outcome.bad_messages.size() != outcome.bad_indexes.size())
		ContractBroken("bad_messages not parallel to bad_indexes");
	if (outcome.message.size() > kMaxMessageBytes)
		ContractBroken("message longer than 1 KiB");
	for (const std::string &message : outcome.bad_messages)
		if (message.size() > kMaxMessageBytes)
			ContractBroken("a bad_messages entry longer than 1 KiB");
	return 0;
}

} // namespace capi::fuzz
