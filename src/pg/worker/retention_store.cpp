#include "pg/worker/retention_store.hpp"

#include "pg/worker/delivery_store.hpp"
#include "pg/worker/spi_session.hpp"

#include <string>

#include "pg/guard.hpp"

namespace capi::pg::worker {
namespace {

std::string Text(const Value &value) {
	return value ? *value : std::string();
}

std::int64_t Int(const Value &value) {
	return value && !value->empty() ? std::stoll(*value) : 0;
}

} // namespace

std::int64_t DiscardExpiredFailures(int failed_retention_s, int batch_size) {
	if (failed_retention_s <= 0)
		return 0; // 0: failed events are kept until retried, corrected or discarded
	std::int64_t discarded = 0;
	RunTransaction([&] {
		RequireDeliveryState();
		Rows rows = Query(
		    "WITH expired AS ("
		    "  SELECT e.destination, e.outbox_id FROM capi.event_deliveries e"
		    "  WHERE e.status = 'failed' AND e.last_attempt_at < pg_catalog.now() - "
		    "pg_catalog.make_interval(secs => $1::double precision)"
		    "  ORDER BY e.last_attempt_at LIMIT $2::integer FOR UPDATE SKIP LOCKED),"
		    " discarded AS (UPDATE capi.event_deliveries e SET status = 'discarded',"
		    "  discarded_at = pg_catalog.now(), discarded_by = 'capi.failed_retention'"
		    "  FROM expired WHERE e.destination = expired.destination AND e.outbox_id = expired.outbox_id"
		    "  RETURNING 1)"
		    " SELECT pg_catalog.count(*) FROM discarded",
		    {std::to_string(failed_retention_s), std::to_string(batch_size)});
		discarded = Int(rows.at(0).at(0));
	});
	return discarded;
}

std::int64_t PurgeDelivered(int retention_s, int batch_size) {
	std::int64_t deleted = 0;
	RunTransaction([&] {
		RequireDeliveryState();
		// The dedup audit's rows (capi.rejected_duplicates) are kept as long as delivered events, by whole
		// UTC days (the day index finds them: nothing is read when none is old enough).
		Query("DELETE FROM capi.rejected_duplicates WHERE ctid = ANY (ARRAY(SELECT r.ctid"
		      " FROM capi.rejected_duplicates r WHERE (r.rejected_at AT TIME ZONE 'UTC')::date <"
		      " ((pg_catalog.now() - pg_catalog.make_interval(secs => $1::double precision)) AT TIME ZONE "
		      "'UTC')::date"
		      " LIMIT $2::integer))",
		      {std::to_string(retention_s), std::to_string(batch_size)});
		// capi.stats reads the last hour of counters and the last minute something was delivered:
		// they are kept as long as delivered rows, and at least a day (a few thousand rows).
		Query("DELETE FROM capi.delivery_counts WHERE minute < pg_catalog.now() - "
		      "pg_catalog.make_interval(secs => GREATEST($1::double precision, 86400::double "
		      "precision))",
		      {std::to_string(retention_s)});
		// Nothing is old enough when the oldest row is not (txids follow commit order closely): skip
		// the scan, which without statistics may read the whole backlog (issue 10 §1). Pinned: without
		// statistics even "ORDER BY id LIMIT 1" was planned as a scan of every row (326 ms at
		// 2,000,000). Only rows of transactions older than every running one: the index entries of a
		// bulk INSERT still in progress are never visited (walking 2,000,000 of them took 2 s of the
		// worker's CPU every 10 s of the load).
		PinOrderedIndexScans();
		Rows oldest = Query("SELECT (o.created_at < pg_catalog.now() - pg_catalog.make_interval(secs => "
		                    "$1::double precision))::text FROM capi.outbox o"
		                    " WHERE o.txid < pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())"
		                    " ORDER BY o.txid, o.id LIMIT 1",
		                    {std::to_string(retention_s)});
		if (oldest.empty() || Text(oldest.at(0).at(0)) != "true")
			return;
		Rows rows = Query(
		    "WITH doomed AS ("
		    "  SELECT o.id FROM capi.outbox o"
		    "  WHERE o.created_at < pg_catalog.now() - pg_catalog.make_interval(secs => $1::double precision)"
		    "    AND NOT EXISTS (SELECT FROM capi.cursors c"
		    "        WHERE (o.destinations IS NULL OR c.destination = ANY (o.destinations))"
		    "          AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)"
		    "          AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.window_start))"
		    "    AND NOT EXISTS (SELECT FROM capi.event_deliveries e"
		    "        WHERE e.outbox_id = o.id AND e.status NOT IN ('delivered', 'skipped', 'discarded'))"
		    "  ORDER BY o.id LIMIT $2::integer),"
		    // Their capi.event_deliveries rows go with them (the outbox's statement trigger).
		    " gone AS (DELETE FROM capi.outbox o USING doomed WHERE o.id = doomed.id RETURNING o.id)"
		    " SELECT pg_catalog.count(*) FROM gone",
		    {std::to_string(retention_s), std::to_string(batch_size)});
		deleted = Int(rows.at(0).at(0));
		Query("DELETE FROM capi.batches WHERE id IN (SELECT id FROM capi.batches"
		      " WHERE status IN ('delivered', 'partial', 'failed', 'skipped', 'abandoned') AND claimed_at < "
		      "pg_catalog.now() - "
		      "pg_catalog.make_interval(secs => $1::double precision)"
		      " ORDER BY id LIMIT $2::integer)",
		      {std::to_string(retention_s), std::to_string(batch_size)});
	});
	return deleted;
}

} // namespace capi::pg::worker
