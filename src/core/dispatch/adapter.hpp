// The contract between the delivery worker and one ad platform. An adapter is stateless (all
// methods const, safe to share between threads) and knows nothing about PostgreSQL or libcurl:
// it says which events may travel together, builds the HTTP request for a batch, and classifies
// the platform's answer. See docs/dispatch.md.
//
// The worker, per destination:
//   1. Preflight every candidate event; an event with a reason is failed alone, never sent (one bad
//      event would make platforms like Meta reject the whole batch). Preflight again before every
//      retry: events age.
//   2. Groups the others by GroupingKey and cuts groups into batches of at most MaxBatchSize().
//   3. BuildRequest, sends it (http::Client), then Classify the response and acts on the outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dispatch/destination.hpp"
#include "core/dispatch/event.hpp"
#include "core/identity/field.hpp"

namespace capi::dispatch {

// A request description, sent as is by the HTTP client (POST).
struct HttpRequest {
	std::string url;
	std::vector<std::string> headers; // "Name: value"
	std::string body;
	// Credential values present in url, headers or body: to be scrubbed from anything logged or stored.
	std::vector<std::string> secrets;
};

// What Classify needs from the response headers (the HTTP client parses them).
struct ResponseHeaders {
	std::optional<std::int64_t> retry_after_ms; // Retry-After, as a delay from now
};

enum class OutcomeKind {
	kDelivered,      // every event accepted
	kRetry,          // transient: resend the same batch later (backoff.hpp)
	kRejectedBatch,  // permanent for this batch, culprit unknown: split it to find the bad events
	kRejectedEvents, // the platform named the bad events (bad_indexes); the others may be resent
	kAuthFailed,     // credentials invalid: pause the destination, do not burn retries
	kPermanent,      // the destination itself is misconfigured (unknown pixel, missing permission)
};

std::string_view OutcomeKindName(OutcomeKind kind) noexcept; // "delivered", "retry", ...

struct BatchOutcome {
	OutcomeKind kind = OutcomeKind::kRetry;
	std::string message;                  // the platform's words (or ours), secrets redacted, at most 1 KiB
	std::vector<std::size_t> bad_indexes; // kRejectedEvents: positions in the batch, ascending
	std::optional<std::int64_t> retry_after_ms; // kRetry: the platform asked for at least this delay
	std::string trace_id; // the platform's request id (Meta: fbtrace_id), for support tickets
};

// No HTTP response at all (connection refused, timeout, TLS failure): Classify is not called for
// these; the worker treats them as kRetry.

class PlatformAdapter {
public:
	virtual ~PlatformAdapter() = default;

	virtual identity::Platform platform() const noexcept = 0;
	virtual std::size_t MaxBatchSize() const noexcept = 0;

	// Checks config and credentials; throws capi::Error 22023 naming the problem (never a secret).
	// Called when a destination is saved and before each batch (BuildRequest calls it too).
	virtual void Validate(const Destination &destination) const = 0;

	// Why this event must not be sent (it would make the platform reject its batch), or nullopt.
	virtual std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
	                                             std::int64_t now_ms) const = 0;

	// Only events with equal keys may share a request.
	virtual std::string GroupingKey(const Destination &destination, const OutboxEvent &event) const = 0;

	// The request for batch (1..MaxBatchSize() events that passed Preflight and share a grouping key).
	// base_url_override, when not empty, replaces the platform's scheme://host[:port] and wins over
	// destination.endpoint_override. Throws capi::Error 22023 when the destination is invalid.
	virtual HttpRequest BuildRequest(const Destination &destination,
	                                 const std::vector<const OutboxEvent *> &batch,
	                                 std::string_view base_url_override) const = 0;

	// What the platform said about a batch of batch_size events.
	virtual BatchOutcome Classify(const Destination &destination, std::size_t batch_size, long http_status,
	                              std::string_view body, const ResponseHeaders &headers) const = 0;
};

// The adapter for platform, or nullptr when pg_capi cannot deliver to it yet.
const PlatformAdapter *FindAdapter(identity::Platform platform) noexcept;
// As FindAdapter, but throws capi::Error 0A000 (feature not supported) naming the platform.
const PlatformAdapter &AdapterFor(identity::Platform platform);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
