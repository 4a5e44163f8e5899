#include "core/dispatch/pipeline.hpp"

#include <algorithm>
#include <iterator>
#include <limits>
#include <memory>
#include <utility>

#include "core/dispatch/common_settings.hpp"
#include "core/dispatch/credential_files.hpp"
#include "core/dispatch/endpoint_policy.hpp"
#include "core/dispatch/oauth.hpp"
#include "core/dispatch/message_text.hpp"
#include "core/error.hpp"
#include "core/http/redact.hpp"

namespace capi::dispatch {

namespace {

// A cached OAuth token is refreshed this long before it expires (or at half its life when shorter).
constexpr std::int64_t kTokenRefreshMarginMs = 60 * 1000;
// The rate window is a little longer than a second, so that jitter between our clock and the
// platform's never puts one request too many into one of its seconds.
constexpr std::int64_t kRateWindowSlackMs = 20;
// The end of a rate slot whose request has not been answered yet.
constexpr std::int64_t kNoSlotYet = std::numeric_limits<std::int64_t>::max();

// Element indexes (several per event) to event positions: an event fails when any of its elements did.
void MapElementsToEvents(BatchOutcome &outcome, const std::vector<std::size_t> &element_events) {
	std::map<std::size_t, std::string> events;
	for (std::size_t i = 0; i < outcome.bad_indexes.size(); ++i) {
		const std::size_t element = outcome.bad_indexes[i];
		if (element >= element_events.size())
			continue;
		std::string message = i < outcome.bad_messages.size() ? outcome.bad_messages[i] : outcome.message;
		events.emplace(element_events[element], std::move(message));
	}
	outcome.bad_indexes.clear();
	outcome.bad_messages.clear();
	for (auto &[event, message] : events) {
		outcome.bad_indexes.push_back(event);
		outcome.bad_messages.push_back(std::move(message));
	}
}

} // namespace

std::uint64_t NextRequestId() noexcept {
	static std::uint64_t next = 0;
	return ++next;
}

DestinationPipeline::DestinationPipeline(Destination destination, const PlatformAdapter &adapter,
                                         PipelineSettings settings, std::uint64_t rng_seed)
    : destination_(std::move(destination)), adapter_(adapter), settings_(std::move(settings)),
      rng_(rng_seed) {
	ReadDestinationLimits();
}

// What the pipeline itself reads of the destination: its rate limit and whether it uses OAuth. An
// invalid destination is paused when a request is built (Build), not here.
void DestinationPipeline::ReadDestinationLimits() {
	requests_per_second_ = adapter_.DefaultRequestsPerSecond();
	bool uses_oauth = false;
	try {
		CommonSettings common = ReadCommonSettings(destination_);
		if (common.max_requests_per_second)
			requests_per_second_ = *common.max_requests_per_second;
		uses_oauth = adapter_.TokenRequest(destination_, {}).has_value();
	} catch (const Error &) {
	}
	if (!uses_oauth || !token_.used) {
		const std::uint64_t serial = token_.serial;
		token_ = TokenCache();
		token_.serial = serial;
	}
	token_.used = uses_oauth;
}

void DestinationPipeline::Update(Destination destination, PipelineSettings settings) {
	const bool credentials_changed =
	    destination.credentials_json != destination_.credentials_json ||
	    destination.credentials_unavailable != destination_.credentials_unavailable ||
	    destination.endpoint_override != destination_.endpoint_override;
	destination_ = std::move(destination);
	settings_ = std::move(settings);
	generation_++;
	if (credentials_changed) { // a new grant: the cached token and a fetch in flight are the old one's
		const std::uint64_t serial = token_.serial;
		token_ = TokenCache();
		token_.serial = serial;
	}
	ReadDestinationLimits();
	if (paused_until_ms_ != 0) {
		paused_until_ms_ = 0;
		pause_reason_.clear();
		pause_cause_ = PauseCause::kNone;
		pause_changed_ = true;
	}
}

const char *PauseCauseName(PauseCause cause) noexcept {
	switch (cause) {
	case PauseCause::kPlatform:
		return "platform";
	case PauseCause::kConfiguration:
		return "configuration";
	case PauseCause::kCircuit:
		return "circuit";
	case PauseCause::kNone:
		break;
	}
	return "";
}

void DestinationPipeline::Pause(std::int64_t now_ms, PauseCause cause, std::string reason) {
	paused_until_ms_ = now_ms + settings_.auth_pause_ms;
	pause_reason_ = std::move(reason);
	pause_cause_ = cause;
	pause_changed_ = true;
}

std::size_t DestinationPipeline::RequestsPerWindow() const noexcept {
	// At least one request per window; a limit below 1/s widens the window instead.
	return static_cast<std::size_t>(requests_per_second_ >= 1 ? requests_per_second_ : 1.0);
}

std::int64_t DestinationPipeline::RateWindowMs() const noexcept {
	const double per_window = requests_per_second_ >= 1 ? requests_per_second_ : 1.0;
	return static_cast<std::int64_t>(1000.0 * per_window / requests_per_second_) + kRateWindowSlackMs;
}

// A request occupies a slot from its send until one window after its answer: it reached the
// platform before its answer came, so no later request can land in the same window on the
// platform's clock, whatever the network delays. Requests without an answer yet occupy theirs.
std::int64_t DestinationPipeline::SlotFreeAtMs(std::int64_t now_ms) const {
	if (requests_per_second_ <= 0)
		return now_ms;
	std::vector<std::int64_t> occupied;
	for (const RateSlot &slot : rate_slots_)
		if (slot.until_ms > now_ms)
			occupied.push_back(slot.until_ms);
	const std::size_t max_in_window = RequestsPerWindow();
	if (occupied.size() < max_in_window)
		return now_ms;
	std::sort(occupied.begin(), occupied.end());
	return occupied[occupied.size() - max_in_window]; // kNoSlotYet while it is still in flight
}

// When the next read may happen: at a free slot, and not sooner than 1/rate after the last send, so
// that a steady load is spread over the second (each request takes what came in during 1/rate)
// instead of a burst of small requests followed by one that waited the whole second.
std::int64_t DestinationPipeline::ReadFreeAtMs(std::int64_t now_ms) const {
	std::int64_t at = SlotFreeAtMs(now_ms);
	if (requests_per_second_ > 0 && last_send_ms_ != 0)
		at = std::max(at, last_send_ms_ + static_cast<std::int64_t>(1000.0 / requests_per_second_));
	return at;
}

bool DestinationPipeline::RequestWaitingForSlot(std::int64_t now_ms) const {
	if (requests_per_second_ <= 0)
		return false;
	for (const PendingRequest &pending : pending_)
		if (pending.due_ms <= now_ms)
			return true;
	return false;
}

std::size_t DestinationPipeline::BatchCap() const noexcept {
	const std::size_t cap = adapter_.MaxBatchSize();
	return settings_.batch_size == 0 || settings_.batch_size > cap ? cap : settings_.batch_size;
}

bool DestinationPipeline::WantsChunk(std::int64_t now_ms) const {
	if (Paused(now_ms) || chunks_.size() >= std::max<std::size_t>(settings_.max_in_flight, 1))
		return false;
	if (requests_per_second_ > 0 && (ReadFreeAtMs(now_ms) > now_ms || RequestWaitingForSlot(now_ms)))
		return false; // the next read, at the slot, takes everything committed until then
	return true;
}

std::optional<std::int64_t> DestinationPipeline::ChunkWantedAtMs(std::int64_t now_ms) const {
	if (Paused(now_ms) || chunks_.size() >= std::max<std::size_t>(settings_.max_in_flight, 1) ||
	    requests_per_second_ <= 0 || RequestWaitingForSlot(now_ms))
		return std::nullopt;
	const std::int64_t slot = ReadFreeAtMs(now_ms);
	return slot > now_ms ? std::optional<std::int64_t>(slot) : std::nullopt;
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
			FailEvents(chunk, {i}, "event could not be read: " + chunk.events[i].unreadable_reason, 0,
			           FailureKind::kLocal);
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
                                     const std::string &reason, int attempts, FailureKind kind) {
	for (std::size_t index : indexes)
		chunk.result.failed.push_back(EventFailure{index, reason, attempts, false, kind});
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
	const RequestContext context{std::string_view(),
	                             token_.used ? std::string_view(token_.access_token) : std::string_view()};
	try {
		RequireCredentialsAvailable(destination_);
		RequireAllowedEndpoint(destination_, adapter_, settings_.allowed_endpoint_hosts);
		builder = adapter_.StartRequest(destination_, context);
	} catch (const Error &error) {
		// The destination became invalid or its endpoint is no longer allowed: pause it rather than
		// failing its events.
		Pause(now_ms, PauseCause::kConfiguration, error.what());
		return std::nullopt;
	}
	std::vector<std::size_t> refused;
	std::vector<std::size_t> overflow; // did not fit (the builder was full()): a request of their own
	for (bool complete = false; !complete;) {
		if (builder == nullptr)
			builder = adapter_.StartRequest(destination_, context);
		complete = true;
		pending.sent.clear();
		overflow.clear();
		for (std::size_t index : pending.events) {
			if (std::find(refused.begin(), refused.end(), index) != refused.end())
				continue;
			if (builder->full()) { // LinkedIn: an event is several elements, the cap counts elements
				overflow.push_back(index);
				continue;
			}
			std::optional<Refusal> why;
			try {
				const std::int64_t age_ms = now_ms - chunk.events[index].event_time_ms;
				if (pending.attempts > 0 && chunk.events[index].event_time_ms > 0 &&
				    age_ms > settings_.max_event_age_ms)
					why = Refusal("event_time is " + std::to_string(age_ms / (24LL * 3600 * 1000)) +
					              " days old: no more retries");
				else
					why = builder->Add(chunk.events[index], now_ms);
				// An event that aged out while retrying: say what kept it from being delivered.
				if (why && !why->skip && pending.attempts > 0 && !chunk.result.last_error.empty())
					why->reason += " (it was being retried after: " + chunk.result.last_error + ")";
			} catch (const std::exception &error) {
				// The event cannot be built: it fails alone. The builder may hold part of it, so the
				// request is built again from the start without it.
				chunk.result.failed.push_back(
				    EventFailure{index, std::string("event could not be built: ") + error.what(),
				                 pending.attempts, false, FailureKind::kLocal});
				refused.push_back(index);
				builder.reset();
				complete = false;
				break;
			}
			if (why) {
				// Refused at a resend: it aged out while being retried (transient); else before any send.
				chunk.result.failed.push_back(
				    EventFailure{index, std::move(why->reason), why->skip ? 0 : pending.attempts, why->skip,
				                 pending.attempts > 0 ? FailureKind::kTransient : FailureKind::kLocal});
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
	if (!overflow.empty()) {
		std::vector<std::size_t> kept;
		std::set_difference(pending.events.begin(), pending.events.end(), overflow.begin(), overflow.end(),
		                    std::back_inserter(kept));
		pending.events = std::move(kept);
		Queue(pending.chunk_id, std::move(overflow), pending.attempts, now_ms);
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
	pending.element_events = std::move(built.element_events);
	return request;
}

std::vector<http::Request> DestinationPipeline::TakeRequests(std::int64_t now_ms) {
	std::vector<http::Request> requests;
	if (Paused(now_ms))
		return requests;
	if (token_.used && !TokenReady(now_ms)) {
		if (pending_.empty())
			return requests; // no token is fetched before there is something to send
		if (std::optional<http::Request> token_request = TakeTokenRequest(now_ms))
			requests.push_back(std::move(*token_request));
		return requests; // data requests wait for the token
	}
	// An open circuit sends one probe of one event at a time.
	const std::size_t limit = circuit_.open ? (circuit_.probe_request_id != 0 ? 0 : 1)
	                                        : std::max<std::size_t>(settings_.max_in_flight, 1);
	for (std::size_t i = 0; i < pending_.size() && in_flight_ < limit && requests.size() < limit;) {
		PendingRequest &pending = pending_[i];
		if (pending.due_ms > now_ms) {
			++i;
			continue;
		}
		if (SlotFreeAtMs(now_ms) > now_ms)
			break;
		PendingRequest taken = std::move(pending);
		pending_.erase(pending_.begin() + static_cast<std::ptrdiff_t>(i));
		if (circuit_.open && taken.events.size() > 1) { // the probe is small: the others wait
			PendingRequest rest = taken;
			rest.events.erase(rest.events.begin());
			taken.events.resize(1);
			chunks_[taken.chunk_id].open_requests++;
			pending_.insert(pending_.begin() + static_cast<std::ptrdiff_t>(i), std::move(rest));
		}
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
		taken.token_serial = token_.serial;
		if (circuit_.open)
			circuit_.probe_request_id = request->id;
		if (requests_per_second_ > 0) {
			rate_slots_.erase(std::remove_if(rate_slots_.begin(), rate_slots_.end(),
			                                 [&](const RateSlot &slot) { return slot.until_ms <= now_ms; }),
			                  rate_slots_.end());
			rate_slots_.push_back(RateSlot{request->id, kNoSlotYet});
			last_send_ms_ = now_ms;
		}
		in_flight_requests_.emplace(request->id, std::move(taken));
		in_flight_++;
		requests.push_back(std::move(*request));
	}
	return requests;
}

bool DestinationPipeline::TokenReady(std::int64_t now_ms) const {
	return !token_.access_token.empty() && now_ms < token_.refresh_at_ms;
}

std::optional<http::Request> DestinationPipeline::TakeTokenRequest(std::int64_t now_ms) {
	if (token_.request_id != 0 || now_ms < token_.due_ms)
		return std::nullopt;
	std::optional<HttpRequest> built;
	try {
		RequireCredentialsAvailable(destination_);
		RequireAllowedEndpoint(destination_, adapter_, settings_.allowed_endpoint_hosts);
		built = adapter_.TokenRequest(destination_, {});
	} catch (const Error &error) {
		Pause(now_ms, PauseCause::kConfiguration, error.what());
		return std::nullopt;
	}
	if (!built) { // the credentials changed to a static token: Update resets the cache
		token_.used = false;
		return std::nullopt;
	}
	http::Request request;
	request.id = NextRequestId();
	request.url = std::move(built->url);
	request.headers = std::move(built->headers);
	request.body = std::move(built->body);
	request.timeout_ms = settings_.request_timeout_ms;
	request.secrets = std::move(built->secrets);
	token_.secrets = request.secrets;
	token_.request_id = request.id;
	return request;
}

void DestinationPipeline::OnTokenResponse(const http::Response &response, std::int64_t now_ms) {
	token_.request_id = 0;
	TokenReply reply;
	if (response.error != http::TransportError::kNone) {
		reply.message = "OAuth token refresh failed: " +
		                (response.error_text.empty() ? std::string(http::TransportErrorName(response.error))
		                                             : response.error_text);
	} else {
		reply = ReadTokenReply(response.status, response.body);
		if (response.retry_after_seconds)
			reply.retry_after_ms = *response.retry_after_seconds * 1000;
	}
	std::vector<std::string> secrets = token_.secrets;
	if (reply.kind == TokenReply::Kind::kToken)
		secrets.push_back(reply.access_token);
	const std::string message = OutcomeMessage(reply.message, secrets);
	switch (reply.kind) {
	case TokenReply::Kind::kToken: {
		const std::int64_t lifetime_ms = std::max<std::int64_t>(reply.expires_in_s, 1) * 1000;
		token_.access_token = std::move(reply.access_token);
		token_.refresh_at_ms = now_ms + std::max(lifetime_ms - kTokenRefreshMarginMs, lifetime_ms / 2);
		token_.serial++;
		token_.after_auth_failure = token_.wanted_after_auth_failure;
		token_.wanted_after_auth_failure = false;
		token_.failures = 0;
		return;
	}
	case TokenReply::Kind::kRejected:
		// Nothing but a person can fix the grant: pause, and ask for a token once per pause (no storm).
		Pause(now_ms, PauseCause::kPlatform, message);
		token_.wanted_after_auth_failure = false;
		return;
	case TokenReply::Kind::kRetry:
		token_.failures++;
		if (settings_.max_token_failures > 0 && token_.failures >= settings_.max_token_failures) {
			Pause(now_ms, PauseCause::kPlatform, message);
			token_.failures = 0;
			return;
		}
		token_.due_ms = now_ms + RetryDelayMs(settings_.backoff, token_.failures, reply.retry_after_ms, rng_);
		// Shown where a retrying batch shows its error: on the chunks waiting for the token.
		for (auto &[chunk_id, chunk] : chunks_)
			chunk.result.last_error = message;
		return;
	}
}

bool DestinationPipeline::Owns(std::uint64_t request_id) const {
	return in_flight_requests_.count(request_id) != 0 ||
	       (token_.request_id != 0 && token_.request_id == request_id);
}

void DestinationPipeline::OnResponse(const http::Response &response, std::int64_t now_ms) {
	if (token_.request_id != 0 && response.id == token_.request_id) {
		OnTokenResponse(response, now_ms);
		return;
	}
	auto it = in_flight_requests_.find(response.id);
	if (it == in_flight_requests_.end())
		return;
	for (RateSlot &slot : rate_slots_)
		if (slot.request_id == response.id)
			slot.until_ms = now_ms + RateWindowMs();
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
		const std::size_t elements =
		    pending.element_events.empty() ? pending.sent.size() : pending.element_events.size();
		outcome = adapter_.Classify(destination_, elements, response.status, response.body, headers);
		if (outcome.trace_id.empty())
			outcome.trace_id = response.request_id;
		if (!pending.element_events.empty())
			MapElementsToEvents(outcome, pending.element_events);
	}
	// Classify redacted the current credentials; the request may have carried older ones (Update).
	outcome.message = OutcomeMessage(outcome.message, pending.secrets);
	for (std::string &message : outcome.bad_messages)
		message = OutcomeMessage(message, pending.secrets);
	const bool probe = circuit_.probe_request_id != 0 && circuit_.probe_request_id == response.id;
	if (probe)
		circuit_.probe_request_id = 0;
	if (outcome.kind == OutcomeKind::kRetry) {
		if (circuit_.open) // the outage goes on: the probe costs its event no attempt
			pending.attempts = std::max(0, pending.attempts - 1);
		OnTransientFailure(outcome.message, probe, now_ms);
	} else {
		circuit_.failures_in_a_row = 0;
		if (circuit_.open) { // the platform answers again: close the circuit and end the pause
			circuit_.open = false;
			if (paused_until_ms_ != 0) {
				paused_until_ms_ = 0;
				pause_reason_.clear();
				pause_cause_ = PauseCause::kNone;
				pause_changed_ = true;
			}
		}
	}
	HandleOutcome(std::move(pending), outcome, now_ms);
}

void DestinationPipeline::OnTransientFailure(const std::string &error, bool probe, std::int64_t now_ms) {
	circuit_.failures_in_a_row++;
	if (settings_.circuit_failures <= 0)
		return;
	if (circuit_.open && !probe)
		return; // a request sent before the circuit opened: the pause stands as it is
	if (!circuit_.open) {
		if (circuit_.failures_in_a_row < settings_.circuit_failures)
			return;
		circuit_.open = true;
		circuit_.probe_interval_ms = std::max<std::int64_t>(settings_.circuit_probe_min_ms, 1);
	} else {
		circuit_.probe_interval_ms =
		    std::min(circuit_.probe_interval_ms * 2,
		             std::max(settings_.backoff.cap_ms, settings_.circuit_probe_min_ms));
	}
	paused_until_ms_ = now_ms + circuit_.probe_interval_ms;
	pause_cause_ = PauseCause::kCircuit; // capi.cursors.paused_by: capi.stats reads circuit_open from it
	pause_reason_ = "circuit open after " + std::to_string(circuit_.failures_in_a_row) +
	                " transient failures in a row (last: " + error + "); probing with one event every " +
	                std::to_string(circuit_.probe_interval_ms / 1000) + " s";
	pause_changed_ = true;
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
		           pending.attempts, FailureKind::kTransient);
		CloseRequest(pending.chunk_id);
		return;
	}
	const std::int64_t delay =
	    RetryDelayMs(settings_.backoff, std::max(pending.attempts, 1), retry_after_ms, rng_);
	pending.due_ms = circuit_.open ? std::max(now_ms, paused_until_ms_) : now_ms + delay;
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
		if (pending.token_serial == token_.serial)
			token_.after_auth_failure = false; // the token works: a later 401 may refresh again
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
			FailEvents(chunk, pending.sent, outcome.message, pending.attempts, FailureKind::kPermanent);
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
	case OutcomeKind::kRejectedEvents:
	case OutcomeKind::kPartial: {
		chunk.result.attempts = std::max(chunk.result.attempts, pending.attempts);
		std::vector<std::size_t> rest;
		bool named = false;
		for (std::size_t position = 0; position < pending.sent.size(); ++position) {
			auto found = std::lower_bound(outcome.bad_indexes.begin(), outcome.bad_indexes.end(), position);
			if (found == outcome.bad_indexes.end() || *found != position) {
				rest.push_back(pending.sent[position]);
				continue;
			}
			named = true;
			const std::size_t k = static_cast<std::size_t>(found - outcome.bad_indexes.begin());
			const std::string &reason = k < outcome.bad_messages.size() && !outcome.bad_messages[k].empty()
			                                ? outcome.bad_messages[k]
			                                : outcome.message;
			chunk.result.failed.push_back(EventFailure{pending.sent[position], reason, pending.attempts,
			                                           false, FailureKind::kPermanent});
		}
		if (!named) {
			if (outcome.kind == OutcomeKind::kPartial) { // a success naming nothing we sent
				if (!outcome.trace_id.empty())
					chunk.result.trace_id = outcome.trace_id;
				CloseRequest(pending.chunk_id);
				return;
			}
			BatchOutcome whole = outcome; // named nothing we sent: treat as a whole-batch rejection
			whole.kind = OutcomeKind::kRejectedBatch;
			HandleOutcome(std::move(pending), whole, now_ms);
			return;
		}
		if (outcome.kind == OutcomeKind::kPartial) { // the others were accepted
			if (!outcome.trace_id.empty())
				chunk.result.trace_id = outcome.trace_id;
		} else if (!rest.empty()) {
			Queue(pending.chunk_id, std::move(rest), 0, now_ms);
		}
		CloseRequest(pending.chunk_id);
		return;
	}
	case OutcomeKind::kAuthFailed:
		if (token_.used && pending.generation == generation_) {
			// OAuth: a token may be revoked or expire early. Refresh once and resend without counting
			// the attempt; a 401 with a token fetched because of a 401 pauses (below).
			if (pending.token_serial < token_.serial || !token_.after_auth_failure) {
				if (pending.token_serial == token_.serial) {
					token_.access_token.clear();
					token_.refresh_at_ms = 0;
					token_.wanted_after_auth_failure = true;
				}
				chunk.result.last_error = outcome.message;
				pending.attempts = std::max(0, pending.attempts - 1);
				pending.due_ms = now_ms;
				pending_.insert(pending_.begin(), std::move(pending));
				return;
			}
		}
		[[fallthrough]];
	case OutcomeKind::kPermanent:
		// The destination, not the events, is wrong: hold everything and pause. The send does not
		// count as an attempt of these events. An answer to a request sent before Update says nothing
		// about the current destination: resend without a pause.
		if (pending.generation == generation_)
			Pause(now_ms, PauseCause::kPlatform, outcome.message);
		chunk.result.last_error = outcome.message;
		pending.attempts = std::max(0, pending.attempts - 1);
		pending.due_ms = now_ms;
		pending_.insert(pending_.begin(), std::move(pending));
		return;
	}
}

const char *FailureKindName(FailureKind kind) noexcept {
	switch (kind) {
	case FailureKind::kTransient:
		return "transient";
	case FailureKind::kLocal:
		return "local";
	case FailureKind::kPermanent:
		break;
	}
	return "permanent";
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

std::optional<ChunkProgress> DestinationPipeline::Progress(std::uint64_t chunk_id) const {
	auto it = chunks_.find(chunk_id);
	if (it == chunks_.end())
		return std::nullopt;
	ChunkProgress progress;
	progress.failed = it->second.result.failed;
	for (const PendingRequest &pending : pending_)
		if (pending.chunk_id == chunk_id)
			progress.waiting.insert(progress.waiting.end(), pending.events.begin(), pending.events.end());
	for (const auto &[request_id, pending] : in_flight_requests_)
		if (pending.chunk_id == chunk_id)
			progress.waiting.insert(progress.waiting.end(), pending.events.begin(), pending.events.end());
	std::sort(progress.waiting.begin(), progress.waiting.end());
	progress.waiting.erase(std::unique(progress.waiting.begin(), progress.waiting.end()),
	                       progress.waiting.end());
	return progress;
}

std::optional<std::int64_t> DestinationPipeline::NextDueMs() const {
	if (in_flight_ >= std::max<std::size_t>(settings_.max_in_flight, 1))
		return std::nullopt; // only a response frees a slot
	if (token_.used && token_.request_id != 0)
		return std::nullopt; // only the token's answer lets requests go
	std::optional<std::int64_t> next;
	const std::int64_t token_due = token_.used && token_.access_token.empty() ? token_.due_ms : 0;
	for (const PendingRequest &pending : pending_) {
		const std::int64_t due =
		    std::max({pending.due_ms, paused_until_ms_, token_due, SlotFreeAtMs(pending.due_ms)});
		if (!next || due < *next)
			next = due;
	}
	if (token_.used && !token_.access_token.empty() && !pending_.empty())
		next =
		    next ? std::min(*next, std::max(token_.refresh_at_ms, paused_until_ms_)) : token_.refresh_at_ms;
	return next;
}

bool DestinationPipeline::TakePauseChanged() {
	const bool changed = pause_changed_;
	pause_changed_ = false;
	return changed;
}

} // namespace capi::dispatch
