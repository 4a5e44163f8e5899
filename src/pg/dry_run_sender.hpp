// Runs a dry run's HTTP from the calling backend (capi.dry_run): requests go out over libcurl's
// multi interface and the backend waits for their answers on one WaitEventSet holding its latch and
// the sockets libcurl wants watched (as the worker does). PostgreSQL's signal handlers set that latch,
// so a query cancel, a statement_timeout or a terminate request stops the wait at once: the transfers
// are dropped as the C++ objects unwind, and PostgreSQL then reports the interrupt (guard.hpp).
#pragma once

#include "core/dispatch/dry_run.hpp"
#include "core/http/client.hpp"

namespace capi::pg {

// Drives dry_run until Done. Throws capi::Interrupted on a pending cancel or terminate (InvokeCpp
// turns it into PostgreSQL's own error), PgError for a PostgreSQL error, capi::Error otherwise.
void RunDryRun(dispatch::DryRun &dry_run, const http::ClientOptions &options);

} // namespace capi::pg

#include "core/cpp_only.hpp"
