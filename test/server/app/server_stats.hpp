// Exact counters of what the server saw, per platform and in total, for GET /__control/stats.
// Single-threaded: only the event loop thread touches them.
#pragma once

#include "server/app/event_key_set.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

namespace capi::testserver {

struct PlatformCounters {
	uint64_t requests = 0;          // every complete request to the platform's paths
	uint64_t accepted_requests = 0; // answered with success (events accepted)
	uint64_t rejected_requests = 0; // answered with the platform's validation / auth error
	uint64_t faulted_requests = 0;  // answered (or reset) by an injected fault
	uint64_t accepted_events = 0;   // delivered: test-mode requests' events are not counted here
	uint64_t duplicate_events =
	    0;                        // accepted events whose (destination, event_name, event_id) was seen before
	uint64_t test_events = 0;     // events of requests in test mode: in no other event count
	uint64_t rejected_events = 0; // refused one by one in a success reply (HandlerOutcome::rejected_events)
	// The most requests that arrived within any 1000 ms (a sliding window), for rate-limit checks.
	uint64_t max_requests_per_second = 0;
	std::deque<int64_t> recent_request_ms; // arrival times within the last second
	void CountRequestAt(int64_t now_ms) {
		recent_request_ms.push_back(now_ms);
		while (!recent_request_ms.empty() && recent_request_ms.front() <= now_ms - 1000) {
			recent_request_ms.pop_front();
		}
		if (recent_request_ms.size() > max_requests_per_second) {
			max_requests_per_second = recent_request_ms.size();
		}
	}
};

class ServerStats {
public:
	void ConnectionOpened() {
		++connections_opened_;
		++connections_open_;
	}
	void ConnectionClosed() { --connections_open_; }
	void ControlRequest() { ++control_requests_; }
	void UnmatchedRequest() { ++unmatched_requests_; }

	PlatformCounters &Platform(std::string_view name);

	// Counts an accepted event; returns true when it is a duplicate. Events without id are not
	// checked for duplicates.
	bool CountEvent(std::string_view platform, std::string_view destination, std::string_view event_name,
	                std::string_view event_id);
	// Records the size of an accepted batch.
	void CountBatch(std::string_view platform, std::string_view destination, size_t size);

	nlohmann::json ToJson() const;
	// Clears everything except the number of currently open connections.
	void Reset();

private:
	std::map<std::string, PlatformCounters, std::less<>> platforms_;
	std::map<std::string, uint64_t, std::less<>> destination_events_; // "meta/1234" -> accepted events
	std::map<size_t, uint64_t> batch_sizes_;                          // size -> number of batches
	std::deque<uint32_t> recent_batch_sizes_;                         // the last kRecentBatches sizes
	EventKeySet event_keys_;
	uint64_t batches_ = 0;
	uint64_t control_requests_ = 0;
	uint64_t unmatched_requests_ = 0;
	uint64_t connections_opened_ = 0;
	int64_t connections_open_ = 0;
	std::string key_; // scratch
};

} // namespace capi::testserver
