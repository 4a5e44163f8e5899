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
//     after exponential backoff with jitter, honouring Retry-After, up to max_attempts sends;
//   * invalid credentials, a misconfigured account or an endpoint capi.allowed_endpoint_hosts does
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

struct PipelineSettings {
	std::size_t batch_size = 0;    // events per request; 0 or above the platform's cap = the cap
	std::size_t max_in_flight = 8; // requests of this destination in flight, and chunks held
	BackoffPolicy backoff;
	std::int64_t auth_pause_ms = 5 * 60 * 1000;
	long request_timeout_ms = 30000;
	// capi.allowed_endpoint_hosts: checked before each request (endpoint_policy.hpp); a destination
	// whose endpoint it no longer allows is paused.
	std::string allowed_endpoint_hosts;
};

// An event that will not be delivered, with the reason (the platform's words, redacted).
struct EventFailure {
	std::size_t index = 0; // position in the chunk
	std::string reason;
	int attempts = 0; // sends that included it
};

struct SettledChunk {
	std::uint64_t chunk_id = 0;
	std::size_t events = 0;
	std::vector<OutboxEvent> event_rows; // the chunk's events, handed back (EventFailure::index refers here)
	std::vector<EventFailure> failed;    // every other event was delivered
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

	// True when another chunk may be added now: not paused and fewer than max_in_flight held.
	bool WantsChunk(std::int64_t now_ms) const;
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

	// When something becomes due without any response arriving (a retry, the end of a pause);
	// nullopt when nothing is waiting on time.
	std::optional<std::int64_t> NextDueMs() const;

	bool Paused(std::int64_t now_ms) const noexcept { return now_ms < paused_until_ms_; }
	std::int64_t paused_until_ms() const noexcept { return paused_until_ms_; }
	const std::string &pause_reason() const noexcept { return pause_reason_; }
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
		std::uint64_t generation = 0;     // generation_ when it was sent
		std::vector<std::string> secrets; // of the request sent: scrubbed from what its answer says
	};

	std::size_t BatchCap() const noexcept;
	void Queue(std::uint64_t chunk_id, std::vector<std::size_t> events, int attempts, std::int64_t due_ms);
	void FailEvents(Chunk &chunk, const std::vector<std::size_t> &indexes, const std::string &reason,
	                int attempts);
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
	bool pause_changed_ = false;
};

// Request ids are unique across every pipeline of the process.
std::uint64_t NextRequestId() noexcept;

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
