#include "core/dispatch/pipeline.hpp"

#include <algorithm>
#include <iterator>
#include <memory>
#include <utility>

#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/error.hpp"
#include "core/http/redact.hpp"

namespace capi::dispatch {

std::uint64_t NextRequestId() noexcept {
	static std::uint64_t next = 0;
	return ++next;
}

DestinationPipeline::DestinationPipeline(Destination destination, const PlatformAdapter &adapter,
                                         PipelineSettings settings, std::uint64_t rng_seed)
    : destination_(std::move(destination)), adapter_(adapter), settings_(std::move(settings)),
      rng_(rng_seed) {}

void DestinationPipeline::Update(Destination destination, PipelineSettings settings) {
	destination_ = std::move(destination);
	settings_ = std::move(settings);
	generation_++;
	if (paused_until_ms_ != 0) {
		paused_until_ms_ = 0;
		pause_reason_.clear();
		pause_changed_ = true;
	}
}

std::size_t DestinationPipeline::BatchCap() const noexcept {
	const std::size_t cap = adapter_.MaxBatchSize();
	return settings_.batch_size == 0 || settings_.batch_size > cap ? cap : settings_.batch_size;
}

bool DestinationPipeline::WantsChunk(std::int64_t now_ms) const {
	return !Paused(now_ms) && chunks_.size() < std::max<std::size_t>(settings_.max_in_flight, 1);
}

void DestinationPipeline::AddChunk(std::uint64_t chunk_id, std::vector<OutboxEvent> events,
                                   std::int64_t now_ms) {
	Chunk &chunk = chunks_[chunk_id];
	chunk.events = std::move(events);
	chunk.result.chunk_id = chunk_id;
	chunk.result.events = chunk.events.size();

	// Group by the platform's key, keeping cursor order inside each group. An event the worker could
	// not read fails now, alone: it is never grouped, built or sent.
	std::map<std::string, std::vector<std::size_t>> groups;
	std::vector<std::string> order;
	for (std::size_t i = 0; i < chunk.events.size(); ++i) {
		if (!chunk.events[i].unreadable_reason.empty()) {
			FailEvents(chunk, {i}, "event could not be read: " + chunk.events[i].unreadable_reason, 0);
			continue;
		}
		std::string key = adapter_.GroupingKey(destination_, chunk.events[i]);
		auto [it, inserted] = groups.try_emplace(key);
		if (inserted)
			order.push_back(key);
		it->second.push_back(i);
	}
	const std::size_t cap = BatchCap();
	for (const std::string &key : order) {
		const std::vector<std::size_t> &members = groups[key];
		for (std::size_t start = 0; start < members.size(); start += cap) {
			const std::size_t end = std::min(members.size(), start + cap);
			Queue(chunk_id,
			      std::vector<std::size_t>(members.begin() + static_cast<std::ptrdiff_t>(start),
			                               members.begin() + static_cast<std::ptrdiff_t>(end)),
			      0, now_ms);
		}
	}
	if (chunk.open_requests == 0)
		CloseRequest(chunk_id); // an empty chunk settles at once
}

void DestinationPipeline::Queue(std::uint64_t chunk_id, std::vector<std::size_t> events, int attempts,
                                std::int64_t due_ms) {
	PendingRequest pending;
	pending.chunk_id = chunk_id;
	pending.events = std::move(events);
	pending.attempts = attempts;
	pending.due_ms = due_ms;
	chunks_[chunk_id].open_requests++;
	pending_.push_back(std::move(pending));
}

void DestinationPipeline::FailEvents(Chunk &chunk, const std::vector<std::size_t> &indexes,
                                     const std::string &reason, int attempts) {
	for (std::size_t index : indexes)
		chunk.result.failed.push_back(EventFailure{index, reason, attempts});
}

// One request of the chunk is finished; the chunk settles with its last one.
void DestinationPipeline::CloseRequest(std::uint64_t chunk_id) {
	auto it = chunks_.find(chunk_id);
	if (it == chunks_.end())
		return;
	Chunk &chunk = it->second;
	if (chunk.open_requests > 0)
		chunk.open_requests--;
	if (chunk.open_requests > 0)
		return;
	std::sort(chunk.result.failed.begin(), chunk.result.failed.end(),
	          [](const EventFailure &a, const EventFailure &b) { return a.index < b.index; });
	chunk.result.event_rows = std::move(chunk.events);
	settled_.push_back(std::move(chunk.result));
	retrying_.erase(chunk_id);
	chunks_.erase(it);
}

// Builds the HTTP request of a pending request; events the preflight refuses, or that the builder
// cannot take (it throws), fail now. nullopt when nothing is left to send (the request is then closed).
std::optional<http::Request> DestinationPipeline::Build(PendingRequest &pending, Chunk &chunk,
                                                        std::int64_t now_ms) {
	std::unique_ptr<RequestBuilder> builder;
	try {
		RequireAllowedEndpoint(destination_, adapter_, settings_.allowed_endpoint_hosts);
		builder = adapter_.StartRequest(destination_, {});
	} catch (const Error &error) {
		// The destination became invalid or its endpoint is no longer allowed: pause it rather than
		// failing its events.
		paused_until_ms_ = now_ms + settings_.auth_pause_ms;
		pause_reason_ = error.what();
		pause_changed_ = true;
		return std::nullopt;
	}
	std::vector<std::size_t> refused;
	for (bool complete = false; !complete;) {
		if (builder == nullptr)
			builder = adapter_.StartRequest(destination_, {});
		complete = true;
		pending.sent.clear();
		for (std::size_t index : pending.events) {
			if (std::find(refused.begin(), refused.end(), index) != refused.end())
				continue;
			std::optional<std::string> why;
			try {
				why = builder->Add(chunk.events[index], now_ms);
			} catch (const std::exception &error) {
				// The event cannot be built: it fails alone. The builder may hold part of it, so the
				// request is built again from the start without it.
				chunk.result.failed.push_back(EventFailure{
				    index, std::string("event could not be built: ") + error.what(), pending.attempts});
				refused.push_back(index);
				builder.reset();
				complete = false;
				break;
			}
			if (why) {
				chunk.result.failed.push_back(EventFailure{index, *why, pending.attempts});
				refused.push_back(index);
			} else {
				pending.sent.push_back(index);
			}
		}
	}
	if (!refused.empty()) {
		std::sort(refused.begin(), refused.end());
		std::vector<std::size_t> kept;
		std::set_difference(pending.events.begin(), pending.events.end(), refused.begin(), refused.end(),
		                    std::back_inserter(kept));
		pending.events = std::move(kept);
	}
	if (pending.sent.empty())
		return std::nullopt;
	HttpRequest built = builder->Finish();
	http::Request request;
	request.id = NextRequestId();
	request.url = std::move(built.url);
	request.headers = std::move(built.headers);
	request.body = std::move(built.body);
	request.timeout_ms = settings_.request_timeout_ms;
	request.secrets = std::move(built.secrets);
	return request;
}

std::vector<http::Request> DestinationPipeline::TakeRequests(std::int64_t now_ms) {
	std::vector<http::Request> requests;
	if (Paused(now_ms))
		return requests;
	const std::size_t limit = std::max<std::size_t>(settings_.max_in_flight, 1);
	for (std::size_t i = 0; i < pending_.size() && in_flight_ < limit;) {
		PendingRequest &pending = pending_[i];
		if (pending.due_ms > now_ms) {
			++i;
			continue;
		}
		PendingRequest taken = std::move(pending);
		pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
		Chunk &chunk = chunks_[taken.chunk_id];
		std::optional<http::Request> request = Build(taken, chunk, now_ms);
		if (!request) {
			// Events left but no request: the destination is invalid (paused by Build). Keep them, even
			// when the pause is already over (auth_pause_ms <= 0).
			if (!taken.events.empty()) {
				pending_.insert(pending_.begin() + static_cast<std::ptrdiff_t>(i), std::move(taken));
				break;
			}
			CloseRequest(taken.chunk_id);
			continue;
		}
		taken.attempts++;
		taken.in_flight = true;
		taken.request_id = request->id;
		taken.generation = generation_;
		taken.secrets = request->secrets;
		in_flight_requests_.emplace(request->id, std::move(taken));
		in_flight_++;
		requests.push_back(std::move(*request));
	}
	return requests;
}

bool DestinationPipeline::Owns(std::uint64_t request_id) const {
	return in_flight_requests_.count(request_id) != 0;
}

void DestinationPipeline::OnResponse(const http::Response &response, std::int64_t now_ms) {
	auto it = in_flight_requests_.find(response.id);
	if (it == in_flight_requests_.end())
		return;
	PendingRequest pending = std::move(it->second);
	in_flight_requests_.erase(it);
	in_flight_--;
	pending.in_flight = false;

	BatchOutcome outcome;
	if (response.error != http::TransportError::kNone) {
		outcome.kind = OutcomeKind::kRetry;
		outcome.message = response.error_text.empty() ? std::string(http::TransportErrorName(response.error))
		                                              : response.error_text;
	} else {
		ResponseHeaders headers;
		if (response.retry_after_seconds)
			headers.retry_after_ms = *response.retry_after_seconds * 1000;
		outcome =
		    adapter_.Classify(destination_, pending.sent.size(), response.status, response.body, headers);
		if (outcome.trace_id.empty())
			outcome.trace_id = response.request_id;
	}
	// Classify redacted the current credentials; the request may have carried older ones (Update).
	outcome.message = OutcomeMessage(outcome.message, pending.secrets);
	HandleOutcome(std::move(pending), outcome, now_ms);
}

void DestinationPipeline::Retry(PendingRequest pending, const std::string &error,
                                std::optional<std::int64_t> retry_after_ms, std::int64_t now_ms) {
	Chunk &chunk = chunks_[pending.chunk_id];
	chunk.result.last_error = error;
	chunk.result.attempts = std::max(chunk.result.attempts, pending.attempts);
	if (!ShouldRetry(pending.attempts, settings_.backoff.max_attempts)) {
		FailEvents(chunk, pending.events,
		           "gave up after " + std::to_string(pending.attempts) +
		               (pending.attempts == 1 ? " attempt: " : " attempts: ") + error,
		           pending.attempts);
		CloseRequest(pending.chunk_id);
		return;
	}
	const std::int64_t delay = RetryDelayMs(settings_.backoff, pending.attempts, retry_after_ms, rng_);
	pending.due_ms = now_ms + delay;
	RetryingChunk &retrying = retrying_[pending.chunk_id];
	retrying.chunk_id = pending.chunk_id;
	retrying.attempts = std::max(retrying.attempts, pending.attempts);
	retrying.last_error = error;
	retrying.next_attempt_ms = pending.due_ms;
	retrying_changed_.insert(pending.chunk_id);
	pending_.push_back(std::move(pending));
}

void DestinationPipeline::HandleOutcome(PendingRequest pending, const BatchOutcome &outcome,
                                        std::int64_t now_ms) {
	Chunk &chunk = chunks_[pending.chunk_id];
	switch (outcome.kind) {
	case OutcomeKind::kDelivered:
		chunk.result.attempts = std::max(chunk.result.attempts, pending.attempts);
		if (!outcome.trace_id.empty())
			chunk.result.trace_id = outcome.trace_id;
		CloseRequest(pending.chunk_id);
		return;
	case OutcomeKind::kRetry:
		Retry(std::move(pending), outcome.message, outcome.retry_after_ms, now_ms);
		return;
	case OutcomeKind::kRejectedBatch:
		chunk.result.attempts = std::max(chunk.result.attempts, pending.attempts);
		if (pending.sent.size() <= 1) {
			FailEvents(chunk, pending.sent, outcome.message, pending.attempts);
			CloseRequest(pending.chunk_id);
			return;
		}
		{
			// Split: each half is a new request, sent now; the culprits end up alone.
			const std::size_t half = pending.sent.size() / 2;
			std::vector<std::size_t> first(pending.sent.begin(),
			                               pending.sent.begin() + static_cast<std::ptrdiff_t>(half));
			std::vector<std::size_t> second(pending.sent.begin() + static_cast<std::ptrdiff_t>(half),
			                                pending.sent.end());
			Queue(pending.chunk_id, std::move(first), 0, now_ms);
			Queue(pending.chunk_id, std::move(second), 0, now_ms);
			CloseRequest(pending.chunk_id);
		}
		return;
	case OutcomeKind::kRejectedEvents: {
		chunk.result.attempts = std::max(chunk.result.attempts, pending.attempts);
		std::vector<std::size_t> bad;
		std::vector<std::size_t> rest;
		for (std::size_t position = 0; position < pending.sent.size(); ++position) {
			const bool is_bad =
			    std::binary_search(outcome.bad_indexes.begin(), outcome.bad_indexes.end(), position);
			(is_bad ? bad : rest).push_back(pending.sent[position]);
		}
		if (bad.empty()) { // the platform named nothing we sent: treat as a whole-batch rejection
			BatchOutcome whole = outcome;
			whole.kind = OutcomeKind::kRejectedBatch;
			HandleOutcome(std::move(pending), whole, now_ms);
			return;
		}
		FailEvents(chunk, bad, outcome.message, pending.attempts);
		if (!rest.empty())
			Queue(pending.chunk_id, std::move(rest), 0, now_ms);
		CloseRequest(pending.chunk_id);
		return;
	}
	case OutcomeKind::kAuthFailed:
	case OutcomeKind::kPermanent:
		// The destination, not the events, is wrong: hold everything and pause. The send does not
		// count as an attempt of these events. An answer to a request sent before Update says nothing
		// about the current destination: resend without a pause.
		if (pending.generation == generation_) {
			paused_until_ms_ = now_ms + settings_.auth_pause_ms;
			pause_reason_ = outcome.message;
			pause_changed_ = true;
		}
		chunk.result.last_error = outcome.message;
		pending.attempts = std::max(0, pending.attempts - 1);
		pending.due_ms = now_ms;
		pending_.insert(pending_.begin(), std::move(pending));
		return;
	}
}

std::vector<SettledChunk> DestinationPipeline::TakeSettled() {
	std::vector<SettledChunk> settled;
	settled.swap(settled_);
	return settled;
}

std::vector<RetryingChunk> DestinationPipeline::TakeRetrying() {
	std::vector<RetryingChunk> retrying;
	for (std::uint64_t chunk_id : retrying_changed_) {
		auto it = retrying_.find(chunk_id);
		if (it != retrying_.end())
			retrying.push_back(it->second);
	}
	retrying_changed_.clear();
	return retrying;
}

const std::vector<OutboxEvent> *DestinationPipeline::ChunkEvents(std::uint64_t chunk_id) const {
	auto it = chunks_.find(chunk_id);
	return it == chunks_.end() ? nullptr : &it->second.events;
}

std::optional<std::int64_t> DestinationPipeline::NextDueMs() const {
	if (in_flight_ >= std::max<std::size_t>(settings_.max_in_flight, 1))
		return std::nullopt; // only a response frees a slot
	std::optional<std::int64_t> next;
	for (const PendingRequest &pending : pending_) {
		const std::int64_t due = std::max(pending.due_ms, paused_until_ms_);
		if (!next || due < *next)
			next = due;
	}
	return next;
}

bool DestinationPipeline::TakePauseChanged() {
	const bool changed = pause_changed_;
	pause_changed_ = false;
	return changed;
}

} // namespace capi::dispatch
