#include "server/app/server_stats.hpp"

#include <sys/resource.h>

#include <algorithm>

namespace capi::testserver {
namespace {

constexpr size_t kRecentBatches = 1000;

nlohmann::json CountersJson(const PlatformCounters &counters) {
	return {{"requests", counters.requests},
	        {"accepted_requests", counters.accepted_requests},
	        {"rejected_requests", counters.rejected_requests},
	        {"faulted_requests", counters.faulted_requests},
	        {"accepted_events", counters.accepted_events},
	        {"duplicate_events", counters.duplicate_events},
	        {"test_events", counters.test_events},
	        {"rejected_events", counters.rejected_events},
	        {"max_requests_per_second", counters.max_requests_per_second}};
}

} // namespace

PlatformCounters &ServerStats::Platform(std::string_view name) {
	auto found = platforms_.find(name);
	if (found == platforms_.end()) {
		found = platforms_.emplace(std::string(name), PlatformCounters()).first;
	}
	return found->second;
}

bool ServerStats::CountEvent(std::string_view platform, std::string_view destination,
                             std::string_view event_name, std::string_view event_id) {
	if (event_id.empty()) {
		return false;
	}
	return !event_keys_.Insert(platform, destination, event_name, event_id);
}

void ServerStats::CountBatch(std::string_view platform, std::string_view destination, size_t size) {
	++batches_;
	++batch_sizes_[size];
	recent_batch_sizes_.push_back(static_cast<uint32_t>(size));
	if (recent_batch_sizes_.size() > kRecentBatches) {
		recent_batch_sizes_.pop_front();
	}
	key_.assign(platform);
	key_.push_back('/');
	key_.append(destination);
	auto found = destination_events_.find(key_);
	if (found == destination_events_.end()) {
		found = destination_events_.emplace(key_, 0).first;
	}
	found->second += size;
}

nlohmann::json ServerStats::ToJson() const {
	PlatformCounters total;
	nlohmann::json platforms = nlohmann::json::object();
	for (const auto &[name, counters] : platforms_) {
		total.requests += counters.requests;
		total.accepted_requests += counters.accepted_requests;
		total.rejected_requests += counters.rejected_requests;
		total.faulted_requests += counters.faulted_requests;
		total.accepted_events += counters.accepted_events;
		total.duplicate_events += counters.duplicate_events;
		total.test_events += counters.test_events;
		total.rejected_events += counters.rejected_events;
		total.max_requests_per_second =
		    std::max(total.max_requests_per_second, counters.max_requests_per_second);
		platforms[name] = CountersJson(counters);
	}
	nlohmann::json stats = CountersJson(total);
	nlohmann::json sizes = nlohmann::json::object();
	for (const auto &[size, count] : batch_sizes_) {
		sizes[std::to_string(size)] = count;
	}
	nlohmann::json destinations = nlohmann::json::object();
	for (const auto &[key, count] : destination_events_) {
		destinations[key] = count;
	}
	stats["platforms"] = std::move(platforms);
	stats["destinations"] = std::move(destinations);
	stats["batches"] = batches_;
	stats["batch_sizes"] = std::move(sizes);
	stats["recent_batch_sizes"] =
	    nlohmann::json(std::vector<uint32_t>(recent_batch_sizes_.begin(), recent_batch_sizes_.end()));
	stats["unique_event_keys"] = event_keys_.size();
	stats["control_requests"] = control_requests_;
	stats["unmatched_requests"] = unmatched_requests_;
	stats["connections_opened"] = connections_opened_;
	stats["connections_open"] = connections_open_;
	rusage usage;
	if (getrusage(RUSAGE_SELF, &usage) == 0) {
		auto ms = [](const timeval &t) { return static_cast<int64_t>(t.tv_sec) * 1000 + t.tv_usec / 1000; };
		stats["process_cpu_ms"] = ms(usage.ru_utime) + ms(usage.ru_stime);
		stats["process_max_rss_kb"] = usage.ru_maxrss;
	}
	return stats;
}

void ServerStats::Reset() {
	platforms_.clear();
	destination_events_.clear();
	batch_sizes_.clear();
	recent_batch_sizes_.clear();
	event_keys_.Clear();
	batches_ = 0;
	control_requests_ = 0;
	unmatched_requests_ = 0;
	connections_opened_ = 0;
}

} // namespace capi::testserver
