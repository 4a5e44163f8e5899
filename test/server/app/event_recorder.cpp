#include "server/app/event_recorder.hpp"

#include "core/dispatch/json_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <stdexcept>
#include <unistd.h>

namespace capi::testserver {

EventRecorder::EventRecorder(const std::string &record_path, size_t recent_capacity)
    : path_(record_path), capacity_(std::max<size_t>(recent_capacity, 1)) {
	if (!path_.empty()) {
		fd_ = open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd_ < 0) {
			throw std::runtime_error("cannot open --record file " + path_ + ": " + std::strerror(errno));
		}
	}
}

EventRecorder::~EventRecorder() {
	if (fd_ >= 0) {
		close(fd_);
	}
}

void EventRecorder::Record(std::string_view platform, const HandlerOutcome &outcome, int64_t received_at_ms) {
	for (const AcceptedEvent &event : outcome.events) {
		if (ring_.size() < capacity_) {
			ring_.emplace_back();
		}
		RecentEvent &slot = ring_[next_];
		next_ = (next_ + 1) % capacity_;
		count_ = std::min(count_ + 1, capacity_);
		slot.platform.assign(platform);
		slot.destination.assign(outcome.destination);
		slot.event_name.assign(event.event_name);
		slot.event_id.assign(event.event_id);
		slot.event_time = event.event_time;
		slot.received_at_ms = received_at_ms;
		slot.test_event_code.assign(outcome.test_event_code);
	}
	if (fd_ < 0) {
		return;
	}
	lines_.clear();
	std::string prefix = "{\"platform\":";
	dispatch::AppendJsonString(&prefix, platform);
	prefix += ",\"destination\":";
	dispatch::AppendJsonString(&prefix, outcome.destination);
	std::string suffix = ",\"received_at_ms\":" + std::to_string(received_at_ms);
	if (!outcome.test_event_code.empty()) {
		suffix += ",\"test_event_code\":";
		dispatch::AppendJsonString(&suffix, outcome.test_event_code);
	}
	suffix += ",\"event\":";
	for (const AcceptedEvent &event : outcome.events) {
		lines_ += prefix;
		lines_ += ",\"event_name\":";
		dispatch::AppendJsonString(&lines_, event.event_name);
		lines_ += ",\"event_id\":";
		dispatch::AppendJsonString(&lines_, event.event_id);
		lines_ += ",\"event_time\":";
		lines_ += std::to_string(event.event_time);
		lines_ += suffix;
		lines_ += simdjson::minify(event.json);
		lines_ += "}\n";
	}
	WriteAll(lines_);
}

void EventRecorder::WriteAll(const std::string &bytes) {
	size_t done = 0;
	while (done < bytes.size()) {
		ssize_t n = write(fd_, bytes.data() + done, bytes.size() - done);
		if (n < 0) {
			if (errno == EINTR) {
				continue;
			}
			throw std::runtime_error("cannot write --record file " + path_ + ": " + std::strerror(errno));
		}
		done += static_cast<size_t>(n);
	}
}

nlohmann::json EventRecorder::Recent(size_t limit) const {
	nlohmann::json events = nlohmann::json::array();
	size_t n = std::min(limit, count_);
	for (size_t i = 0; i < n; ++i) {
		const RecentEvent &event = ring_[(next_ + capacity_ - n + i) % capacity_];
		nlohmann::json item = {{"platform", event.platform},     {"destination", event.destination},
		                       {"event_name", event.event_name}, {"event_id", event.event_id},
		                       {"event_time", event.event_time}, {"received_at_ms", event.received_at_ms}};
		if (!event.test_event_code.empty()) {
			item["test_event_code"] = event.test_event_code;
		}
		events.push_back(std::move(item));
	}
	return events;
}

void EventRecorder::Reset() {
	ring_.clear();
	next_ = 0;
	count_ = 0;
	if (fd_ >= 0 && ftruncate(fd_, 0) != 0) {
		throw std::runtime_error("cannot truncate --record file " + path_ + ": " + std::strerror(errno));
	}
}

} // namespace capi::testserver
