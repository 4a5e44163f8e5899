#include "core/dispatch/dry_run.hpp"

#include <utility>

namespace capi::dispatch {
namespace {

constexpr std::uint64_t kChunk = 1;

DryRunVerdict VerdictOf(const EventFailure &failure) {
	if (failure.skipped)
		return DryRunVerdict::kSkipped;
	switch (failure.kind) {
	case FailureKind::kPermanent:
		return DryRunVerdict::kRejected;
	case FailureKind::kLocal:
		return DryRunVerdict::kInvalid;
	case FailureKind::kTransient:
		break;
	}
	return DryRunVerdict::kError;
}

PipelineSettings DryRunSettings(PipelineSettings settings) {
	settings.backoff.max_attempts = 1;
	settings.circuit_failures = 0;
	settings.max_token_failures = 1;
	return settings;
}

} // namespace

const char *DryRunVerdictName(DryRunVerdict verdict) noexcept {
	switch (verdict) {
	case DryRunVerdict::kAccepted:
		return "accepted";
	case DryRunVerdict::kRejected:
		return "rejected";
	case DryRunVerdict::kInvalid:
		return "invalid";
	case DryRunVerdict::kSkipped:
		return "skipped";
	case DryRunVerdict::kError:
		break;
	}
	return "error";
}

DryRun::DryRun(Destination destination, const PlatformAdapter &adapter, PipelineSettings settings,
               std::vector<OutboxEvent> events, std::int64_t now_ms, std::uint64_t rng_seed) {
	results_.resize(events.size());
	const TestModeSupport mode = adapter.TestMode();
	std::vector<OutboxEvent> sent;
	for (std::size_t i = 0; i < events.size(); ++i) {
		results_[i].index = i;
		if (mode.may_keep_events && events[i].event_id.empty() && events[i].unreadable_reason.empty()) {
			results_[i].verdict = DryRunVerdict::kSkipped;
			results_[i].message = "not sent in a dry run: " + std::string(mode.name) +
			                      " may keep test events, and without an event_id the platform could not "
			                      "deduplicate the real delivery that follows";
			continue;
		}
		chunk_to_event_.push_back(i);
		sent.push_back(std::move(events[i]));
	}
	pipeline_ = std::make_unique<DestinationPipeline>(std::move(destination), adapter,
	                                                  DryRunSettings(std::move(settings)), rng_seed);
	pipeline_->AddChunk(kChunk, std::move(sent), now_ms);
	CheckDone(now_ms);
}

void DryRun::Record(std::size_t chunk_index, DryRunVerdict verdict, std::string message) {
	if (chunk_index >= chunk_to_event_.size())
		return;
	DryRunResult &result = results_[chunk_to_event_[chunk_index]];
	result.verdict = verdict;
	result.message = std::move(message);
}

// Done when the chunk settled (every event answered), or when the destination paused: then the
// events still waiting get the pause's reason, and those neither failed nor waiting were accepted.
void DryRun::CheckDone(std::int64_t now_ms) {
	if (done_)
		return;
	for (SettledChunk &settled : pipeline_->TakeSettled()) {
		for (std::size_t i = 0; i < chunk_to_event_.size(); ++i)
			Record(i, DryRunVerdict::kAccepted, "");
		for (EventFailure &failure : settled.failed)
			Record(failure.index, VerdictOf(failure), std::move(failure.reason));
		done_ = true;
		return;
	}
	if (!pipeline_->Paused(now_ms))
		return;
	std::optional<ChunkProgress> progress = pipeline_->Progress(kChunk);
	for (std::size_t i = 0; i < chunk_to_event_.size(); ++i)
		Record(i, DryRunVerdict::kAccepted, "");
	if (progress) {
		for (EventFailure &failure : progress->failed)
			Record(failure.index, VerdictOf(failure), std::move(failure.reason));
		for (std::size_t index : progress->waiting)
			Record(index, DryRunVerdict::kError, pipeline_->pause_reason());
	}
	done_ = true;
}

std::vector<http::Request> DryRun::TakeRequests(std::int64_t now_ms) {
	if (done_)
		return {};
	std::vector<http::Request> requests = pipeline_->TakeRequests(now_ms);
	CheckDone(now_ms);
	if (done_)
		requests.clear(); // built, then the destination paused: nothing more is sent
	return requests;
}

void DryRun::OnResponse(const http::Response &response, std::int64_t now_ms) {
	if (done_ || !pipeline_->Owns(response.id))
		return;
	pipeline_->OnResponse(response, now_ms);
	CheckDone(now_ms);
}

std::optional<std::int64_t> DryRun::NextDueMs() const {
	return done_ ? std::nullopt : pipeline_->NextDueMs();
}

} // namespace capi::dispatch
