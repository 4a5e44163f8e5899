#include "pg/worker/delivery_loop.hpp"

#include "core/dispatch/adapter.hpp"
#include "core/dispatch/pipeline.hpp"
#include "core/http/client.hpp"
#include "pg/delivery_settings.hpp"
#include "pg/guc.hpp"
#include "pg/shared_state.hpp"
#include "pg/worker/credential_file_reader.hpp"
#include "pg/worker/delivery_store.hpp"
#include "pg/worker/spi_session.hpp"
#include "pg/worker/wait_set.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
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

// Window chunks are numbered by their capi.batches id; requeued ones (capi.event_deliveries) from here.
constexpr std::uint64_t kRequeueChunkBase = 1ULL << 62;

bool IsRequeueChunk(std::uint64_t chunk_id) {
	return chunk_id >= kRequeueChunkBase;
}
constexpr std::int64_t kReadyCheckMs = 1000;
constexpr std::int64_t kDropCheckMs = 1000;
constexpr std::int64_t kReloadMs = 60000;
constexpr std::int64_t kRequeueCheckMs = 1000;
constexpr std::int64_t kPurgeIdleMs = 10000;

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

class DeliveryLoop {
public:
	int Run();

private:
	struct WindowChunk {
		std::uint64_t chunk_id = 0;
		Position last;
		bool settled = false;
	};
	struct DestinationState {
		DestinationRow row;
		std::unique_ptr<dispatch::DestinationPipeline> pipeline;
		std::string window_start;
		std::string window_end; // "" = no window open
		std::optional<Position> read_after;
		std::optional<Position> acked;
		bool window_exhausted = false;
		bool maybe_new_rows = true;
		bool cursor_dirty = false;
		std::deque<WindowChunk> window_chunks;
		std::int64_t next_requeue_check_ms = 0;
		std::int64_t stored_pause_until_ms = 0; // as capi.cursors says
	};

	void Start();
	void ApplySettings();
	void ReloadDestinations();
	void Fill(DestinationState &state, std::int64_t now);
	bool FillFromRequeue(DestinationState &state, long limit);
	bool FillFromWindow(DestinationState &state, long limit);
	void CompleteWindow(DestinationState &state);
	void Submit(std::int64_t now);
	void Persist(std::int64_t now);
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
	std::uint64_t next_requeue_chunk_ = kRequeueChunkBase;
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

void DeliveryLoop::ReloadDestinations() {
	std::vector<DestinationRow> rows = LoadDestinations();
	std::map<std::string, DestinationState> next;
	for (DestinationRow &row : rows) {
		const dispatch::PlatformAdapter *adapter =
		    dispatch::FindAdapter(identity::ParsePlatform(row.platform));
		auto existing = destinations_.find(row.name);
		if (existing != destinations_.end() && adapter != nullptr) {
			DestinationState state = std::move(existing->second);
			// Any UPDATE of the row (even one that rewrites the same values, as a DBA does after fixing
			// the account on the platform's side) applies it and ends a pause.
			// So does a credential file that changed, appeared or became usable (or unusable).
			const bool row_changed = state.row.row_version != row.row_version;
			CursorRow cursor = state.row.cursor;
			state.row = std::move(row);
			state.row.cursor = cursor; // the in-memory position is newer than the stored one
			dispatch::Destination destination = DestinationFrom(state.row, settings_);
			const dispatch::Destination &current = state.pipeline->destination();
			if (row_changed || destination.credentials_json != current.credentials_json ||
			    destination.credentials_unavailable != current.credentials_unavailable)
				state.pipeline->Update(std::move(destination), PipelineSettingsFrom(settings_));
			state.maybe_new_rows = true;
			state.next_requeue_check_ms = 0;
			next.emplace(state.row.name, std::move(state));
			continue;
		}
		if (adapter == nullptr)
			continue; // refused when saved; nothing to deliver with
		DestinationState state;
		state.pipeline = std::make_unique<dispatch::DestinationPipeline>(
		    DestinationFrom(row, settings_), *adapter, PipelineSettingsFrom(settings_),
		    ++rng_seed_ ^ static_cast<std::uint64_t>(NowMs()));
		state.window_start = row.cursor.window_start;
		state.window_end = row.cursor.window_end;
		if (!state.window_end.empty()) {
			state.read_after = row.cursor.done;
			state.acked = row.cursor.done;
		}
		state.stored_pause_until_ms = row.cursor.paused_until_ms;
		state.row = std::move(row);
		next.emplace(state.row.name, std::move(state));
	}
	// Destinations that disappeared: their requests' responses are ignored from now on.
	for (auto it = request_owner_.begin(); it != request_owner_.end();)
		it = next.count(it->second) ? std::next(it) : request_owner_.erase(it);
	destinations_ = std::move(next);
	next_reload_ms_ = NowMs() + kReloadMs;
}

void DeliveryLoop::CompleteWindow(DestinationState &state) {
	state.window_start = state.window_end;
	state.window_end.clear();
	state.read_after.reset();
	state.acked.reset();
	state.window_exhausted = false;
	state.cursor_dirty = true;
}

bool DeliveryLoop::FillFromRequeue(DestinationState &state, long limit) {
	ClaimedRequeue claimed = ClaimRequeued(state.row.name, state.row.platform, limit);
	if (claimed.events.empty())
		return false;
	state.pipeline->AddChunk(next_requeue_chunk_++, std::move(claimed.events), NowMs());
	return true;
}

bool DeliveryLoop::FillFromWindow(DestinationState &state, long limit) {
	if (state.window_end.empty()) {
		if (!state.maybe_new_rows)
			return false;
		state.maybe_new_rows = false;
	} else if (state.window_exhausted) {
		return false;
	}
	// Several chunks per claim transaction when the pipeline has room: fewer transactions per event.
	const int free_slots = settings_.max_concurrent_requests - static_cast<int>(state.pipeline->ChunksHeld());
	const int max_chunks = std::clamp(free_slots, 1, 4);
	ClaimedWindow claimed = ClaimWindowChunks(state.row.name, state.row.platform, state.window_start,
	                                          state.window_end, state.read_after, limit, max_chunks);
	if (claimed.chunks.empty()) {
		if (state.window_end.empty()) {
			// A new window with nothing for this destination: move past it without a write now.
			if (!claimed.window_end.empty() && claimed.window_end != state.window_start) {
				state.window_start = claimed.window_end;
				state.cursor_dirty = true;
			}
		} else {
			state.window_exhausted = true;
			if (state.window_chunks.empty())
				CompleteWindow(state);
		}
		return false;
	}
	state.window_end = claimed.window_end;
	const std::int64_t now = NowMs();
	for (ClaimedWindowChunk &chunk : claimed.chunks) {
		state.read_after = chunk.last;
		const std::uint64_t chunk_id = static_cast<std::uint64_t>(chunk.batch_id);
		state.window_chunks.push_back(WindowChunk{chunk_id, chunk.last, false});
		state.pipeline->AddChunk(chunk_id, std::move(chunk.events), now);
	}
	// Fewer rows than asked for: the window has nothing more (saves a query that would find nothing).
	if (claimed.exhausted)
		state.window_exhausted = true;
	return true;
}

void DeliveryLoop::Fill(DestinationState &state, std::int64_t now) {
	if (!state.row.enabled)
		return;
	const dispatch::PlatformAdapter *adapter =
	    dispatch::FindAdapter(identity::ParsePlatform(state.row.platform));
	long limit = static_cast<long>(adapter->MaxBatchSize());
	if (settings_.batch_size > 0 && settings_.batch_size < limit)
		limit = settings_.batch_size;
	while (state.pipeline->WantsChunk(now)) {
		if (now >= state.next_requeue_check_ms) {
			if (FillFromRequeue(state, limit))
				continue;
			state.next_requeue_check_ms = now + kRequeueCheckMs;
		}
		if (!FillFromWindow(state, limit)) {
			// A window that just completed may be followed at once by the next one.
			if (state.window_end.empty() && state.maybe_new_rows)
				continue;
			break;
		}
	}
}

void DeliveryLoop::Submit(std::int64_t now) {
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

void DeliveryLoop::Persist(std::int64_t now) {
	std::vector<ChunkAck> acks;
	std::vector<RetryNotice> retries;
	std::vector<CursorUpdate> cursors;
	std::vector<std::pair<std::string, std::pair<std::int64_t, std::string>>> pauses;
	const bool flush_cursors = now >= next_cursor_flush_ms_;
	for (auto &[name, state] : destinations_) {
		bool cursor_moved = false;
		for (dispatch::SettledChunk &settled : state.pipeline->TakeSettled()) {
			ChunkAck ack;
			ack.requeue = IsRequeueChunk(settled.chunk_id);
			ack.batch_id = static_cast<std::int64_t>(settled.chunk_id);
			ack.destination = name;
			ack.settled = std::move(settled);
			if (!ack.requeue)
				for (WindowChunk &chunk : state.window_chunks)
					if (chunk.chunk_id == ack.settled.chunk_id)
						chunk.settled = true;
			acks.push_back(std::move(ack));
		}
		while (!state.window_chunks.empty() && state.window_chunks.front().settled) {
			state.acked = state.window_chunks.front().last;
			state.window_chunks.pop_front();
			cursor_moved = true;
		}
		if (state.window_exhausted && state.window_chunks.empty() && !state.window_end.empty())
			CompleteWindow(state);
		if (cursor_moved || (state.cursor_dirty && flush_cursors)) {
			cursors.push_back(CursorUpdate{name, state.window_start, state.window_end,
			                               state.window_end.empty() ? std::nullopt : state.acked});
			state.cursor_dirty = false;
		}
		for (dispatch::RetryingChunk &retrying : state.pipeline->TakeRetrying()) {
			RetryNotice notice;
			notice.requeue = IsRequeueChunk(retrying.chunk_id);
			notice.batch_id = static_cast<std::int64_t>(retrying.chunk_id);
			notice.destination = name;
			if (const std::vector<dispatch::OutboxEvent> *events =
			        state.pipeline->ChunkEvents(retrying.chunk_id);
			    notice.requeue && events != nullptr)
				for (const dispatch::OutboxEvent &event : *events)
					notice.outbox_ids.push_back(event.outbox_id);
			notice.retrying = retrying;
			retries.push_back(std::move(notice));
		}
		if (state.pipeline->TakePauseChanged() ||
		    (state.stored_pause_until_ms != 0 && !state.pipeline->Paused(now))) {
			// A new pause, or one that ended (by an update or by time): capi.cursors tells the truth.
			const std::int64_t until = state.pipeline->Paused(now) ? state.pipeline->paused_until_ms() : 0;
			if (until != state.stored_pause_until_ms)
				pauses.push_back(
				    {name, {until, until != 0 ? state.pipeline->pause_reason() : std::string()}});
			state.stored_pause_until_ms = until;
		}
	}
	if (flush_cursors)
		next_cursor_flush_ms_ = now + 1000;
	if (!acks.empty() || !cursors.empty())
		StoreOutcomes(acks, cursors);
	if (!retries.empty())
		StoreRetrying(retries);
	for (auto &[name, pause] : pauses) {
		// paused_by: what paused it (capi.stats reads circuit_open from it)
		StorePause(name, pause.first, pause.second,
		           pause.first != 0 ? dispatch::PauseCauseName(destinations_.at(name).pipeline->pause_cause())
		                            : "");
		if (pause.first != 0)
			Log("destination \"" + name + "\" paused: " + pause.second);
		else
			Log("destination \"" + name + "\" resumed");
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
		const bool can_read =
		    state.pipeline->WantsChunk(now) && ((!state.window_end.empty() && !state.window_exhausted) ||
		                                        (state.window_end.empty() && state.maybe_new_rows));
		if (can_read)
			return 0;
		if (auto due = state.pipeline->NextDueMs())
			deadline = std::min(deadline, *due);
		const bool has_rows = (!state.window_end.empty() && !state.window_exhausted) ||
		                      (state.window_end.empty() && state.maybe_new_rows);
		if (has_rows)
			if (auto slot = state.pipeline->ChunkWantedAtMs(now)) // rate limit: read at the next slot
				deadline = std::min(deadline, *slot);
		if (state.pipeline->WantsChunk(now))
			deadline = std::min(deadline, state.next_requeue_check_ms);
		if (state.cursor_dirty)
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
				Persist(now); // acknowledge what the last wait brought before claiming more
				for (auto &[name, state] : destinations_)
					Fill(state, now);
				Submit(now);
				Persist(now);
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
				state.maybe_new_rows = true;
		for (const SocketReady &socket : woken.sockets)
			client_->OnSocket(socket.fd, socket.readable, socket.writable);
		if (client_->NextTimeoutMs() == 0)
			client_->OnTimeout();
		for (const http::Response &response : client_->TakeCompleted())
			Route(response, now);
		if (now >= next_poll_ms_) {
			next_poll_ms_ = now + settings_.poll_interval_ms;
			for (auto &[name, state] : destinations_)
				state.maybe_new_rows = true; // a poll: catches rows whose wake-up was missed
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
