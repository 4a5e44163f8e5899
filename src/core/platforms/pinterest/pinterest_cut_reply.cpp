#include "core/platforms/pinterest/pinterest_cut_reply.hpp"

#include <string>

namespace capi::dispatch {
namespace {

// Moves past blanks and one ':' after a key.
std::size_t SkipToValue(std::string_view text, std::size_t at) {
	while (at < text.size() &&
	       (text[at] == ' ' || text[at] == '\n' || text[at] == '\r' || text[at] == '\t' || text[at] == ':'))
		++at;
	return at;
}

// The non-negative integer value of "key", or nullopt.
std::optional<std::size_t> IntegerOf(std::string_view text, std::string_view key) {
	std::size_t at = text.find(key);
	if (at == std::string_view::npos)
		return std::nullopt;
	at = SkipToValue(text, at + key.size());
	std::size_t value = 0, digits = 0;
	while (at < text.size() && text[at] >= '0' && text[at] <= '9' && digits < 9) {
		value = value * 10 + static_cast<std::size_t>(text[at++] - '0');
		++digits;
	}
	if (digits == 0 || at >= text.size()) // a number cut at the end may be incomplete
		return std::nullopt;
	return value;
}

// The JSON string starting at text[at] ('"'), unescaped simply (\" and \\ kept as the character);
// nullopt when it is cut or not a string.
std::optional<std::string> StringAt(std::string_view text, std::size_t at) {
	if (at >= text.size() || text[at] != '"')
		return std::nullopt;
	std::string value;
	for (std::size_t i = at + 1; i < text.size(); ++i) {
		if (text[i] == '"')
			return value;
		if (text[i] == '\\' && i + 1 < text.size())
			++i;
		value.push_back(text[i]);
	}
	return std::nullopt;
}

} // namespace

std::optional<BatchOutcome> ClassifyCutPinterestReply(std::string_view body, std::size_t batch_size) {
	std::optional<std::size_t> processed = IntegerOf(body, "\"num_events_processed\"");
	if (!processed)
		return std::nullopt;
	BatchOutcome outcome;
	if (*processed == batch_size) {
		outcome.kind = OutcomeKind::kDelivered;
		outcome.message = "Pinterest processed every event (its reply was longer than the part kept)";
		return outcome;
	}
	constexpr std::string_view kStatus = "\"status\"";
	std::size_t index = 0;
	for (std::size_t at = body.find(kStatus); at != std::string_view::npos && index < batch_size;
	     at = body.find(kStatus, at + 1), ++index) {
		std::optional<std::string> status = StringAt(body, SkipToValue(body, at + kStatus.size()));
		if (!status)
			break;
		if (*status == "processed")
			continue;
		std::size_t next = body.find(kStatus, at + 1);
		std::string_view event =
		    body.substr(at, next == std::string_view::npos ? std::string_view::npos : next - at);
		constexpr std::string_view kError = "\"error_message\"";
		std::size_t error_at = event.find(kError);
		std::optional<std::string> error =
		    error_at == std::string_view::npos
		        ? std::nullopt
		        : StringAt(event, SkipToValue(event, error_at + kError.size()));
		outcome.bad_indexes.push_back(index);
		outcome.bad_messages.push_back(error && !error->empty() ? "Pinterest: " + *error
		                                                        : "Pinterest: failed");
	}
	if (outcome.bad_indexes.empty() || *processed + outcome.bad_indexes.size() != batch_size)
		return std::nullopt; // some failed events are in the part not kept
	outcome.kind = OutcomeKind::kPartial;
	outcome.message = std::to_string(outcome.bad_indexes.size()) + " of " + std::to_string(batch_size) +
	                  " events failed at Pinterest";
	return outcome;
}

} // namespace capi::dispatch
