// Keeps the most recent accepted events in memory (GET /__control/events, with "test_event_code" for
// those of a test-mode request) and, with --record, appends every accepted event to a file as one
// JSON line:
// {"platform","destination","event_name","event_id","event_time","received_at_ms",
//  "test_event_code" (when present),"event":{...the whole event as received, minified...}}
#pragma once

#include "server/platforms/platform_handler.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace capi::testserver {

class EventRecorder {
public:
	// Opens `record_path` for appending when non-empty; throws std::runtime_error on failure.
	EventRecorder(const std::string &record_path, size_t recent_capacity);
	~EventRecorder();
	EventRecorder(const EventRecorder &) = delete;
	EventRecorder &operator=(const EventRecorder &) = delete;

	void Record(std::string_view platform, const HandlerOutcome &outcome, int64_t received_at_ms);
	// The last `limit` accepted events, oldest first.
	nlohmann::json Recent(size_t limit) const;
	// Forgets the recent events and truncates the record file.
	void Reset();

private:
	struct RecentEvent {
		std::string platform;
		std::string destination;
		std::string event_name;
		std::string event_id;
		int64_t event_time = 0;
		int64_t received_at_ms = 0;
		std::string test_event_code; // the request's test-mode marker, "" for a real delivery
	};
	void WriteAll(const std::string &bytes);

	std::string path_;
	int fd_ = -1;
	std::vector<RecentEvent> ring_;
	size_t capacity_;
	size_t next_ = 0; // ring slot of the next event
	size_t count_ = 0;
	std::string lines_;
};

} // namespace capi::testserver
