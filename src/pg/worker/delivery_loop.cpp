#include "pg/worker/delivery_loop.hpp"

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/pipeline.hpp"
#include "core/http/client.hpp"
#include "pg/delivery_settings.hpp"
#include "pg/guc.hpp"
#include "pg/shared_state.hpp"
#include "pg/worker/credential_file_reader.hpp"
#include "pg/worker/delivery_store.hpp"
#include "pg/worker/retention_store.hpp"
#include "pg/worker/spi_session.hpp"
#include "pg/worker/wait_set.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pg/guard.hpp"

extern "C" {
#include "miscadmin.h"
#include "postmaster/interrupt.h"
#include "utils/guc.h"
}

namespace capi::pg::worker {
namespace {

constexpr std::int64_t kReadyCheckMs = 1000;
constexpr std::int64_t kDropCheckMs = 1000;
constexpr std::int64_t kReloadMs = 60000;
constexpr std::int64_t kRequeueCheckMs = 1000;
constexpr std::int64_t kPurgeIdleMs = 10000;
constexpr std::int64_t kCursorFlushMs = 1000;

std::int64_t NowMs() {
	return std::chrono::duration_cast<std::chrono::milliseconds>(
	           std::chrono::system_clock::now().time_since_epoch())
	    .count();
}

void Log(const std::string &message) {
	const char *text = message.c_str();
	PgCall([&] { ereport(LOG, (errmsg("pg_capi worker: %s", text))); });
}

// The destination as the pipeline takes it, its credential files read (credential_file_reader.hpp):
// each call reads them again, so a reload, a change of capi.destinations or the minute's reload
// picks up a rotated file.
dispatch::Destination DestinationFrom(const DestinationRow &row, const WorkerSettings &settings) {
	dispatch::Destination destination;
	destination.name = row.name;
	destination.platform = identity::ParsePlatform(row.platform);
	destination.config_json = row.config_json;
	destination.credentials_json = row.credentials_json;
	destination.endpoint_override = row.endpoint;
	return WithCredentialFiles(std::move(destination), settings.credentials_directory);
}

// The delivery protocol (docs/architecture.md, "Delivery"), per destination: claim rows (a short
// transaction recording each chunk as a batch), send them (the pipeline and the HTTP client; no
// transaction open), acknowledge the settled batches (a short transaction that also moves the
// cursor). Each round acknowledges what the last wait brought before it claims more.
class DeliveryLoop {
public:
	int Run();

private:
	struct DestinationState {
		DestinationRow row;
		std::unique_ptr<dispatch::DestinationPipeline> pipeline;
		outbox::WindowCursor cursor;
		outbox::HeldChunks held;
		outbox::StoredPause stored_pause;
		std::int64_t next_requeue_check_ms = 0;
	};

	void Start();
	void ApplySettings();
	void ReloadDestinations();
	void Claim(DestinationState &state, std::int64_t now);
	bool ClaimRequeued(DestinationState &state, long limit);
	bool ClaimFromWindow(DestinationState &state, long limit);
	void Send(std::int64_t now);
	void Acknowledge(std::int64_t now);
	void Route(const http::Response &response, std::int64_t now);
	void MaybePurge(std::int64_t now);
	long Timeout(std::int64_t now) const;
	void ForgetEverything();

	WorkerSettings settings_{};
	std::string ca_file_;
	std::unique_ptr<http::Client> client_;
	WaitSet wait_;
	std::map<std::string, DestinationState> destinations_;
	std::map<std::uint64_t, std::string> request_owner_;
	bool ready_ = false;
	std::string reported_waiting_reason_;
	std::uint64_t generation_ = 0;
	std::int64_t next_ready_check_ms_ = 0;
	std::int64_t next_drop_check_ms_ = 0;
	std::int64_t next_reload_ms_ = 0;
	std::int64_t next_purge_ms_ = 0;
	std::int64_t next_cursor_flush_ms_ = 0;
	std::int64_t next_poll_ms_ = 0;
	std::uint64_t rng_seed_ = 0;
};

void DeliveryLoop::ApplySettings() {
	settings_ = CurrentWorkerSettings();
	for (auto &[name, state] : destinations_)
		if (state.pipeline)
			state.pipeline->Update(DestinationFrom(state.row, settings_), PipelineSettingsFrom(settings_));
	if (!client_ || (settings_.ca_file != ca_file_ && client_->InFlight() + client_->Queued() == 0)) {
		// 256 transfers at once: the per-destination limits are the pipelines'.
		client_ = std::make_unique<http::Client>(ClientOptionsFrom(settings_, 256));
		ca_file_ = settings_.ca_file;
		request_owner_.clear();
	}
}

// (Re)starts work in this database: stale leases are released and destinations read.
void DeliveryLoop::Start() {
	std::string waiting_reason;
	ready_ = ExtensionReady(&waiting_reason);
	if (ready_)
		ready_ = PrepareDeliveryState(&waiting_reason); // a restore from another cluster: rebased first
	if (!waiting_reason.empty() && waiting_reason != reported_waiting_reason_)
		Log(waiting_reason);
	reported_waiting_reason_ = waiting_reason;
	if (!ready_)
		return;
	ForgetEverything();
	ReleaseStaleLeases();
	generation_ = SettingsGeneration();
	ReloadDestinations();
	Log("delivering from capi.outbox (" + std::to_string(destinations_.size()) + " destinations)");
}

void DeliveryLoop::ForgetEverything() {
	if (client_)
		client_->AbortAll();
	request_owner_.clear();
	destinations_.clear();
}

// Destinations already known keep their cursor (newer in memory than in capi.cursors); new ones
// start from their stored cursor.
void DeliveryLoop::ReloadDestinations() {
	std::vector<LoadedDestination> loaded = LoadDestinations();
	std::map<std::string, DestinationState> next;
	for (LoadedDestination &destination : loaded) {
		DestinationRow &row = destination.row;
		const dispatch::PlatformAdapter *adapter =
		    dispatch::FindAdapter(identity::ParsePlatform(row.platform));
		if (adapter == nullptr)
			continue; // refused when saved; nothing to deliver with
		auto existing = destinations_.find(row.name);
		if (existing != destinations_.end()) {
			DestinationState state = std::move(existing->second);
			// Any UPDATE of the row (even one that rewrites the same values, as a DBA does after fixing
			// the account on the platform's side) applies it and ends a pause.
			// So does a credential file that changed, appeared or became usable (or unusable).
			const bool row_changed = state.row.row_version != row.row_version;
			state.row = std::move(row);
			dispatch::Destination updated = DestinationFrom(state.row, settings_);
			const dispatch::Destination &current = state.pipeline->destination();
			if (row_changed || updated.credentials_json != current.credentials_json ||
			    updated.credentials_unavailable != current.credentials_unavailable)
				state.pipeline->Update(std::move(updated), PipelineSettingsFrom(settings_));
			state.cursor.NoteNewRows();
			state.next_requeue_check_ms = 0;
			next.emplace(state.row.name, std::move(state));
			continue;
		}
		std::vector<outbox::SettledRange> settled = SettledBeyondPrefix(row.name, destination.cursor);
		DestinationState state{DestinationRow(),
		                       std::make_unique<dispatch::DestinationPipeline>(
		                           DestinationFrom(row, settings_), *adapter, PipelineSettingsFrom(settings_),
		                           ++rng_seed_ ^ static_cast<std::uint64_t>(NowMs())),
		                       outbox::WindowCursor(std::move(destination.cursor), std::move(settled)),
		                       outbox::HeldChunks(),
		                       outbox::StoredPause(destination.paused_until_ms),
		                       0};
		state.row = std::move(row);
		next.emplace(state.row.name, std::move(state));
	}
	// Destinations that disappeared: their requests' responses are ignored from now on.
	for (auto it = request_owner_.begin(); it != request_owner_.end();)
		it = next.count(it->second) ? std::next(it) : request_owner_.erase(it);
	destinations_ = std::move(next);
	next_reload_ms_ = NowMs() + kReloadMs;
}

bool DeliveryLoop::ClaimRequeued(DestinationState &state, long limit) {
	ClaimedRequeue claimed = worker::ClaimRequeued(state.row.name, state.row.platform, limit);
	if (claimed.events.empty())
		return false;
	const std::uint64_t chunk_id = state.held.Hold(outbox::ChunkOrigin::Requeued());
	state.pipeline->AddChunk(chunk_id, std::move(claimed.events), NowMs());
	return true;
}

bool DeliveryLoop::ClaimFromWindow(DestinationState &state, long limit) {
	const std::optional<outbox::ClaimRange> range = state.cursor.NextClaim();
	if (!range)
		return false;
	// Several chunks per claim transaction when the pipeline has room: fewer transactions per event.
	const int free_slots = settings_.max_concurrent_requests - static_cast<int>(state.pipeline->ChunksHeld());
	const int max_chunks = std::clamp(free_slots, 1, 4);
	if (range->window_end.empty())
		ArmCommitWakeUp(); // a new window: the next commit after its snapshot must wake this worker
	ClaimedWindow claimed = ClaimWindow(state.row.name, state.row.platform, *range, limit, max_chunks);
	state.cursor.Claimed(claimed.claim);
	const std::int64_t now = NowMs();
	for (std::size_t i = 0; i < claimed.claim.batches.size(); ++i) {
		const std::uint64_t chunk_id =
		    state.held.Hold(outbox::ChunkOrigin::WindowBatch(claimed.claim.batches[i].batch));
		state.pipeline->AddChunk(chunk_id, std::move(claimed.batch_events[i]), now);
	}
	// Rows read but all dropped (settled before a restart) are progress too: claim on.
	return !claimed.claim.batches.empty() || (claimed.claim.read_up_to && !claimed.claim.exhausted);
}

void DeliveryLoop::Claim(DestinationState &state, std::int64_t now) {
	if (!state.row.enabled)
		return;
	const dispatch::PlatformAdapter *adapter =
	    dispatch::FindAdapter(identity::ParsePlatform(state.row.platform));
	long limit = static_cast<long>(adapter->MaxBatchSize());
	if (settings_.batch_size > 0 && settings_.batch_size < limit)
		limit = settings_.batch_size;
	while (state.pipeline->WantsChunk(now)) {
		if (now >= state.next_requeue_check_ms) {
			if (ClaimRequeued(state, limit))
				continue;
			state.next_requeue_check_ms = now + kRequeueCheckMs;
		}
		if (!ClaimFromWindow(state, limit)) {
			// A window that just completed may be followed at once by the next one.
			if (!state.cursor.WindowOpen() && state.cursor.MayHaveRows())
				continue;
			break;
		}
	}
}

void DeliveryLoop::Send(std::int64_t now) {
	for (auto &[name, state] : destinations_) {
		for (http::Request &request : state.pipeline->TakeRequests(now)) {
			const std::uint64_t id = request.id;
			try {
				client_->Submit(std::move(request));
				request_owner_[id] = name;
			} catch (const Error &error) {
				http::Response failed;
				failed.id = id;
				failed.error = http::TransportError::kOther;
				failed.error_text = error.what();
				state.pipeline->OnResponse(failed, now);
			}
		}
	}
}

void DeliveryLoop::Route(const http::Response &response, std::int64_t now) {
	auto owner = request_owner_.find(response.id);
	if (owner == request_owner_.end())
		return;
	auto state = destinations_.find(owner->second);
	request_owner_.erase(owner);
	if (state != destinations_.end())
		state->second.pipeline->OnResponse(response, now);
}

// Stores what the pipelines settled (and the cursors it moved), the batches waiting for a resend
// and changes of pause.
void DeliveryLoop::Acknowledge(std::int64_t now) {
	struct PauseNotice {
		std::string destination;
		outbox::PauseChange change;
	};
	std::vector<ChunkAck> acks;
	std::vector<RetryNotice> retries;
	std::vector<CursorUpdate> cursors;
	std::vector<PauseNotice> pauses;
	const bool flush_cursors = now >= next_cursor_flush_ms_;
	for (auto &[name, state] : destinations_) {
		for (dispatch::SettledChunk &settled : state.pipeline->TakeSettled()) {
			const std::optional<outbox::ChunkOrigin> origin = state.held.Release(settled.chunk_id);
			if (!origin)
				continue;
			if (!origin->requeued())
				state.cursor.Acknowledge(origin->batch);
			acks.push_back(ChunkAck{*origin, name, std::move(settled)});
		}
		if (std::optional<outbox::StoredCursor> cursor = state.cursor.TakeChange(flush_cursors))
			cursors.push_back(CursorUpdate{name, std::move(*cursor)});
		for (dispatch::RetryingChunk &retrying : state.pipeline->TakeRetrying()) {
			const outbox::ChunkOrigin *origin = state.held.Find(retrying.chunk_id);
			if (origin == nullptr)
				continue;
			RetryNotice notice;
			notice.origin = *origin;
			notice.destination = name;
			if (const std::vector<dispatch::OutboxEvent> *events =
			        state.pipeline->ChunkEvents(retrying.chunk_id);
			    origin->requeued() && events != nullptr)
				for (const dispatch::OutboxEvent &event : *events)
					notice.outbox_ids.push_back(event.outbox_id);
			notice.retrying = retrying;
			retries.push_back(std::move(notice));
		}
		const bool pause_changed = state.pipeline->TakePauseChanged();
		if (std::optional<outbox::PauseChange> change =
		        state.stored_pause.Observe(pause_changed, state.pipeline->Paused(now),
		                                   state.pipeline->paused_until_ms(), state.pipeline->pause_reason()))
			pauses.push_back(PauseNotice{name, std::move(*change)});
	}
	if (flush_cursors)
		next_cursor_flush_ms_ = now + kCursorFlushMs;
	if (!acks.empty() || !cursors.empty())
		StoreAcknowledgements(acks, cursors);
	if (!retries.empty())
		StoreRetrying(retries);
	for (const PauseNotice &pause : pauses) {
		const bool paused = pause.change.paused_until_ms != 0;
		StorePause(pause.destination, pause.change,
		           paused
		               ? dispatch::PauseCauseName(destinations_.at(pause.destination).pipeline->pause_cause())
		               : std::string());
		if (paused)
			Log("destination \"" + pause.destination + "\" paused: " + pause.change.reason);
		else
			Log("destination \"" + pause.destination + "\" resumed");
	}
}

void DeliveryLoop::MaybePurge(std::int64_t now) {
	if (now < next_purge_ms_)
		return;
	const std::int64_t discarded =
	    DiscardExpiredFailures(settings_.failed_retention_s, settings_.purge_batch_size);
	if (discarded > 0)
		Log(std::to_string(discarded) + " failed event(s) older than capi.failed_retention discarded");
	const std::int64_t deleted = PurgeDelivered(settings_.delivered_retention_s, settings_.purge_batch_size);
	// A full batch means more is waiting: come back soon, but let delivery run in between.
	next_purge_ms_ = now + (deleted >= settings_.purge_batch_size ? 100 : kPurgeIdleMs);
}

long DeliveryLoop::Timeout(std::int64_t now) const {
	std::int64_t deadline = next_poll_ms_;
	deadline = std::min(deadline, next_drop_check_ms_);
	if (!ready_)
		deadline = std::min(deadline, next_ready_check_ms_);
	else
		deadline = std::min(deadline, next_purge_ms_);
	for (const auto &[name, state] : destinations_) {
		if (!state.row.enabled)
			continue;
		const bool may_have_rows = state.cursor.MayHaveRows();
		if (may_have_rows && state.pipeline->WantsChunk(now))
			return 0;
		if (auto due = state.pipeline->NextDueMs())
			deadline = std::min(deadline, *due);
		if (may_have_rows)
			if (auto slot = state.pipeline->ChunkWantedAtMs(now)) // rate limit: read at the next slot
				deadline = std::min(deadline, *slot);
		if (state.pipeline->WantsChunk(now))
			deadline = std::min(deadline, state.next_requeue_check_ms);
		if (state.cursor.ChangePending())
			deadline = std::min(deadline, next_cursor_flush_ms_);
	}
	if (client_) {
		const long curl_ms = client_->NextTimeoutMs();
		if (curl_ms >= 0)
			deadline = std::min(deadline, now + curl_ms);
	}
	return static_cast<long>(std::max<std::int64_t>(0, deadline - now));
}

int DeliveryLoop::Run() {
	ApplySettings();
	next_poll_ms_ = NowMs() + settings_.poll_interval_ms;
	while (!ShutdownRequestPending) {
		std::int64_t now = NowMs();
		if (ConfigReloadPending) {
			ConfigReloadPending = false;
			PgCall([] { ProcessConfigFile(PGC_SIGHUP); });
			ApplySettings();
			Log("configuration reloaded");
		}
		if (now >= next_drop_check_ms_) {
			if (DatabaseBeingDropped()) {
				Log("the database is being dropped: stopping");
				return 0;
			}
			next_drop_check_ms_ = now + kDropCheckMs;
		}
		try {
			if (!ready_ && now >= next_ready_check_ms_) {
				next_ready_check_ms_ = now + kReadyCheckMs;
				Start();
				SetWorkerDelivering(ready_); // capi.stats tells a waiting worker from a delivering one
			}
			if (ready_) {
				if (SettingsGeneration() != generation_ || now >= next_reload_ms_) {
					generation_ = SettingsGeneration();
					ReloadDestinations();
				}
				Acknowledge(now); // what the last wait brought, before claiming more
				for (auto &[name, state] : destinations_)
					Claim(state, now);
				Send(now);
				Acknowledge(now);
				MaybePurge(now);
			}
		} catch (const WorkerDbError &error) {
			// Logged already. The extension may have been dropped or altered: start over later.
			ready_ = false;
			SetWorkerDelivering(false);
			ForgetEverything();
			next_ready_check_ms_ = now + kReadyCheckMs;
		}

		wait_.Watch(client_->Watches(), client_->WatchesVersion());
		WaitResult woken = wait_.Wait(Timeout(NowMs()));
		now = NowMs();
		if (woken.latch_set)
			for (auto &[name, state] : destinations_)
				state.cursor.NoteNewRows(); // a commit
		for (const SocketReady &socket : woken.sockets)
			client_->OnSocket(socket.fd, socket.readable, socket.writable);
		if (client_->NextTimeoutMs() == 0)
			client_->OnTimeout();
		for (const http::Response &response : client_->TakeCompleted())
			Route(response, now);
		if (now >= next_poll_ms_) {
			next_poll_ms_ = now + settings_.poll_interval_ms;
			for (auto &[name, state] : destinations_)
				state.cursor.NoteNewRows(); // a poll: catches rows whose wake-up was missed
		}
	}
	// In-flight requests are dropped; their batches are read again by the next worker.
	if (client_)
		client_->AbortAll();
	return 0;
}

} // namespace

int RunDeliveryLoop() {
	// The loop's objects live on the heap so that this frame has none with a destructor when an
	// error is reported below.
	int status = 1;
	char message[512] = "";
	try {
		DeliveryLoop loop;
		status = loop.Run();
	} catch (const std::exception &error) {
		snprintf(message, sizeof message, "%s", error.what());
	} catch (...) {
		snprintf(message, sizeof message, "unknown C++ exception");
	}
	if (message[0] != '\0')
		ereport(LOG, (errmsg("pg_capi worker stopped after an error: %s", message)));
	return status;
}

} // namespace capi::pg::worker
