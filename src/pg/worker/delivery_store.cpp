#include "pg/worker/delivery_store.hpp"

#include "core/dispatch/settled_batch.hpp"
#include "core/outbox/window_snapshot.hpp"
#include "pg/cluster_identity.hpp"
#include "pg/worker/event_reader.hpp"
#include "pg/version.hpp"
#include "pg/worker/spi_session.hpp"

#include <algorithm>
#include <iterator>
#include <map>

#include <nlohmann/json.hpp>

#include "pg/guard.hpp"

namespace capi::pg::worker {
namespace {

std::string Text(const Value &value) {
	return value ? *value : std::string();
}

std::int64_t Int(const Value &value) {
	return value && !value->empty() ? std::stoll(*value) : 0;
}

Value PositionTxid(const std::optional<outbox::OutboxPosition> &position) {
	return position ? Value(std::to_string(position->txid)) : Value();
}

Value PositionId(const std::optional<outbox::OutboxPosition> &position) {
	return position ? Value(std::to_string(position->id)) : Value();
}

// The failures of a settled chunk as a JSON array for jsonb_to_recordset.
std::string FailuresJson(const ChunkAck &ack) {
	nlohmann::json failures = nlohmann::json::array();
	for (const dispatch::EventFailure &failure : ack.settled.failed) {
		const dispatch::OutboxEvent &event = ack.settled.event_rows.at(failure.index);
		failures.push_back(
		    {{"outbox_id", event.outbox_id},
		     {"event_id", event.event_id},
		     {"event_name", event.event_name},
		     {"attempts", failure.attempts},
		     {"status", failure.skipped ? "skipped" : "failed"},
		     {"failure_kind", failure.skipped ? nlohmann::json(nullptr)
		                                      : nlohmann::json(dispatch::FailureKindName(failure.kind))},
		     {"error", failure.reason}});
	}
	return failures.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DeliveredIdsJson(const ChunkAck &ack) {
	const std::vector<dispatch::OutboxEvent> &events = ack.settled.event_rows;
	std::vector<bool> failed(events.size(), false);
	for (const dispatch::EventFailure &failure : ack.settled.failed)
		failed.at(failure.index) = true;
	nlohmann::json ids = nlohmann::json::array();
	for (std::size_t i = 0; i < events.size(); ++i)
		if (!failed[i])
			ids.push_back(events[i].outbox_id);
	return ids.dump();
}

// A snapshot the worker stored or just took (pg_snapshot's text output).
outbox::WindowSnapshot Snapshot(const std::string &text) {
	std::optional<outbox::WindowSnapshot> snapshot = outbox::ParseWindowSnapshot(text);
	if (!snapshot)
		throw WorkerDbError("a window bound is not a pg_snapshot: " + text);
	return std::move(*snapshot);
}

// SQL for a Unix-milliseconds bigint parameter as a timestamptz, with exact argument types only.
#define CAPI_SQL_MS_TO_TIMESTAMPTZ(parameter)                                                                \
	"pg_catalog.to_timestamp(" parameter "::double precision / 1000::double precision)"

std::string BatchIdText(outbox::BatchId batch) {
	return std::to_string(static_cast<std::int64_t>(batch));
}

Value Optional(const std::string &text) {
	return text.empty() ? Value() : Value(text);
}

// Inside RunTransaction: records a claimed chunk of the window as a batch (its lease); returns its id.
outbox::BatchId RecordBatch(const std::string &destination, const std::string &window_start,
                            const std::string &window_end, const outbox::OutboxPosition &first,
                            const outbox::OutboxPosition &last, std::size_t events) {
	Rows rows =
	    Query("INSERT INTO capi.batches (destination, window_start, window_end, first_txid, "
	          "first_id, last_txid, last_id, events, status, attempts, last_attempt_at) "
	          "VALUES ($1, $2::pg_snapshot, $3::pg_snapshot, $4::xid8, $5::bigint, "
	          "$6::xid8, $7::bigint, $8::integer, 'in_flight', 1, pg_catalog.now()) RETURNING id",
	          {destination, window_start, window_end, std::to_string(first.txid), std::to_string(first.id),
	           std::to_string(last.txid), std::to_string(last.id), std::to_string(events)});
	return outbox::BatchId{Int(rows.at(0).at(0))};
}

// Inside RunTransaction: the one statement that moves a destination's cursor.
void StoreCursor(const std::string &destination, const outbox::StoredCursor &cursor) {
	Query("UPDATE capi.cursors SET window_start = $2::pg_snapshot, window_end = $3::pg_snapshot, "
	      "done_txid = $4::xid8, done_id = $5::bigint, updated_at = pg_catalog.now() WHERE destination = $1",
	      {destination, cursor.window_start, Optional(cursor.window_end), PositionTxid(cursor.done),
	       PositionId(cursor.done)});
}

} // namespace

// capi.cluster_identity.recorded_at when the worker last (re)started from the stored state.
static std::int64_t state_recorded_at = 0;

void RequireDeliveryState() {
	if (!LockExtensionIfPresent())
		throw WorkerDbError("pg_capi is not installed in this database, or is being dropped");
	if (InstalledExtensionVersion() != kLibraryVersion)
		throw WorkerDbError("pg_capi's version in this database changed");
	const ClusterIdentity identity = PgCall([] { return CurrentClusterIdentity(); });
	if (identity.from_another_cluster || identity.recorded_at != state_recorded_at)
		throw WorkerDbError("pg_capi's delivery state was restored or rebased");
}

bool ExtensionReady(std::string *waiting_reason) {
	bool ready = false;
	waiting_reason->clear();
	RunTransaction([&] {
		const std::string version = InstalledExtensionVersion();
		if (version.empty())
			return;
		if (version != kLibraryVersion) {
			*waiting_reason = "the extension pg_capi is at version " + version +
			                  " in this database and this library is " + kLibraryVersion +
			                  ": run ALTER EXTENSION pg_capi UPDATE (waiting)";
			return;
		}
		ready = LockExtensionIfPresent();
	});
	return ready;
}

bool PrepareDeliveryState(std::string *waiting_reason) {
	waiting_reason->clear();
	bool rebased = false;
	RunTransaction([&] {
		if (!LockExtensionIfPresent())
			throw WorkerDbError("pg_capi is not installed in this database, or is being dropped");
		if (!PgCall([] { return CurrentClusterIdentity(); }).from_another_cluster)
			return;
		Rows rows =
		    Query("SELECT c.rebase_waits::text, c.system_identifier::text FROM capi.cluster_identity c");
		if (!rows.empty() && Text(rows.at(0).at(0)) == "true") {
			*waiting_reason = "the delivery state in capi was restored from another database cluster (system "
			                  "identifier " +
			                  Text(rows.at(0).at(1)) +
			                  ") in several transactions: once the restore is complete, run SELECT "
			                  "capi.rebase_after_restore() (or insert into capi.outbox) (waiting)";
			return;
		}
		Query("SELECT capi.rebase_after_restore()"); // logs what it did
		rebased = true;
	});
	if (!waiting_reason->empty())
		return false;
	// The state as of now (after the rebase, in a transaction of its own: its invalidation is processed).
	bool ready = false;
	RunTransaction([&] {
		if (!LockExtensionIfPresent())
			throw WorkerDbError("pg_capi is not installed in this database, or is being dropped");
		const ClusterIdentity identity = PgCall([] { return CurrentClusterIdentity(); });
		ready = !identity.from_another_cluster;
		state_recorded_at = identity.recorded_at;
	});
	if (!ready && rebased)
		throw WorkerDbError("pg_capi's delivery state still names another cluster after the rebase");
	return ready;
}

void ReleaseStaleLeases() {
	RunTransaction([&] {
		RequireDeliveryState();
		Query("UPDATE capi.batches SET status = 'abandoned' WHERE status IN ('in_flight', 'retrying')");
		Query("UPDATE capi.event_deliveries SET status = 'retrying', next_attempt_at = pg_catalog.now() "
		      "WHERE status = 'in_flight'");
	});
}

std::vector<LoadedDestination> LoadDestinations() {
	std::vector<LoadedDestination> destinations;
	RunTransaction([&] {
		RequireDeliveryState();
		Rows rows = Query(
		    "SELECT d.name, d.platform, d.enabled::text, d.config::text, d.credentials::text, d.endpoint, "
		    "c.window_start::text, c.window_end::text, c.done_txid::text, c.done_id, "
		    "(pg_catalog.date_part('epoch', c.paused_until) * 1000::double precision)::bigint, "
		    "d.xmin::text "
		    "FROM capi.destinations d JOIN capi.cursors c ON c.destination = d.name ORDER BY d.name");
		for (Row &row : rows) {
			LoadedDestination destination;
			destination.row.name = Text(row[0]);
			destination.row.platform = Text(row[1]);
			destination.row.enabled = Text(row[2]) == "true";
			destination.row.config_json = Text(row[3]);
			destination.row.credentials_json = Text(row[4]);
			destination.row.endpoint = Text(row[5]);
			destination.cursor.window_start = Text(row[6]);
			destination.cursor.window_end = Text(row[7]);
			if (row[8] && row[9])
				destination.cursor.done = outbox::OutboxPosition{std::stoull(*row[8]), Int(row[9])};
			destination.paused_until_ms = Int(row[10]);
			destination.row.row_version = Text(row[11]);
			destinations.push_back(std::move(destination));
		}
	});
	return destinations;
}

namespace {

// Inside RunTransaction: the window (start, end]'s rows for destination after `after`, in (txid, id)
// order, at most `wanted`: rows committed as of end and not as of start. Two ordered index scans,
// merged here: the xids from start's xmax on, and the rows of the transactions running at start and
// no longer at end (outbox::LateCommitters), which can commit later with a lower xid than rows already
// read: they are picked up, never skipped. (One scan from xmin(start) would rescan, for every window,
// all rows since the oldest transaction running at start; a UNION ALL lets the planner sort a whole
// window.) Each scan gets exactly one lower bound, so that the index scan starts there: with two (a
// scalar txid bound and a row comparison) btree starts from the first and filters the rest, which
// rescans every row already read in the window.
outbox::WindowRows ReadWindowRows(const std::string &destination, const std::string &platform,
                                  const std::string &window_start, const std::string &end,
                                  const std::optional<outbox::OutboxPosition> &after, long wanted) {
	const std::string tail = " AND pg_catalog.pg_visible_in_snapshot(o.txid, $2::pg_snapshot)"
	                         " AND (o.destinations IS NULL OR $5 = ANY (o.destinations))"
	                         " ORDER BY o.txid, o.id LIMIT $6::integer";
	const outbox::WindowSnapshot start_snapshot = Snapshot(window_start);
	const outbox::WindowSnapshot end_snapshot = Snapshot(end);
	const bool past_range_start = after && after->txid >= start_snapshot.xmax;
	const std::string range_bound = past_range_start
	                                    ? "(o.txid, o.id) > ($3::xid8, $4::bigint)"
	                                    : "o.txid >= pg_catalog.pg_snapshot_xmax($1::pg_snapshot)";
	const std::string range_sql = std::string("SELECT ") + kEventSelectList + " FROM capi.outbox o WHERE " +
	                              range_bound + " AND o.txid < pg_catalog.pg_snapshot_xmax($2::pg_snapshot)" +
	                              tail;
	const std::string late_sql =
	    std::string("SELECT ") + kEventSelectList +
	    " FROM capi.outbox o WHERE o.txid = ANY ($7::xid8[])"
	    " AND (o.txid, o.id) > (coalesce($3::xid8, '0'::xid8), coalesce($4::bigint, 0))" +
	    tail;
	std::vector<Value> parameters = {window_start,      end,         PositionTxid(after),
	                                 PositionId(after), destination, std::to_string(wanted)};
	outbox::WindowRows rows = QueryEvents(range_sql.c_str(), parameters, platform, kEventReadBudget);
	const std::vector<std::uint64_t> late = outbox::LateCommitters(start_snapshot, end_snapshot);
	if (late.empty())
		return rows;
	parameters.push_back(outbox::XidArrayLiteral(late));
	return outbox::MergeInCursorOrder(std::move(rows),
	                                  QueryEvents(late_sql.c_str(), parameters, platform, kEventReadBudget),
	                                  static_cast<std::size_t>(wanted));
}

// Inside RunTransaction: each chunk of at most `limit` rows recorded as a batch of the window (its
// lease), its events moved into claimed.
void RecordChunks(const std::string &destination, const std::string &window_start, const std::string &end,
                  outbox::WindowRows &rows, long limit, ClaimedWindow &claimed) {
	for (std::size_t start = 0; start < rows.events.size(); start += static_cast<std::size_t>(limit)) {
		const std::size_t stop = std::min(rows.events.size(), start + static_cast<std::size_t>(limit));
		const outbox::OutboxPosition first = rows.PositionOf(start);
		const outbox::OutboxPosition last = rows.PositionOf(stop - 1);
		claimed.claim.batches.push_back(
		    {RecordBatch(destination, window_start, end, first, last, stop - start), last});
		claimed.batch_events.emplace_back(
		    std::make_move_iterator(rows.events.begin() + static_cast<std::ptrdiff_t>(start)),
		    std::make_move_iterator(rows.events.begin() + static_cast<std::ptrdiff_t>(stop)));
	}
}

} // namespace

ClaimedWindow ClaimWindow(const std::string &destination, const std::string &platform,
                          const outbox::ClaimRange &range, long limit, int max_chunks) {
	ClaimedWindow claimed;
	RunTransaction([&] {
		RequireDeliveryState();
		PinOrderedIndexScans();
		std::string end = range.window_end;
		const bool new_window = end.empty();
		if (new_window)
			end = Text(Query("SELECT pg_catalog.pg_current_snapshot()::text").at(0).at(0));
		const long wanted = limit * std::max(max_chunks, 1);
		outbox::WindowRows rows =
		    ReadWindowRows(destination, platform, range.window_start, end, range.after, wanted);
		claimed.claim.window_end = end;
		// A read the budget stopped is not the window's end.
		claimed.claim.exhausted = outbox::ReachedWindowEnd(rows, static_cast<std::size_t>(wanted));
		if (!rows.events.empty())
			claimed.claim.read_up_to = rows.PositionOf(rows.events.size() - 1);
		outbox::DropSettledRows(rows, range.settled); // delivered before a restart: not sent again
		if (rows.events.empty())
			return;
		RecordChunks(destination, range.window_start, end, rows, limit, claimed);
		if (new_window)
			StoreCursor(destination, outbox::StoredCursor{range.window_start, end, std::nullopt});
	});
	return claimed;
}

std::vector<outbox::SettledRange> SettledBeyondPrefix(const std::string &destination,
                                                      const outbox::StoredCursor &cursor) {
	std::vector<outbox::SettledRange> settled;
	if (cursor.window_end.empty())
		return settled;
	RunTransaction([&] {
		RequireDeliveryState();
		// pg_snapshot has no equality operator: the windows are compared as text, the form the cursor
		// was read in. The range index (destination, last_txid, last_id) finds the rows.
		Rows rows =
		    Query("SELECT b.first_txid::text, b.first_id, b.last_txid::text, b.last_id FROM capi.batches b "
		          "WHERE b.destination = $1 AND (b.last_txid, b.last_id) > "
		          "(coalesce($4::xid8, '0'::xid8), coalesce($5::bigint, 0)) "
		          "AND b.window_start::text = $2 AND b.window_end::text = $3 "
		          "AND b.status IN ('delivered', 'partial', 'failed', 'skipped') "
		          "ORDER BY b.last_txid, b.last_id",
		          {destination, cursor.window_start, cursor.window_end, PositionTxid(cursor.done),
		           PositionId(cursor.done)});
		for (const Row &row : rows)
			settled.push_back(
			    outbox::SettledRange{outbox::OutboxPosition{std::stoull(*row[0]), Int(row[1])},
			                         outbox::OutboxPosition{std::stoull(*row[2]), Int(row[3])}});
	});
	return settled;
}

ClaimedRequeue ClaimRequeued(const std::string &destination, const std::string &platform, long limit) {
	ClaimedRequeue claimed;
	RunTransaction([&] {
		RequireDeliveryState();
		// Two statements, each with one possible plan whatever the statistics say: claim the due rows
		// of capi.event_deliveries (its partial index), then read their outbox rows by primary key. One
		// statement joining the two let the planner, without statistics, hash-join a sequential scan of
		// the whole backlog every second (issue 10 §1: 1.4 s per check at 2,000,000 rows).
		Rows ids = Query(
		    "WITH due AS (SELECT e.outbox_id FROM capi.event_deliveries e"
		    " WHERE e.destination = $1 AND e.status = 'retrying' AND e.next_attempt_at <= "
		    "pg_catalog.now()"
		    " ORDER BY e.next_attempt_at LIMIT $2::integer FOR UPDATE SKIP LOCKED)"
		    " UPDATE capi.event_deliveries e SET status = 'in_flight', last_attempt_at = pg_catalog.now()"
		    " FROM due WHERE e.destination = $1 AND e.outbox_id = due.outbox_id RETURNING e.outbox_id",
		    {destination, std::to_string(limit)});
		if (ids.empty())
			return;
		std::string array = "{";
		for (std::size_t i = 0; i < ids.size(); ++i)
			array += (i == 0 ? "" : ",") + Text(ids[i].at(0));
		array += "}";
		const std::string sql = std::string("SELECT ") + kEventSelectList +
		                        " FROM capi.outbox o WHERE o.id = ANY ($1::bigint[]) ORDER BY o.txid, o.id";
		claimed.events = QueryEvents(sql.c_str(), {array}, platform).events;
	});
	return claimed;
}

// Events settled per destination in one StoreAcknowledgements transaction, for capi.delivery_counts.
struct SettledCounts {
	std::size_t delivered = 0;
	std::size_t failed = 0;
	std::size_t skipped = 0;
};

void StoreAcknowledgements(const std::vector<ChunkAck> &acks, const std::vector<CursorUpdate> &cursors) {
	std::map<std::string, SettledCounts> counts;
	for (const ChunkAck &ack : acks) {
		const dispatch::SettledBatchRecord record = dispatch::RecordSettledBatch(ack.settled);
		SettledCounts &sum = counts[ack.destination];
		sum.delivered += record.delivered_events;
		sum.failed += record.failed_events;
		sum.skipped += record.skipped_events;
	}
	RunTransaction([&] {
		RequireDeliveryState();
		for (const ChunkAck &ack : acks) {
			const std::string failures = FailuresJson(ack);
			if (ack.origin.requeued()) {
				Query(
				    "UPDATE capi.event_deliveries e SET status = 'delivered', delivered_at = "
				    "pg_catalog.now(), "
				    "last_attempt_at = pg_catalog.now(), attempts = e.attempts + $3::integer, trace_id = $4, "
				    "previous_error = e.last_error, last_error = NULL "
				    "FROM pg_catalog.jsonb_array_elements_text($2::jsonb) AS d(id) "
				    "WHERE e.destination = $1 AND e.outbox_id = d.id::bigint",
				    {ack.destination, DeliveredIdsJson(ack),
				     std::to_string(std::max(ack.settled.attempts, 1)), Optional(ack.settled.trace_id)});
			} else {
				const dispatch::SettledBatchRecord record = dispatch::RecordSettledBatch(ack.settled);
				Query("UPDATE capi.batches SET status = $6, delivered_at = pg_catalog.now(), "
				      "last_attempt_at = pg_catalog.now(), "
				      "next_attempt_at = NULL, attempts = greatest($2::integer, 1), last_error = $3, "
				      "previous_error = $7, trace_id = $4, "
				      "failed_events = $5::integer, skipped_events = $8::integer WHERE id = $1::bigint",
				      {BatchIdText(ack.origin.batch), std::to_string(ack.settled.attempts),
				       Optional(record.last_error), Optional(ack.settled.trace_id),
				       std::to_string(record.failed_events), record.status, Optional(record.previous_error),
				       std::to_string(record.skipped_events)});
			}
			if (!ack.settled.failed.empty())
				Query("INSERT INTO capi.event_deliveries AS e (destination, outbox_id, event_id, event_name, "
				      "status, attempts, last_attempt_at, last_error, failure_kind) "
				      "SELECT $1, f.outbox_id, f.event_id, f.event_name, f.status, f.attempts, "
				      "pg_catalog.now(), f.error, f.failure_kind "
				      "FROM pg_catalog.jsonb_to_recordset($2::jsonb) AS f(outbox_id bigint, event_id text, "
				      "event_name text, attempts integer, status text, error text, failure_kind text) "
				      "ON CONFLICT (destination, outbox_id) DO UPDATE SET status = excluded.status, "
				      "attempts = e.attempts + excluded.attempts, last_attempt_at = pg_catalog.now(), "
				      "last_error = excluded.last_error, failure_kind = excluded.failure_kind, "
				      "next_attempt_at = NULL",
				      {ack.destination, failures});
		}
		// The minute's counters that capi.stats reads instead of the outbox and the batches, written
		// with the outcomes they count (a rolled-back acknowledgement counts nothing).
		for (const auto &[destination, sum] : counts)
			// (A destination deleted meanwhile has no counters: its outcomes are dropped with it.)
			Query("INSERT INTO capi.delivery_counts AS c (destination, minute, delivered, failed, skipped, "
			      "last_delivered_at) SELECT d.name, pg_catalog.date_trunc('minute', pg_catalog.now()), "
			      "$2::bigint, $3::bigint, $4::bigint, "
			      "CASE WHEN $2::bigint > 0::bigint THEN pg_catalog.now() END "
			      "FROM capi.destinations d WHERE d.name = $1 "
			      "ON CONFLICT (destination, minute) DO UPDATE SET delivered = c.delivered + "
			      "excluded.delivered, "
			      "failed = c.failed + excluded.failed, skipped = c.skipped + excluded.skipped, "
			      "last_delivered_at = coalesce(excluded.last_delivered_at, c.last_delivered_at)",
			      {destination, std::to_string(sum.delivered), std::to_string(sum.failed),
			       std::to_string(sum.skipped)});
		for (const CursorUpdate &update : cursors)
			StoreCursor(update.destination, update.cursor);
	});
}

void StoreRetrying(const std::vector<RetryNotice> &notices) {
	RunTransaction([&] {
		RequireDeliveryState();
		for (const RetryNotice &notice : notices) {
			const std::string next_ms = std::to_string(notice.retrying.next_attempt_ms);
			if (notice.origin.requeued()) {
				nlohmann::json ids = notice.outbox_ids;
				Query(
				    "UPDATE capi.event_deliveries e SET last_error = $3, last_attempt_at = pg_catalog.now(), "
				    "next_attempt_at = " CAPI_SQL_MS_TO_TIMESTAMPTZ(
				        "$4") " "
				              "FROM pg_catalog.jsonb_array_elements_text($2::jsonb) AS d(id) "
				              "WHERE e.destination = $1 AND e.outbox_id = d.id::bigint",
				    {notice.destination, ids.dump(), notice.retrying.last_error, next_ms});
			} else {
				Query("UPDATE capi.batches SET status = 'retrying', attempts = $2::integer, last_error = $3, "
				      "last_attempt_at = pg_catalog.now(), next_attempt_at = " CAPI_SQL_MS_TO_TIMESTAMPTZ(
				          "$4") " "
				                "WHERE id = $1::bigint",
				      {BatchIdText(notice.origin.batch), std::to_string(notice.retrying.attempts),
				       notice.retrying.last_error, next_ms});
			}
		}
	});
}

void StorePause(const std::string &destination, const outbox::PauseChange &pause,
                const std::string &paused_by) {
	RunTransaction([&] {
		RequireDeliveryState();
		Query("UPDATE capi.cursors SET paused_until = CASE WHEN $2::bigint = 0::bigint THEN NULL "
		      "ELSE " CAPI_SQL_MS_TO_TIMESTAMPTZ("$2") " END, pause_reason = $3, paused_by = $4, "
		                                               "updated_at = pg_catalog.now() WHERE destination = $1",
		      {destination, std::to_string(pause.paused_until_ms), Optional(pause.reason),
		       Optional(paused_by)});
	});
}

} // namespace capi::pg::worker
