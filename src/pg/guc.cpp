#include "core/dispatch/endpoint_policy.hpp"
#include "core/identity/region.hpp"

#include "pg/guc.hpp"

#include <algorithm>
#include <climits>

#include "pg/postgres_headers.hpp"

extern "C" {
#include "utils/guc.h"
}

namespace {

char *default_region_setting = nullptr;
bool default_region_given = false;
char *database_setting = nullptr;
int batch_size_setting = 0;
int max_concurrent_setting = 8;
int request_timeout_setting = 30000;
int max_attempts_setting = 0;
int retry_base_delay_setting = 1000;
int retry_max_delay_setting = 15 * 60 * 1000;
int auth_pause_setting = 5 * 60 * 1000;
int retention_setting = 7 * 24 * 3600;
int failed_retention_setting = 30 * 24 * 3600;
int purge_batch_setting = 10000;
int poll_interval_setting = 10000;
char *ca_file_setting = nullptr;
char *allowed_endpoint_hosts_setting = nullptr;
char *credentials_directory_setting = nullptr;
bool allow_dropping_undelivered_setting = false;
bool adopt_existing_roles_setting = false;

// Empty (credential files off) or an absolute path: the worker opens files relative to nothing else.
bool CheckCredentialsDirectory(char **newval, void **extra, GucSource source) {
	const char *value = *newval;
	if (value == nullptr || value[0] == '\0' || value[0] == '/')
		return true;
	GUC_check_errdetail("capi.credentials_directory must be empty or an absolute path.");
	return false;
}

// GUC memory: a check hook's replacement value and its "extra" belong to the GUC machinery, which
// frees them with guc_free (PostgreSQL 16+) or free() (before 16, where guc_malloc is not exported).
void *GucMalloc(std::size_t size) {
#if PG_VERSION_NUM >= 160000
	return guc_malloc(LOG, size);
#else
	return malloc(size);
#endif
}

char *GucStrdup(const char *text) {
#if PG_VERSION_NUM >= 160000
	return guc_strdup(LOG, text);
#else
	return strdup(text);
#endif
}

void GucFree(void *pointer) {
#if PG_VERSION_NUM >= 160000
	guc_free(pointer);
#else
	free(pointer);
#endif
}

// capi.default_region's check hook result (its "extra"), handed to the assign hook.
struct RegionSetting {
	bool given; // set by someone, not the built-in default
};

// The region code of value (core/identity/region.hpp) into code; false when value is no region. No
// C++ exception leaves (this runs inside PostgreSQL's GUC machinery).
bool ResolveRegionCode(const char *value, char (&code)[3]) noexcept {
	try {
		std::string resolved;
		if (value == nullptr || !capi::identity::ResolveRegion(value, resolved) || resolved.size() != 2)
			return false;
		code[0] = resolved[0];
		code[1] = resolved[1];
		code[2] = '\0';
		return true;
	} catch (...) {
		return false;
	}
}

// A region is whatever capi.normalize('country', ...) accepts ("US", "deu", "Germany") or ZZ (no
// region), stored as its upper-case alpha-2 code.
bool CheckRegion(char **newval, void **extra, GucSource source) {
	char code[3];
	if (!ResolveRegionCode(*newval, code)) {
		GUC_check_errdetail("capi.default_region must be a country: an ISO 3166-1 code such as US or DEU, "
		                    "or a country name such as Germany (ZZ: no region).");
		return false;
	}
	if (strcmp(*newval, code) != 0) { // canonical form: what SHOW prints and the core reads
		char *canonical = GucStrdup(code);
		if (canonical == nullptr)
			return false;
		GucFree(*newval);
		*newval = canonical;
	}
	auto *setting = static_cast<RegionSetting *>(GucMalloc(sizeof(RegionSetting)));
	if (setting == nullptr)
		return false;
	setting->given = source > PGC_S_DYNAMIC_DEFAULT;
	*extra = setting;
	return true;
}

void AssignRegion(const char *newval, void *extra) {
	default_region_given = extra != nullptr && static_cast<const RegionSetting *>(extra)->given;
}

// The list must parse (core/dispatch/endpoint_policy.hpp). The C++ work ends before PostgreSQL is
// called: the problem is copied into a plain buffer first.
bool CheckAllowedEndpointHosts(char **newval, void **extra, GucSource source) {
	char problem[512] = "";
	{
		std::string text = capi::dispatch::AllowedEndpointsProblem(*newval != nullptr ? *newval : "");
		strlcpy(problem, text.c_str(), sizeof problem);
	}
	if (problem[0] == '\0')
		return true;
	GUC_check_errdetail("%s", problem);
	return false;
}

} // namespace

namespace capi::pg {

void DefineSettings() {
	DefineCustomStringVariable("capi.default_region",
	                           "Region (ISO 3166-1 code or country name) for phone numbers, zips and dates "
	                           "written without a country.",
	                           "Used when the region argument of capi.normalize, capi.hash or capi.user_data "
	                           "is NULL.",
	                           &default_region_setting, "US", PGC_USERSET, 0, CheckRegion, AssignRegion,
	                           nullptr);

	DefineCustomStringVariable("capi.database", "Database in which the delivery worker delivers the outbox.",
	                           nullptr, &database_setting, "postgres", PGC_SIGHUP, 0, nullptr, nullptr,
	                           nullptr);
	DefineCustomIntVariable("capi.batch_size",
	                        "Largest number of events per request; 0 = the platform's maximum.",
	                        "A value above a platform's maximum (Meta: 1000) is cut to it.",
	                        &batch_size_setting, 0, 0, 100000, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("capi.max_concurrent_requests", "Requests in flight per destination.", nullptr,
	                        &max_concurrent_setting, 8, 1, 256, PGC_SIGHUP, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable(
	    "capi.request_timeout", "Time limit of one delivery request, connection included.", nullptr,
	    &request_timeout_setting, 30000, 100, 600000, PGC_SIGHUP, GUC_UNIT_MS, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("capi.max_attempts",
	                        "Sends of a batch (the first included) before its events fail for good; 0 = no "
	                        "count: transient failures are retried while the platform would still take the "
	                        "events.",
	                        nullptr, &max_attempts_setting, 0, 0, 1000, PGC_SIGHUP, 0, nullptr, nullptr,
	                        nullptr);
	DefineCustomIntVariable("capi.retry_base_delay",
	                        "Ceiling of the first retry's delay; it doubles with each failure (full jitter).",
	                        nullptr, &retry_base_delay_setting, 1000, 1, 3600000, PGC_SIGHUP, GUC_UNIT_MS,
	                        nullptr, nullptr, nullptr);
	DefineCustomIntVariable("capi.retry_max_delay", "Longest delay between two sends of a batch.", nullptr,
	                        &retry_max_delay_setting, 15 * 60 * 1000, 1, 24 * 3600 * 1000, PGC_SIGHUP,
	                        GUC_UNIT_MS, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("capi.auth_failure_pause",
	                        "How long a destination whose credentials or account were refused waits before "
	                        "trying again (updating the destination ends the pause at once).",
	                        nullptr, &auth_pause_setting, 5 * 60 * 1000, 100, 24 * 3600 * 1000, PGC_SIGHUP,
	                        GUC_UNIT_MS, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("capi.delivered_retention",
	                        "How long outbox rows delivered to every destination are kept before purging.",
	                        "Failed deliveries are kept until retried, corrected or discarded "
	                        "(capi.failed_retention).",
	                        &retention_setting, 7 * 24 * 3600, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_S, nullptr,
	                        nullptr, nullptr);
	DefineCustomIntVariable("capi.failed_retention",
	                        "How long failed events are kept before they are discarded (and then purged); "
	                        "0 = keep them until retried, corrected or discarded.",
	                        "A discarded event keeps its last_error; its outbox row is purged after "
	                        "capi.delivered_retention.",
	                        &failed_retention_setting, 30 * 24 * 3600, 0, INT_MAX, PGC_SIGHUP, GUC_UNIT_S,
	                        nullptr, nullptr, nullptr);
	DefineCustomIntVariable("capi.purge_batch_size", "Outbox rows deleted per purge transaction.", nullptr,
	                        &purge_batch_setting, 10000, 1, 1000000, PGC_SIGHUP, 0, nullptr, nullptr,
	                        nullptr);
	DefineCustomIntVariable("capi.poll_interval",
	                        "Longest sleep of the worker without a wake-up (commits wake it at once).",
	                        nullptr, &poll_interval_setting, 10000, 10, 3600000, PGC_SIGHUP, GUC_UNIT_MS,
	                        nullptr, nullptr, nullptr);
	DefineCustomStringVariable(
	    "capi.ca_file", "PEM file of trusted certificate authorities for HTTPS; empty = the system's store.",
	    nullptr, &ca_file_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, nullptr, nullptr, nullptr);
	DefineCustomStringVariable(
	    "capi.allowed_endpoint_hosts",
	    "Hosts beyond each platform's own that a destination's endpoint may name (host or host:port, "
	    "comma-separated).",
	    "Empty: destinations reach only their platform's own API hosts. http:// is further limited to "
	    "loopback hosts.",
	    &allowed_endpoint_hosts_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY | GUC_LIST_INPUT,
	    CheckAllowedEndpointHosts, nullptr, nullptr);
	DefineCustomStringVariable(
	    "capi.credentials_directory",
	    "Directory of the credential files a destination's credentials may name ({\"file\": \"<name>\"}); "
	    "empty = credential files are off.",
	    "An absolute path. Each file must be owned by the server's operating-system user and not "
	    "accessible by group or others (mode 0600 or 0400).",
	    &credentials_directory_setting, "", PGC_SIGHUP, GUC_SUPERUSER_ONLY, CheckCredentialsDirectory,
	    nullptr, nullptr);
	DefineCustomBoolVariable(
	    "capi.allow_dropping_undelivered",
	    "Lets DELETE FROM capi.destinations drop a destination that still has undelivered "
	    "events (they are then lost).",
	    "Meant for SET LOCAL in the transaction of that DELETE.", &allow_dropping_undelivered_setting, false,
	    PGC_USERSET, 0, nullptr, nullptr, nullptr);
	// Read by the install script (docs/security.md "Roles that exist already"); superusers only, as
	// CREATE EXTENSION pg_capi is.
	DefineCustomBoolVariable(
	    "capi.adopt_existing_roles",
	    "Lets CREATE EXTENSION pg_capi use roles named capi_admin, capi_writer, capi_worker or capi_monitor "
	    "that it would otherwise refuse (created by someone else, able to log in, or administered by a "
	    "non-superuser).",
	    "Meant for SET in the session that runs CREATE EXTENSION, after checking who controls those roles.",
	    &adopt_existing_roles_setting, false, PGC_SUSET, 0, nullptr, nullptr, nullptr);
}

WorkerSettings CurrentWorkerSettings() {
	WorkerSettings settings;
	settings.database = database_setting != nullptr ? database_setting : "postgres";
	settings.batch_size = batch_size_setting;
	settings.max_concurrent_requests = max_concurrent_setting;
	settings.request_timeout_ms = request_timeout_setting;
	settings.max_attempts = max_attempts_setting;
	settings.retry_base_delay_ms = retry_base_delay_setting;
	settings.retry_max_delay_ms = std::max(retry_max_delay_setting, retry_base_delay_setting);
	settings.auth_failure_pause_ms = auth_pause_setting;
	settings.delivered_retention_s = retention_setting;
	settings.failed_retention_s = failed_retention_setting;
	settings.purge_batch_size = purge_batch_setting;
	settings.poll_interval_ms = poll_interval_setting;
	settings.ca_file = ca_file_setting != nullptr ? ca_file_setting : "";
	settings.allowed_endpoint_hosts = AllowedEndpointHosts();
	settings.credentials_directory = CredentialsDirectory();
	return settings;
}

const char *AllowedEndpointHosts() {
	return allowed_endpoint_hosts_setting != nullptr ? allowed_endpoint_hosts_setting : "";
}

const char *CredentialsDirectory() {
	return credentials_directory_setting != nullptr ? credentials_directory_setting : "";
}

const char *DefaultRegion() {
	return default_region_setting != nullptr ? default_region_setting : "US";
}

bool DefaultRegionGiven() {
	return default_region_given;
}

} // namespace capi::pg
