// The interface each ad platform implements (Meta first; Google, TikTok, LinkedIn, Snap, Reddit and
// Pinterest later): recognise the platform's request path, validate a request like the platform
// does, and answer in the platform's wire format. Stats, recording, duplicate counting and fault
// injection are shared and live in the Router.
#pragma once

#include "server/http/http_message.hpp"

#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <deque>
#include <vector>

namespace capi::testserver {

// One event of a valid request. The views point into the handler's parser and stay valid until the
// handler's next Handle() call.
struct AcceptedEvent {
	std::string_view event_name;
	std::string_view event_id; // empty when the event has none
	int64_t event_time = 0;    // in the platform's own unit (Meta: Unix seconds)
	simdjson::dom::element json;
};

// An event of an accepted request that the platform refused on its own, in a success reply
// (Pinterest events[].status, Google Ads partialFailure).
struct RejectedEvent {
	size_t index = 0; // position in the request's list
	std::string message;
};

// The result of validating one request.
struct HandlerOutcome {
	bool accepted = false;
	HttpResponse error;          // the platform's error reply when !accepted
	std::string destination;     // pixel / dataset / account id the request is for
	std::string test_event_code; // the platform's test-mode marker, if any
	std::vector<AcceptedEvent> events;
	// With accepted: events refused individually (the others are in events); SuccessResponse names them.
	std::vector<RejectedEvent> rejected_events;
	// Storage for event ids that were not JSON strings (AcceptedEvent::event_id points here).
	std::deque<std::string> id_storage; // a deque: views stay valid while it grows

	void Clear();
};

class PlatformHandler {
public:
	virtual ~PlatformHandler() = default;

	// Short lowercase name used in stats, records and fault filters ("meta").
	virtual const char *name() const = 0;
	// Whether `request` is addressed to this platform (by path; cheap).
	virtual bool Matches(const HttpRequest &request) const = 0;
	// Validates the whole request. Either outcome->accepted with every event, or the error reply.
	// `now_unix_s` is the wall clock time used for event age checks.
	virtual void Handle(const HttpRequest &request, int64_t now_unix_s, HandlerOutcome *outcome) = 0;
	// True when the platform answers a request with some bad events by accepting the others and naming
	// the bad ones in its success reply: the reject_event_id fault then fails those events alone.
	virtual bool PartialSuccess() const { return false; }
	// The success reply for an accepted outcome.
	virtual HttpResponse SuccessResponse(const HandlerOutcome &outcome) = 0;
	// The platform's reply when event number `index` of an otherwise valid request is invalid
	// (used by the reject_event_id fault).
	virtual HttpResponse InvalidEventResponse(size_t index, std::string_view detail) = 0;
	// A platform-shaped error body for an injected HTTP status (503, 429, 500, ...).
	virtual HttpResponse StatusFault(int status) = 0;
	// An injected platform error from a fault rule's "<name>_error" object (e.g. "meta_error").
	// `status` is the rule's HTTP status, or 0 to use the platform's usual status for that error.
	// Throws std::invalid_argument when the spec is malformed.
	virtual HttpResponse ErrorFault(const nlohmann::json &spec, int status) = 0;
};

} // namespace capi::testserver
