// capi.dry_run without PostgreSQL and without I/O: sends events once to a destination in its
// platform's test or validate mode (test_mode.hpp) and says what the platform made of each one.
//
// It drives a DestinationPipeline, so a dry run builds, checks, groups, splits and classifies exactly
// as the worker does (one bad event among a rejected batch is found by the same splitting), with
// these differences: each request is sent once (a transient failure is the event's answer, not a
// reason to wait and retry), an OAuth token request that fails transiently is not retried, the
// circuit never opens, and a reply that would pause the destination (invalid credentials, unknown
// account, a refused token grant) ends the dry run: the events still waiting get that reply as their
// answer. Nothing here writes anything; the caller (src/pg/dry_run_function.cpp) only reads.
//
// Driven like the worker drives a pipeline: TakeRequests, send, OnResponse with each answer, wait
// until NextDueMs or an answer, until Done; then Results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/pipeline.hpp"
#include "core/http/request.hpp"

namespace capi::dispatch {

enum class DryRunVerdict {
	kAccepted, // the platform's test mode accepted the event
	kRejected, // the platform refused the event (its words in the message)
	kInvalid,  // refused before sending, as the worker would refuse it (too old, a field missing, ...)
	kSkipped,  // not sent by design: consent, no mapping for its name, or no event_id where the
	           // platform may keep test events (the real delivery could not be deduplicated)
	kError,    // no verdict: the platform did not answer, answered with a transient error, or refused
	           // the destination itself (credentials, account); the message says which
};

// "accepted", "rejected", "invalid", "skipped" or "error".
const char *DryRunVerdictName(DryRunVerdict verdict) noexcept;

struct DryRunResult {
	std::size_t index = 0; // position in the events given to DryRun
	DryRunVerdict verdict = DryRunVerdict::kError;
	std::string message; // the platform's words or the reason, secrets redacted; "" when accepted
};

class DryRun {
public:
	// destination must be in test mode already (InTestMode); settings are the worker's, adjusted here
	// (one send per request, no circuit, no token retries). The adapter must outlive the DryRun.
	DryRun(Destination destination, const PlatformAdapter &adapter, PipelineSettings settings,
	       std::vector<OutboxEvent> events, std::int64_t now_ms, std::uint64_t rng_seed);

	std::vector<http::Request> TakeRequests(std::int64_t now_ms);
	void OnResponse(const http::Response &response, std::int64_t now_ms);
	// When something becomes due without an answer arriving (a rate-limit slot); nullopt when only
	// answers are awaited.
	std::optional<std::int64_t> NextDueMs() const;
	bool Done() const noexcept { return done_; }
	// One result per event given, in their order. Valid once Done.
	const std::vector<DryRunResult> &Results() const noexcept { return results_; }

private:
	void CheckDone(std::int64_t now_ms);
	void Record(std::size_t chunk_index, DryRunVerdict verdict, std::string message);

	std::unique_ptr<DestinationPipeline> pipeline_;
	std::vector<std::size_t> chunk_to_event_; // the pipeline's chunk holds only the events sent
	std::vector<DryRunResult> results_;
	bool done_ = false;
};

} // namespace capi::dispatch

#include "core/cpp_only.hpp"
