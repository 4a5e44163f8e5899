// The delivery state machine of one destination, without PostgreSQL and without I/O.
//
// The worker reads chunks of outbox events (in cursor order), hands each to AddChunk, sends what
// TakeRequests returns with the HTTP client, feeds every response to OnResponse, and persists
// what TakeSettled / TakeRetrying report. The pipeline decides everything in between:
//   * requests of at most the platform's batch size, per grouping key;
//   * per-event preflight (RequestBuilder::Add) at every send: an event the platform would refuse
//     (Meta: older than 7 days) fails alone with the reason and never sinks its batch-mates; so does
//     an event the worker could not read (OutboxEvent::unreadable_reason) or the builder cannot take;
//   * a whole-batch rejection is split in halves until the culprits are isolated and failed alone;
//   * transient failures (transport errors, 429, 5xx, the platform's transient codes) are resent
//     after exponential backoff with jitter, honouring Retry-After, until the events are too old for
//     the platform (its adapter refuses them at the resend, or max_event_age_ms), or, when
//     max_attempts is set, after that many sends;
//   * an outage is not a data error: after circuit_failures transient failures in a row the circuit
//     opens: the destination pauses with the reason, one request of one event probes at growing
//     intervals (circuit_probe_min_ms doubling up to the backoff cap), and the first answer that is not
//     transient closes it; events burn no attempts while it is open;
//   * OAuth2 destinations: an access token is obtained before the first request, cached until
//     shortly before it expires, refreshed once when a request using it gets a 401; a refused grant
//     (invalid_grant) pauses the destination with the endpoint's words;
//   * a request-rate limit per destination (config.max_requests_per_second, else the platform's):
//     never more requests than that in any second. While no slot is free, no chunk is read, so the
//     next request takes every event committed meanwhile (up to the batch cap): batches grow under
//     load instead of requests piling up;
//   * an event not sent by design (consent, no mapping for its name) is skipped with the reason;
//   * invalid credentials, a credential file the worker could not use (credential_files.hpp), a
//     misconfigured account or an endpoint capi.allowed_endpoint_hosts does
//     not allow pause the whole destination (no retries are burnt); the pause ends after
//     auth_pause_ms or when the destination or the settings are updated.
// A chunk is settled when every one of its events was delivered or failed for good.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/backoff.hpp"
#include "core/http/request.hpp"

namespace capi::dispatch {

// What paused a destination (stored in capi.cursors.paused_by).
enum class PauseCause {
	kNone,
	kPlatform,      // the platform refused the destination (credentials, token grant, account, API
	                // version), or its token endpoint kept failing
	kConfiguration, // this side refuses: unusable credentials, endpoint not allowed, cannot be built
	kCircuit,       // transient failures in a row opened the circuit
};
// The capi.cursors.paused_by word of a cause ("" for kNone).
const char *PauseCauseName(PauseCause cause) noexcept;

struct PipelineSettings {
	std::size_t batch_size = 0;    // events per request; 0 or above the platform's cap = the cap
	std::size_t max_in_flight = 8; // requests of this destination in flight, and chunks held
	BackoffPolicy backoff;
	std::int64_t auth_pause_ms = 5 * 60 * 1000;
	int circuit_failures = 5;                 // transient failures in a row that open the circuit; 0 = never
	std::int64_t circuit_probe_min_ms = 5000; // the first probe's delay; doubles up to backoff.cap_ms
	// Transient failures are not retried for an event older than this (a platform's adapter usually
	// refuses such events sooner: Meta 7 days).
	std::int64_t max_event_age_ms = 90LL * 24 * 60 * 60 * 1000;
	long request_timeout_ms = 30000;
	// Transient failures in a row of the OAuth token request after which the destination pauses with
	// the last one's words; 0 = retried with backoff as long as it takes (the worker). capi.dry_run,
	// which must end, sets 1.
	int max_token_failures = 0;
	// capi.allowed_endpoint_hosts: checked before each request (endpoint_policy.hpp); a destination
	// whose endpoint it no longer allows is paused.
	std::string allowed_endpoint_hosts;
};

// Why an event failed, for capi.event_deliveries.failure_kind: capi.retry_failed() leaves permanent
// and local failures alone unless asked (resending the same data would fail the same way).
enum class FailureKind {
	kTransient, // gave up after transient errors, or aged out while being retried
	kPermanent, // the platform refused the event
	kLocal,     // refused before sending: unreadable, cannot be built, refused by the preflight
};

// "transient", "permanent" or "local".
const char *FailureKindName(FailureKind kind) noexcept;

// An event that will not be delivered, with the reason (the platform's words, redacted).
struct EventFailure {
	std::size_t index = 0; // position in the chunk
	std::string reason;
	int attempts = 0;     // sends that included it
	bool skipped = false; // not sent by design (Refusal::Skip): status 'skipped', not 'failed'
	FailureKind kind = FailureKind::kPermanent; // of a failure (not of a skip)
};

// Where the events of a chunk still held stand (DestinationPipeline::Progress): those that failed or
// were skipped so far, and those still waiting to be sent or answered. Every other event of the chunk
// was accepted by the platform.
struct ChunkProgress {
	std::vector<EventFailure> failed;
	std::vector<std::size_t> waiting; // positions in the chunk, ascending
};

struct SettledChunk {
	std::uint64_t chunk_id = 0;
	std::size_t events = 0;
	std::vector<OutboxEvent> event_rows; // the chunk's events, handed back (EventFailure::index refers here)
	std::vector<EventFailure> failed;    // failed or skipped; every other event was delivered
	int attempts = 0;                    // the most sends any of its requests needed
	std::string last_error;              // the last transient error seen, "" when none
	std::string trace_id;                // the platform's id of the last accepted request
};

// A chunk that has a request waiting to be resent: for the delivery status.
struct RetryingChunk {
	std::uint64_t chunk_id = 0;
	int attempts = 0;
	std::string last_error;
	std::int64_t next_attempt_ms = 0;
};

class DestinationPipeline {
public:
	// The adapter must outlive the pipeline.
	DestinationPipeline(Destination destination, const PlatformAdapter &adapter, PipelineSettings settings,
	                    std::uint64_t rng_seed);

	const Destination &destination() const noexcept { return destination_; }

	// New settings or a new row (config, credentials, endpoint): applies to requests built from now
	// on and ends a pause.
	void Update(Destination destination, PipelineSettings settings);

	// True when another chunk may be added now: not paused, fewer than max_in_flight held, and, for a
	// rate-limited destination, a request slot free now with no request already waiting for it.
	bool WantsChunk(std::int64_t now_ms) const;
	// When WantsChunk turns true by time alone (the next rate slot); nullopt when it does not wait on time.
	std::optional<std::int64_t> ChunkWantedAtMs(std::int64_t now_ms) const;
	// The request-rate limit in force (requests per second), 0 when none.
	double requests_per_second() const noexcept { return requests_per_second_; }
	std::size_t ChunksHeld() const noexcept { return chunks_.size(); }
	std::size_t InFlight() const noexcept { return in_flight_; }

	// Takes the chunk's events (in cursor order). chunk_id is the caller's, unique.
	void AddChunk(std::uint64_t chunk_id, std::vector<OutboxEvent> events, std::int64_t now_ms);

	// Requests due now, up to the in-flight limit. Each carries a fresh id (Request::id) that the
	// response must echo. Events refused by the platform's preflight fail here, alone.
	std::vector<http::Request> TakeRequests(std::int64_t now_ms);

	// True when the response belongs to this pipeline (an id TakeRequests gave and not yet answered).
	bool Owns(std::uint64_t request_id) const;
	void OnResponse(const http::Response &response, std::int64_t now_ms);

	std::vector<SettledChunk> TakeSettled();
	std::vector<RetryingChunk> TakeRetrying();

	// The events of a chunk still held (for the caller's bookkeeping of failures).
	const std::vector<OutboxEvent> *ChunkEvents(std::uint64_t chunk_id) const;
	// How far a chunk still held has got; nullopt once it settled (TakeSettled has it) or when unknown.
	std::optional<ChunkProgress> Progress(std::uint64_t chunk_id) const;

	// When something becomes due without any response arriving (a retry, the end of a pause);
	// nullopt when nothing is waiting on time.
	std::optional<std::int64_t> NextDueMs() const;

	bool Paused(std::int64_t now_ms) const noexcept { return now_ms < paused_until_ms_; }
	bool circuit_open() const noexcept { return circuit_.open; }
	std::int64_t paused_until_ms() const noexcept { return paused_until_ms_; }
	const std::string &pause_reason() const noexcept { return pause_reason_; }
	PauseCause pause_cause() const noexcept { return pause_cause_; }
	// True once after the pause state changed (to persist it).
	bool TakePauseChanged();

private:
	struct Chunk {
		std::vector<OutboxEvent> events;
		std::size_t open_requests = 0;
		SettledChunk result;
	};
	struct PendingRequest {
		std::uint64_t chunk_id = 0;
		std::vector<std::size_t> events; // indexes into the chunk, in order
		std::vector<std::size_t> sent;   // the events of the request in flight (Add accepted them)
		int attempts = 0;                // sends so far
		std::int64_t due_ms = 0;
		bool in_flight = false;
		std::uint64_t request_id = 0;
		std::uint64_t generation = 0;            // generation_ when it was sent
		std::vector<std::string> secrets;        // of the request sent: scrubbed from what its answer says
		std::vector<std::size_t> element_events; // HttpRequest::element_events of the request sent
		std::uint64_t token_serial = 0;          // the OAuth token it carried (TokenCache::serial)
	};
	// The OAuth2 access token of the destination (oauth.hpp), when it uses one.
	struct TokenCache {
		bool used = false; // the destination's credentials are a refresh grant
		std::string access_token;
		std::int64_t refresh_at_ms = 0;  // refreshed from then on (shortly before it expires)
		std::uint64_t serial = 0;        // counts tokens obtained
		bool after_auth_failure = false; // obtained because a request got a 401: another 401 pauses
		bool wanted_after_auth_failure = false;
		std::uint64_t request_id = 0; // the token request in flight, 0 when none
		std::int64_t due_ms = 0;      // the next token request not before
		int failures = 0;             // transient failures in a row
		std::vector<std::string> secrets;
	};

	std::size_t BatchCap() const noexcept;
	void ReadDestinationLimits();
	void Pause(std::int64_t now_ms, PauseCause cause, std::string reason);
	// The OAuth token request when a token is needed now and none is being fetched.
	std::optional<http::Request> TakeTokenRequest(std::int64_t now_ms);
	void OnTokenResponse(const http::Response &response, std::int64_t now_ms);
	bool TokenReady(std::int64_t now_ms) const;
	// Rate limit: when the next request may be sent (now_ms when a slot is free).
	std::int64_t SlotFreeAtMs(std::int64_t now_ms) const;
	std::int64_t ReadFreeAtMs(std::int64_t now_ms) const;
	bool RequestWaitingForSlot(std::int64_t now_ms) const;
	void Queue(std::uint64_t chunk_id, std::vector<std::size_t> events, int attempts, std::int64_t due_ms);
	void FailEvents(Chunk &chunk, const std::vector<std::size_t> &indexes, const std::string &reason,
	                int attempts, FailureKind kind);
	void CloseRequest(std::uint64_t chunk_id);
	std::optional<http::Request> Build(PendingRequest &pending, Chunk &chunk, std::int64_t now_ms);
	void HandleOutcome(PendingRequest pending, const BatchOutcome &outcome, std::int64_t now_ms);
	void Retry(PendingRequest pending, const std::string &error, std::optional<std::int64_t> retry_after_ms,
	           std::int64_t now_ms);

	Destination destination_;
	std::uint64_t generation_ = 0; // counts Update calls
	const PlatformAdapter &adapter_;
	PipelineSettings settings_;
	std::mt19937_64 rng_;
	std::map<std::uint64_t, Chunk> chunks_;
	std::vector<PendingRequest> pending_; // not in flight, in due order of arrival
	std::map<std::uint64_t, PendingRequest> in_flight_requests_;
	std::size_t in_flight_ = 0;
	std::vector<SettledChunk> settled_;
	std::map<std::uint64_t, RetryingChunk> retrying_;
	std::set<std::uint64_t> retrying_changed_; // reported by the next TakeRetrying
	std::int64_t paused_until_ms_ = 0;
	std::string pause_reason_;
	PauseCause pause_cause_ = PauseCause::kNone;
	bool pause_changed_ = false;
	TokenCache token_;
	// The destination's circuit (transient failures in a row).
	struct Circuit {
		int failures_in_a_row = 0;
		bool open = false;
		std::int64_t probe_interval_ms = 0;
		std::uint64_t probe_request_id = 0; // the probe in flight, 0 when none
	};
	Circuit circuit_;
	void OnTransientFailure(const std::string &error, bool probe, std::int64_t now_ms);
	double requests_per_second_ = 0;
	struct RateSlot {
		std::uint64_t request_id = 0;
		std::int64_t until_ms = 0; // one window after the answer; int64 max while in flight
	};
	std::vector<RateSlot> rate_slots_;
	std::int64_t last_send_ms_ = 0; // of the last data request, under a rate limit
	std::size_t RequestsPerWindow() const noexcept;
	std::int64_t RateWindowMs() const noexcept;
};

// Request ids are unique across every pipeline of the process.
std::uint64_t NextRequestId() noexcept;

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
