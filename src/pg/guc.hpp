// pg_capi's configuration parameters (GUCs), defined in _PG_init.
#pragma once

namespace capi::pg {

// Registers every capi.* setting. Called once from _PG_init.
void DefineSettings();

// capi.default_region: ISO 3166-1 alpha-2 region for phone numbers and zips written without a
// country code (the region argument of capi.normalize/hash/user_data when it is NULL). Set as a code,
// a country name or "ZZ" (no region); always stored as the upper-case code.
const char *DefaultRegion();
// True when capi.default_region was set (postgresql.conf, ALTER SYSTEM/DATABASE/ROLE, SET, ...), false
// for the built-in default: a region someone stated (core/identity/region.hpp).
bool DefaultRegionGiven();

// capi.allowed_endpoint_hosts (superuser-only): hosts beyond each platform's own that a destination's
// endpoint may name, "host[:port], ..." (core/dispatch/endpoint_policy.hpp).
const char *AllowedEndpointHosts();

// capi.credentials_directory (superuser-only): where credential files are, "" = the feature is off
// (core/dispatch/credential_files.hpp).
const char *CredentialsDirectory();

// The delivery worker's settings (reloaded on SIGHUP, except the database's restart rule: a new
// capi.database makes the launcher stop the old worker and start one in the new database).
struct WorkerSettings {
	const char *database;               // capi.database
	int batch_size;                     // capi.batch_size: events per request, 0 = the platform's maximum
	int max_concurrent_requests;        // capi.max_concurrent_requests: per destination
	int request_timeout_ms;             // capi.request_timeout
	int max_attempts;                   // capi.max_attempts: sends of a batch before its events fail
	int retry_base_delay_ms;            // capi.retry_base_delay: first retry's ceiling (doubles each time)
	int retry_max_delay_ms;             // capi.retry_max_delay
	int auth_failure_pause_ms;          // capi.auth_failure_pause
	int delivered_retention_s;          // capi.delivered_retention
	int failed_retention_s;             // capi.failed_retention: 0 = failed events are kept forever
	int purge_batch_size;               // capi.purge_batch_size
	int poll_interval_ms;               // capi.poll_interval: longest sleep without a wake-up
	const char *ca_file;                // capi.ca_file: PEM bundle, "" = the system's store
	const char *allowed_endpoint_hosts; // capi.allowed_endpoint_hosts
	const char *credentials_directory;  // capi.credentials_directory
};
WorkerSettings CurrentWorkerSettings();

} // namespace capi::pg
