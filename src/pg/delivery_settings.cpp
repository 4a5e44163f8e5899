#include "pg/delivery_settings.hpp"

#include <algorithm>

#include "pg/version.hpp"

namespace capi::pg {

dispatch::PipelineSettings PipelineSettingsFrom(const WorkerSettings &settings) {
	dispatch::PipelineSettings pipeline;
	pipeline.batch_size = static_cast<std::size_t>(settings.batch_size);
	pipeline.max_in_flight = static_cast<std::size_t>(settings.max_concurrent_requests);
	pipeline.backoff.base_ms = settings.retry_base_delay_ms;
	pipeline.backoff.cap_ms = settings.retry_max_delay_ms;
	pipeline.backoff.floor_ms = std::min<std::int64_t>(250, settings.retry_base_delay_ms);
	pipeline.backoff.max_attempts = settings.max_attempts;
	pipeline.auth_pause_ms = settings.auth_failure_pause_ms;
	pipeline.circuit_probe_min_ms = settings.retry_base_delay_ms;
	pipeline.request_timeout_ms = settings.request_timeout_ms;
	pipeline.allowed_endpoint_hosts = settings.allowed_endpoint_hosts;
	return pipeline;
}

http::ClientOptions ClientOptionsFrom(const WorkerSettings &settings, std::size_t max_concurrent) {
	http::ClientOptions options;
	options.version = kLibraryVersion;
	options.max_concurrent = max_concurrent;
	options.connect_timeout_ms = std::min(10000, settings.request_timeout_ms);
	options.timeout_ms = settings.request_timeout_ms;
	options.ca_file = settings.ca_file;
	return options;
}

} // namespace capi::pg
