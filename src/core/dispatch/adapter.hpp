// The contract between the delivery worker and one ad platform. An adapter is stateless (all
// methods const, safe to share between threads) and knows nothing about PostgreSQL or libcurl:
// it says which events may travel together, builds the HTTP request for a batch, and classifies
// the platform's answer. See docs/dispatch.md.
//
// The worker, per destination:
//   1. Groups candidate events by GroupingKey.
//   2. Per group: StartRequest, then Add events one by one. Add refuses (with a reason) an event that
//      would make the platform reject its whole batch; such an event is failed alone, never sent.
//      When the builder is full() or the group is done, Finish() gives the request.
//   3. Sends it (http::Client), then Classify the response; indexes in the outcome are positions
//      among the events Add accepted, in order.
// Retries rebuild the request the same way: events age, and Add checks them again.
//
// What some platforms need and Meta does not, once for all (docs/dispatch.md):
//   * OAuth2: TokenRequest gives the refresh-token grant; the pipeline obtains and caches the access
//     token and hands it to StartRequest (RequestContext::access_token), refreshes it once on a 401,
//     and pauses the destination when the grant itself is refused (invalid_grant).
//   * Per-event results in a successful reply: OutcomeKind::kPartial names the failed events.
//   * Several list elements per event (LinkedIn: one per conversion rule): HttpRequest::element_events.
//   * Request-rate limits: DefaultRequestsPerSecond (config.max_requests_per_second overrides).
//   * Events not sent by design (consent, no mapping for the name): Refusal::Skip.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
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
	// When the platform's list holds several elements per event (LinkedIn: one per conversion rule),
	// element i belongs to the accepted event element_events[i]; empty when element i is event i.
	// Classify's indexes are element indexes; the pipeline maps them to events.
	std::vector<std::size_t> element_events;
};

// Per-request facts the pipeline supplies to StartRequest.
struct RequestContext {
	// When not empty, replaces the platform's scheme://host[:port] and wins over
	// Destination::endpoint_override (tests, capi.preview).
	std::string_view base_url_override;
	// The OAuth2 access token the pipeline obtained with TokenRequest; "" when the destination uses
	// a static token (then the adapter reads it from credentials).
	std::string_view access_token;
};

// Why an event is not sent. A failure ends as status 'failed' (the DBA can fix and retry it); a skip
// is by design (consent denied, no mapping for the event name) and ends as status 'skipped'.
struct Refusal {
	Refusal(std::string why) : reason(std::move(why)) {} // NOLINT: a failure, implicitly
	Refusal(const char *why) : reason(why) {}            // NOLINT
	static Refusal Skip(std::string why) {
		Refusal refusal(std::move(why));
		refusal.skip = true;
		return refusal;
	}
	std::string reason;
	bool skip = false;
};
inline bool operator==(const Refusal &refusal, std::string_view reason) {
	return std::string_view(refusal.reason) == reason;
}
inline std::ostream &operator<<(std::ostream &out, const Refusal &refusal) {
	return out << (refusal.skip ? "skip: " : "failure: ") << refusal.reason;
}

// What Classify needs from the response headers (the HTTP client parses them).
struct ResponseHeaders {
	std::optional<std::int64_t> retry_after_ms; // Retry-After, as a delay from now
};

enum class OutcomeKind {
	kDelivered,      // every event accepted
	kRetry,          // transient: resend the same batch later (backoff.hpp)
	kRejectedBatch,  // permanent for this batch, culprit unknown: split it to find the bad events
	kRejectedEvents, // the platform named the bad events (bad_indexes); the others may be resent
	kPartial,        // a success reply naming failed events (bad_indexes): the others were accepted
	kAuthFailed,     // credentials invalid: pause the destination, do not burn retries
	kPermanent,      // the destination itself is misconfigured (unknown pixel, missing permission)
};

std::string_view OutcomeKindName(OutcomeKind kind) noexcept; // "delivered", "retry", ...

struct BatchOutcome {
	OutcomeKind kind = OutcomeKind::kRetry;
	std::string message;                  // the platform's words (or ours), secrets redacted, at most 1 KiB
	std::vector<std::size_t> bad_indexes; // kRejectedEvents, kPartial: positions in the batch, ascending
	// Optional, parallel to bad_indexes: the platform's words for each (redacted, at most 1 KiB each);
	// when empty, message applies to every bad index.
	std::vector<std::string> bad_messages;
	std::optional<std::int64_t> retry_after_ms; // kRetry: the platform asked for at least this delay
	std::string trace_id; // the platform's request id (Meta: fbtrace_id), for support tickets
};

// No HTTP response at all (connection refused, timeout, TLS failure) is the worker's to handle as
// kRetry; Classify given status 0 says kRetry as well.

// One request being built. Each event's JSON columns are parsed once, by Add, which both checks and
// writes the event.
class RequestBuilder {
public:
	virtual ~RequestBuilder() = default;

	// Appends event to the request unless it must not be sent: then returns why (as Preflight) and
	// the request is unchanged. Precondition: !full() (else throws capi::Error XX000).
	virtual std::optional<Refusal> Add(const OutboxEvent &event, std::int64_t now_ms) = 0;
	virtual std::size_t size() const noexcept = 0; // events added
	virtual bool full() const noexcept = 0;        // size() reached the platform's batch limit
	// The request for the events added (at least one, else throws capi::Error XX000). Call once.
	virtual HttpRequest Finish() = 0;
};

// How a platform checks events without recording them as conversions (capi.dry_run, test_mode.hpp):
// one key of the destination's config that, when set, sends every request in the platform's test or
// validate mode. The adapter's request building reads that key (and is unit-tested with it).
struct TestModeSupport {
	enum class Form {
		kNone, // the platform has no such mode (LinkedIn)
		kFlag, // config_key = true (Google validate_only, Snap validate, Pinterest test)
		kCode, // config_key = a code from the platform's Events Manager (Meta, TikTok, Reddit)
	};
	Form form = Form::kNone;
	std::string_view config_key;
	// True when the platform keeps test events as conversions (Meta documents it) or does not say that
	// it drops them: a dry run then sends only events with an event_id, so that the platform can
	// deduplicate the real delivery that follows.
	bool may_keep_events = false;
	std::string_view name; // for messages: "Meta's Test Events (test_event_code)"
};

class PlatformAdapter {
public:
	virtual ~PlatformAdapter() = default;

	virtual identity::Platform platform() const noexcept = 0;
	// The platform's test or validate mode; Form::kNone when it has none.
	virtual TestModeSupport TestMode() const noexcept { return {}; }
	virtual std::size_t MaxBatchSize() const noexcept = 0;
	// Requests per second one destination may send by default (the platform's published limit);
	// 0 = none. config.max_requests_per_second overrides it (common_settings.hpp).
	virtual double DefaultRequestsPerSecond() const noexcept { return 0; }

	// The hosts of the platform's own API, in CanonicalHost form (http/url.hpp). An endpoint override
	// to one of them needs no capi.allowed_endpoint_hosts entry, and only their response bodies are
	// quoted in messages (endpoint_policy.hpp).
	virtual std::vector<std::string_view> OwnHosts() const = 0;

	// Checks config, credentials and endpoint override; throws capi::Error 22023 naming the problem
	// (never a secret). For when a destination is saved; StartRequest checks them too.
	virtual void Validate(const Destination &destination) const = 0;

	// Why this event must not be sent (it would make the platform reject its batch), or nullopt.
	// The same check RequestBuilder::Add does, for callers that only want the verdict.
	virtual std::optional<std::string> Preflight(const Destination &destination, const OutboxEvent &event,
	                                             std::int64_t now_ms) const = 0;

	// Only events with equal keys may share a request.
	virtual std::string GroupingKey(const Destination &destination, const OutboxEvent &event) const = 0;

	// The OAuth2 refresh-token request (RFC 6749 section 6, oauth.hpp) when the destination's
	// credentials hold a refresh grant; nullopt when it uses a static token. The URL keeps the
	// platform's token path on the destination's endpoint override (or base_url_override). Throws
	// capi::Error 22023 when the credentials are invalid.
	virtual std::optional<HttpRequest> TokenRequest(const Destination &destination,
	                                                std::string_view base_url_override) const {
		return std::nullopt;
	}

	// A new request for events of one grouping key. Throws capi::Error 22023 when the destination is
	// invalid. The builder refers to destination: keep it alive.
	virtual std::unique_ptr<RequestBuilder> StartRequest(const Destination &destination,
	                                                     const RequestContext &context) const = 0;

	// StartRequest + Add of every event of batch + Finish. Throws capi::Error 22000 naming the first
	// event Add refuses, and 22023 for an empty or oversized batch or an invalid destination.
	HttpRequest BuildRequest(const Destination &destination, const std::vector<const OutboxEvent *> &batch,
	                         const RequestContext &context, std::int64_t now_ms) const;

	// What the platform said about a request of batch_size list elements (events, or
	// HttpRequest::element_events.size() when that is set).
	virtual BatchOutcome Classify(const Destination &destination, std::size_t batch_size, long http_status,
	                              std::string_view body, const ResponseHeaders &headers) const = 0;
};

// The adapter for platform, or nullptr when pg_capi cannot deliver to it yet.
const PlatformAdapter *FindAdapter(identity::Platform platform) noexcept;
// As FindAdapter, but throws capi::Error 0A000 (feature not supported) naming the platform.
const PlatformAdapter &AdapterFor(identity::Platform platform);

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
