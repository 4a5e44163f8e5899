// The capi.* settings as the core's delivery objects take them: shared by the worker and by
// capi.dry_run, so that a dry run sends as the worker would (same timeouts, CA bundle, endpoint
// allowlist, batch size and rate limits).
#pragma once

#include "core/dispatch/pipeline.hpp"
#include "core/http/client.hpp"
#include "pg/guc.hpp"

namespace capi::pg {

dispatch::PipelineSettings PipelineSettingsFrom(const WorkerSettings &settings);

// max_concurrent: transfers the client runs at once (the pipelines keep their own limits).
http::ClientOptions ClientOptionsFrom(const WorkerSettings &settings, std::size_t max_concurrent);

} // namespace capi::pg
