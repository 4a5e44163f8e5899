-- pg_capi 0.5.0 -> 0.6.0: backups that restore safely (issue 11), identity on real-world data
-- (issue 12), health and match quality in SQL (issue 13).

-- ==== issue 11: backups (pg_extension_config_dump, restore across clusters) ====
-- pg_dump keeps the rows of every table below, and the positions of their id sequences: destinations
-- (accounts and tokens), the outbox, and the delivery state. docs/operations.md "Backup and restore";
-- the design is in docs/architecture.md "Backups and restores".
--
-- Delivery state is made of transaction ids: capi.outbox.txid is the inserting transaction's id, and
-- cursors and batches hold pg_snapshot values. A logical restore into another cluster brings them back
-- unchanged, but the new cluster counts transaction ids on its own: old ids may lie in its future (never
-- visible) or its past (already seen), so reading on with them would skip or resend events. The old
-- rows and snapshots stay consistent with each other (pg_visible_in_snapshot is arithmetic on values),
-- so the state can be read as it was and rewritten for the new cluster: capi.rebase_after_restore().
--
-- Which cluster the transaction ids belong to: its system identifier (pg_control_system()). A restore
-- brings back the dumped row (the trigger below replaces the row of CREATE EXTENSION with it): it then
-- names another cluster until the rebase. pg_upgrade gives the new cluster a new identifier too (its
-- transaction ids carry over: the rebase is then not needed, and harmless). A physical copy
-- (pg_basebackup, a standby, PITR) keeps the identifier and needs nothing.
CREATE TABLE capi.cluster_identity (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    system_identifier bigint NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    restored_at timestamptz,
    restored_from bigint,
    rebase_waits boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE capi.cluster_identity IS
    'The database cluster whose transaction ids capi.outbox.txid, capi.cursors and capi.batches hold (one '
    'row). Naming another cluster after a logical restore: capi.rebase_after_restore() rewrites the '
    'delivery state for this one';
COMMENT ON COLUMN capi.cluster_identity.system_identifier IS
    'pg_control_system().system_identifier of that cluster';
COMMENT ON COLUMN capi.cluster_identity.recorded_at IS
    'When the delivery state was installed, rebased, or had a cursor restored: a running worker starts '
    'over from the stored state when it changes';
COMMENT ON COLUMN capi.cluster_identity.restored_at IS
    'When a restore brought back this row from another cluster (NULL: never)';
COMMENT ON COLUMN capi.cluster_identity.restored_from IS
    'The system identifier of the cluster the last rebase came from (NULL: never rebased)';
COMMENT ON COLUMN capi.cluster_identity.rebase_waits IS
    'True after a restore made in several transactions: the worker does not rebase by itself (the '
    'restore may not be complete) and waits for capi.rebase_after_restore() or the first INSERT into '
    'capi.outbox';
INSERT INTO capi.cluster_identity (system_identifier)
SELECT s.system_identifier FROM pg_catalog.pg_control_system() s;
-- Not a secret (pg_control_system() is everyone's): the outbox INSERT trigger reads it as the writer.
GRANT SELECT ON capi.cluster_identity TO PUBLIC;

-- A restore inserts the dumped row: it replaces the one CREATE EXTENSION wrote (one row, the last
-- inserted wins). When it names another cluster, the trigger notes the restore, and whether it came in
-- the transaction that created the extension (pg_restore --single-transaction: complete when it
-- commits, so the worker rebases by itself) or not (pg_restore without it: the worker cannot know when
-- the restore is complete, and waits).
CREATE FUNCTION capi.cluster_identity_restored() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM capi.cluster_identity;
    IF NEW.system_identifier IS DISTINCT FROM (SELECT s.system_identifier FROM pg_catalog.pg_control_system() s)
    THEN
        NEW.restored_at := pg_catalog.now();
        NEW.rebase_waits := NOT EXISTS (SELECT FROM pg_catalog.pg_extension e
                                        WHERE e.extname = 'pg_capi'
                                          AND e.xmin = pg_catalog.pg_current_xact_id()::xid);
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION capi.cluster_identity_restored() IS
    'BEFORE INSERT on capi.cluster_identity: the inserted row replaces the existing one; a row naming '
    'another cluster (a restore) gets restored_at, and rebase_waits unless the extension was created in '
    'the same transaction';
REVOKE ALL ON FUNCTION capi.cluster_identity_restored() FROM PUBLIC;
CREATE TRIGGER cluster_identity_restored
    BEFORE INSERT ON capi.cluster_identity
    FOR EACH ROW EXECUTE FUNCTION capi.cluster_identity_restored();
-- Every session's outbox trigger and the worker cache the row: a change reaches them (relcache
-- invalidation) and wakes the worker.
CREATE TRIGGER cluster_identity_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON capi.cluster_identity
    FOR EACH STATEMENT EXECUTE FUNCTION capi.destinations_changed();

-- A restore inserts capi.destinations before capi.cursors (their foreign key orders them in the dump),
-- and the destinations' INSERT trigger starts a cursor for each: the restored cursor replaces it.
-- Nothing else inserts cursors. A worker already running from the started cursor (a restore in several
-- transactions) starts over from the stored ones: recorded_at changes.
CREATE FUNCTION capi.cursors_replace() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM capi.cursors c WHERE c.destination = NEW.destination;
    IF FOUND THEN
        UPDATE capi.cluster_identity SET recorded_at = pg_catalog.clock_timestamp();
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION capi.cursors_replace() IS
    'BEFORE INSERT on capi.cursors: an inserted cursor replaces the destination''s existing one (a restore '
    'brings back the cursor that capi.destinations_start_cursor() started when the destination was '
    'restored), and the worker starts over from the stored cursors';
REVOKE ALL ON FUNCTION capi.cursors_replace() FROM PUBLIC;
CREATE TRIGGER cursors_replace
    BEFORE INSERT ON capi.cursors
    FOR EACH ROW EXECUTE FUNCTION capi.cursors_replace();

-- What pg_dump keeps: every row of these tables (the outbox INSERT trigger keeps a restored row as it
-- was dumped, see outbox_trigger.cpp), and where their identity sequences stand (new rows after a
-- restore get new ids).
SELECT pg_catalog.pg_extension_config_dump('capi.cluster_identity', '');
SELECT pg_catalog.pg_extension_config_dump('capi.destinations', '');
SELECT pg_catalog.pg_extension_config_dump('capi.cursors', '');
SELECT pg_catalog.pg_extension_config_dump('capi.outbox', '');
SELECT pg_catalog.pg_extension_config_dump('capi.outbox_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('capi.batches', '');
SELECT pg_catalog.pg_extension_config_dump('capi.batches_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('capi.event_deliveries', '');
SELECT pg_catalog.pg_extension_config_dump('capi.corrections', '');
SELECT pg_catalog.pg_extension_config_dump('capi.corrections_id_seq', '');

-- The rebase's two internal doors (owner only: no role is granted them). The outbox row trigger
-- accepts, while it is allowed, UPDATEs that change txid only; the worker is locked out while the
-- delivery state is rewritten (the lock DROP EXTENSION takes), and then starts over from it.
CREATE FUNCTION capi.allow_outbox_rebase(allow boolean) RETURNS void
    AS 'MODULE_PATHNAME', 'capi_allow_outbox_rebase'
    LANGUAGE C VOLATILE STRICT;
COMMENT ON FUNCTION capi.allow_outbox_rebase(boolean) IS
    'Internal (capi.rebase_after_restore): let the outbox trigger accept UPDATEs of txid alone in this '
    'transaction (true), or no longer (false)';
REVOKE ALL ON FUNCTION capi.allow_outbox_rebase(boolean) FROM PUBLIC;
CREATE FUNCTION capi.lock_out_worker() RETURNS void
    AS 'MODULE_PATHNAME', 'capi_lock_out_worker'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION capi.lock_out_worker() IS
    'Internal (capi.rebase_after_restore): hold the extension''s lock against the worker until this '
    'transaction ends; the worker then reloads its state';
REVOKE ALL ON FUNCTION capi.lock_out_worker() FROM PUBLIC;

-- Rewrites delivery state restored from another cluster for this one, in one transaction, sending
-- nothing twice and skipping nothing:
--   1. every (event, destination) pair capi.delivery_status lists gets a capi.event_deliveries row
--      saying what the old state said: delivered and failed as they were; anything not settled
--      (pending, in a batch in flight or retrying, paused, disabled, requeued) 'retrying', due now:
--      the worker sends those through its requeue path, each once;
--   2. the outbox rows' txids move below any transaction id of this cluster (3, 4, ...: one value per
--      set of destinations the event was committed after), and every cursor's origin becomes a
--      snapshot that tells those values apart exactly as its old origin told the old ids apart
--      (capi.delivery_status and the purge still see which destinations an event is for), its
--      window_start one that sees all of them (no window reads a restored row again);
--   3. the batches go: their outcomes are in capi.event_deliveries now, and their ranges of old ids
--      would match rows of this cluster;
--   4. capi.cluster_identity names this cluster.
-- Run by the worker before it reads anything when the restore was one transaction (or pg_upgrade), by
-- the first INSERT into capi.outbox, or by a capi_admin. Does nothing when capi.cluster_identity names
-- this cluster, unless force (a dump of a physical copy of this cluster that went its own way, e.g. a
-- promoted standby: same system identifier, other transaction ids).
CREATE FUNCTION capi.rebase_after_restore(force boolean DEFAULT false, OUT rebased boolean,
                                          OUT restored_from bigint, OUT events bigint, OUT requeued bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    here bigint := (SELECT s.system_identifier FROM pg_catalog.pg_control_system() s);
    recorded capi.cluster_identity;
    base constant bigint := 3;  -- FirstNormalTransactionId: below every id a transaction gets
    classes bigint;
BEGIN
    rebased := false;
    events := 0;
    requeued := 0;
    PERFORM capi.lock_out_worker();
    SELECT * INTO recorded FROM capi.cluster_identity FOR UPDATE;
    restored_from := recorded.system_identifier;
    IF recorded.system_identifier = here AND NOT coalesce(force, false) THEN
        RETURN;
    END IF;
    PERFORM FROM capi.cursors FOR UPDATE;

    -- 1. The old state, read through capi.delivery_status, into per-event rows.
    UPDATE capi.event_deliveries e SET status = 'retrying', next_attempt_at = pg_catalog.now()
     WHERE e.status = 'in_flight';
    -- An event the cursor has handled (visible in window_start, or in the open window's acknowledged
    -- prefix) without a row of its own was delivered, even when its batch is gone (the purge deletes
    -- batches after capi.delivered_retention, and the view then reads such an event as pending).
    INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                       next_attempt_at, last_attempt_at, delivered_at, last_error,
                                       previous_error, trace_id)
    SELECT s.destination, s.outbox_id, s.event_id, s.event_name, v.status, s.attempts,
           CASE WHEN v.status = 'retrying' THEN pg_catalog.now() END,
           s.last_attempt_at, s.delivered_at,
           CASE WHEN v.status <> 'delivered' THEN s.last_error END,
           s.previous_error, s.trace_id
    FROM capi.delivery_status s
    JOIN capi.outbox o ON o.id = s.outbox_id
    JOIN capi.cursors c ON c.destination = s.destination
    CROSS JOIN LATERAL (
        SELECT CASE
                   WHEN s.status IN ('delivered', 'failed') THEN s.status
                   WHEN pg_catalog.pg_visible_in_snapshot(o.txid, c.window_start)
                        OR (c.window_end IS NOT NULL AND pg_catalog.pg_visible_in_snapshot(o.txid, c.window_end)
                            AND (o.txid, o.id) <= (c.done_txid, c.done_id))
                       THEN 'delivered'
                   ELSE 'retrying'
               END AS status
    ) v
    WHERE NOT EXISTS (SELECT FROM capi.event_deliveries e
                      WHERE e.destination = s.destination AND e.outbox_id = s.outbox_id);

    -- 2. New ids and snapshots, in one statement (one snapshot: the old values throughout).
    PERFORM capi.allow_outbox_rebase(true);
    WITH targets AS (
        SELECT o.id,
               ARRAY(SELECT c.destination FROM capi.cursors c
                     WHERE NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
                     ORDER BY c.destination) AS for_destinations
        FROM capi.outbox o
    ), numbered AS (
        SELECT t.id, t.for_destinations, pg_catalog.dense_rank() OVER (ORDER BY t.for_destinations) - 1 AS class
        FROM targets t
    ), class_list AS (
        SELECT DISTINCT n.class, n.for_destinations FROM numbered n
    ), counted AS (
        SELECT pg_catalog.count(*) AS n FROM class_list
    ), moved AS (
        UPDATE capi.outbox o SET txid = (base + n.class)::text::xid8
          FROM numbered n WHERE o.id = n.id
        RETURNING 1
    ), cursors_moved AS (
        UPDATE capi.cursors c
           SET origin = pg_catalog.format('%s:%s:%s', base, base + k.n,
                            coalesce((SELECT pg_catalog.string_agg((base + l.class)::text, ',' ORDER BY l.class)
                                      FROM class_list l WHERE c.destination = ANY (l.for_destinations)), ''))::pg_snapshot,
               window_start = pg_catalog.format('%s:%s:', base + k.n, base + k.n)::pg_snapshot,
               window_end = NULL, done_txid = NULL, done_id = NULL, updated_at = pg_catalog.now()
          FROM counted k
        RETURNING 1
    )
    SELECT (SELECT pg_catalog.count(*) FROM moved), k.n INTO events, classes
    FROM counted k, (SELECT pg_catalog.count(*) FROM cursors_moved) m;
    PERFORM capi.allow_outbox_rebase(false);
    IF base + classes > pg_catalog.pg_snapshot_xmin(pg_catalog.pg_current_snapshot())::text::bigint THEN
        -- A cluster that has run fewer transactions than the destinations have distinct start points.
        RAISE EXCEPTION 'this cluster has used too few transaction ids to rebase the restored delivery state'
            USING ERRCODE = 'program_limit_exceeded',
                  HINT = pg_catalog.format('Run SELECT pg_catalog.txid_current() in %s separate transactions, '
                                           'then call capi.rebase_after_restore() again.', base + classes);
    END IF;

    -- 3. Batches: their outcomes are per-event rows now.
    DELETE FROM capi.batches;

    -- 4. The state is this cluster's (an INSERT: the row may be missing; it replaces the one there).
    INSERT INTO capi.cluster_identity (system_identifier, recorded_at, restored_at, restored_from)
    VALUES (here, pg_catalog.clock_timestamp(), recorded.restored_at, recorded.system_identifier);

    SELECT pg_catalog.count(*) INTO requeued FROM capi.event_deliveries e WHERE e.status = 'retrying';
    rebased := true;
    RAISE LOG 'pg_capi: delivery state restored from database cluster % rebased onto this one (%): '
              '% outbox events, % deliveries to send', recorded.system_identifier, here, events, requeued;
    PERFORM capi.wake_worker();
END
$$;
COMMENT ON FUNCTION capi.rebase_after_restore(boolean) IS
    'After a logical restore from another cluster: rewrite the delivery state''s transaction ids for this '
    'one (undelivered events requeued, each sent once; delivered ones never again). Idempotent; does '
    'nothing when capi.cluster_identity names this cluster unless force';
REVOKE ALL ON FUNCTION capi.rebase_after_restore(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.rebase_after_restore(boolean) TO capi_admin, capi_worker;
GRANT SELECT ON capi.cluster_identity TO capi_worker;
-- capi.setup_warnings() reads capi.cluster_identity now (a restore not rebased yet is one more reason).
ALTER FUNCTION capi.setup_warnings() SET search_path = pg_catalog, pg_temp;
-- ==== end issue 11: backups ====

-- ==== issue 12: identity ====

-- ==== end issue 12: identity ====

-- ==== issue 13: health (capi.stats, capi_monitor) ====

-- Health in one view, cheap enough to scrape every 15 s: capi.stats, one row per destination, and
-- the role capi_monitor that reads it. capi.stats never reads the queue: counts of settled events
-- come from per-minute counters the worker keeps (capi.delivery_counts), the unsettled ones from
-- partial indexes and the open window's batches, and the backlog (pending) is measured by reading at
-- most 2,000 outbox ids by primary key between the destinations' cursors and the newest row.

-- capi_monitor: for monitoring systems (a Prometheus exporter's login role is made a member). Reads
-- health and delivery state, never a credential, an identifier or an event's data.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'capi_monitor') THEN
        CREATE ROLE capi_monitor NOLOGIN;
    END IF;
END
$$;
COMMENT ON ROLE capi_monitor IS
    'pg_capi: reads capi.stats, capi.delivery_status, capi.batches and capi.delivery_counts; never a credential (NOLOGIN)';

-- Events settled per destination and minute, written by the worker in the transaction that stores
-- the outcomes it counts. Kept as long as capi.delivered_retention, at least a day.
CREATE TABLE capi.delivery_counts (
    destination text NOT NULL REFERENCES capi.destinations (name) ON UPDATE CASCADE ON DELETE CASCADE,
    minute timestamptz NOT NULL,
    delivered bigint NOT NULL DEFAULT 0,
    failed bigint NOT NULL DEFAULT 0,
    skipped bigint NOT NULL DEFAULT 0,
    last_delivered_at timestamptz,
    PRIMARY KEY (destination, minute)
);
COMMENT ON TABLE capi.delivery_counts IS
    'Events settled per destination and minute (worker state, for capi.stats): kept as long as '
    'capi.delivered_retention, at least a day';
COMMENT ON COLUMN capi.delivery_counts.minute IS 'Start of the minute (date_trunc(''minute'', now()) of the worker)';
COMMENT ON COLUMN capi.delivery_counts.delivered IS 'Events the platform accepted in that minute';
COMMENT ON COLUMN capi.delivery_counts.failed IS 'Events that failed for good in that minute (retried ones count again)';
COMMENT ON COLUMN capi.delivery_counts.skipped IS 'Events not sent by design in that minute (consent, no mapping)';
COMMENT ON COLUMN capi.delivery_counts.last_delivered_at IS 'When the last event of that minute was accepted';
REVOKE ALL ON capi.delivery_counts FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON capi.delivery_counts TO capi_worker;
GRANT SELECT ON capi.delivery_counts TO capi_admin, capi_monitor;

-- What 0.5.0 already settled, so that an upgraded server's capi.stats starts with its history.
INSERT INTO capi.delivery_counts (destination, minute, delivered, failed, skipped, last_delivered_at)
SELECT s.destination, s.minute, sum(s.delivered), sum(s.failed), sum(s.skipped), max(s.last_delivered_at)
FROM (
    SELECT b.destination, pg_catalog.date_trunc('minute', b.delivered_at) AS minute,
           GREATEST(b.events - b.failed_events - b.skipped_events, 0)::bigint AS delivered,
           b.failed_events::bigint AS failed, b.skipped_events::bigint AS skipped,
           CASE WHEN b.events > b.failed_events + b.skipped_events THEN b.delivered_at END AS last_delivered_at
    FROM capi.batches b
    WHERE b.status IN ('delivered', 'partial', 'failed', 'skipped') AND b.delivered_at IS NOT NULL
    UNION ALL
    SELECT e.destination, pg_catalog.date_trunc('minute', e.delivered_at), 1, 0, 0, e.delivered_at
    FROM capi.event_deliveries e
    WHERE e.status = 'delivered' AND e.delivered_at IS NOT NULL
) s
GROUP BY s.destination, s.minute;

-- Events that are not settled (failed, requeued, in flight after a requeue) per destination: what
-- capi.stats counts. Skipped events, which can be most rows, are not in it.
CREATE INDEX event_deliveries_unsettled ON capi.event_deliveries (destination, status, last_attempt_at)
    WHERE status IN ('failed', 'retrying', 'in_flight');
COMMENT ON INDEX capi.event_deliveries_unsettled IS
    'Failed, retrying and in-flight events per destination, for capi.stats (skipped events are not in it)';

-- The delivery worker as shared memory knows it: pg_stat_activity shows a background worker only to
-- roles with pg_read_all_stats.
CREATE FUNCTION capi.worker_status(OUT pid integer, OUT database text, OUT delivering boolean)
    AS 'MODULE_PATHNAME', 'capi_worker_status'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION capi.worker_status() IS
    'The delivery worker''s pid and database (NULL when no worker runs), and whether it is delivering '
    '(false while it waits, e.g. for ALTER EXTENSION pg_capi UPDATE)';
REVOKE ALL ON FUNCTION capi.worker_status() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.worker_status() TO capi_admin, capi_monitor;

-- The backlog of destinations, estimated from one sample of the outbox ids from first_id to newest_id:
-- all of them when there are at most 2,000, else 250 runs of 8 consecutive ids, one run at a
-- pseudo-random place in each of 250 equal slices (stratified: a block of events for one destination
-- is measured as such; a run of consecutive ids, most often on one heap page, averages out patterns
-- that repeat every few rows). For each destination (its cursor in the arrays): the share of the ids
-- read that are rows it has not read yet, times the span; and the oldest such row read. Ids of
-- rolled-back inserts and of ON CONFLICT DO NOTHING are simply not found.
CREATE FUNCTION capi.estimate_unread(first_id bigint, newest_id bigint, names text[], origins pg_snapshot[],
                                     window_starts pg_snapshot[], window_ends pg_snapshot[],
                                     read_txids xid8[], read_ids bigint[],
                                     OUT destination text, OUT unread bigint, OUT oldest timestamptz)
    RETURNS SETOF record
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
WITH shape AS (
    SELECT newest_id - first_id + 1 AS span,
           CASE WHEN newest_id - first_id + 1 <= 2000 THEN 1 ELSE 250 END AS slices,
           CASE WHEN newest_id - first_id + 1 <= 2000 THEN newest_id - first_id + 1 ELSE 8 END AS run
), runs AS (
    SELECT first_id + k * s.span / s.slices
           + CASE WHEN k = 0 THEN 0
                  ELSE (hashint8(k) & 2147483647)
                       % GREATEST((k + 1) * s.span / s.slices - k * s.span / s.slices - s.run + 1, 1)
             END AS start,
           s.run
    FROM shape s, generate_series(0::bigint, s.slices - 1) AS k
), sampled AS MATERIALIZED (
    -- LATERAL ... OFFSET 0: one index range scan per run, whatever the planner thinks.
    SELECT o.txid, o.id, o.destinations, o.created_at
    FROM runs r,
         LATERAL (SELECT p.txid, p.id, p.destinations, p.created_at FROM capi.outbox p
                   WHERE p.id BETWEEN r.start AND r.start + r.run - 1 OFFSET 0) o
), cursor_of AS (
    SELECT * FROM unnest(names, origins, window_starts, window_ends, read_txids, read_ids)
                  AS c(destination, origin, window_start, window_end, read_txid, read_id)
)
SELECT c.destination, round(count(o.id)::numeric * s.span / (s.slices * s.run))::bigint, min(o.created_at)
FROM cursor_of c CROSS JOIN shape s
LEFT JOIN sampled o
       ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
      AND NOT pg_visible_in_snapshot(o.txid, c.origin)
      AND NOT pg_visible_in_snapshot(o.txid, c.window_start)
      AND NOT (c.window_end IS NOT NULL AND c.read_txid IS NOT NULL
               AND pg_visible_in_snapshot(o.txid, c.window_end)
               AND (o.txid, o.id) <= (c.read_txid, c.read_id))
GROUP BY c.destination, s.span, s.slices, s.run
$$;
COMMENT ON FUNCTION capi.estimate_unread(bigint, bigint, text[], pg_snapshot[], pg_snapshot[], pg_snapshot[], xid8[], bigint[]) IS
    'Internal (capi.stats): estimated count and oldest of the outbox rows the destinations have not read, '
    'from at most 2,000 ids between first_id and newest_id';
REVOKE ALL ON FUNCTION capi.estimate_unread(bigint, bigint, text[], pg_snapshot[], pg_snapshot[], pg_snapshot[], xid8[], bigint[])
    FROM PUBLIC;

-- One row per destination. SECURITY DEFINER: it reads the outbox (a few thousand rows at most, by
-- primary key) and returns only counts, times and errors. Its statements are pinned to index scans
-- whatever the statistics say (a queue's are stale by nature, as the worker's are: spi_session.hpp),
-- and never JIT-compiled (without statistics the planner's cost of a few thousand index reads passes
-- jit_above_cost, and compiling takes a hundred times longer than running).
CREATE FUNCTION capi.destination_stats()
    RETURNS TABLE (destination text, platform text, state text, reason text,
                   pending bigint, in_flight bigint, retrying bigint, failed bigint,
                   delivered_last_hour bigint, failed_last_hour bigint, oldest_pending_age interval,
                   last_delivered_at timestamptz, last_error text, last_error_at timestamptz,
                   events_per_second double precision, worker_pid integer, worker_database text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET jit = off
    AS $$
#variable_conflict use_column
DECLARE
    worker record;
    not_running text;
    d record;
    newest_id bigint;
    read_txid xid8;
    read_id bigint;
    first_unread bigint;
    late_first bigint;
    -- Where each destination has read to, and the first row it has not (destinations by name).
    names text[] := '{}';
    origins pg_snapshot[] := '{}';
    window_starts pg_snapshot[] := '{}';
    window_ends pg_snapshot[] := '{}';
    read_txids xid8[] := '{}';
    read_ids bigint[] := '{}';
    firsts bigint[] := '{}';
    common_first bigint;
    shared integer[] := '{}';
    i integer;
    estimate record;
    unread_of jsonb := '{}';
    oldest_unread timestamptz;
    oldest_claimed timestamptz;
    oldest_requeued timestamptz;
    open_first_id bigint;
    open_in_flight bigint;
    open_retrying bigint;
    open_error text;
    open_error_at timestamptz;
    requeued_in_flight bigint;
    requeued_retrying bigint;
    failed_error text;
    failed_error_at timestamptz;
    retrying_error text;
    retrying_error_at timestamptz;
    recent bigint;
    recent_start timestamptz := date_trunc('minute', now()) - interval '4 minutes';
BEGIN
    SELECT * INTO worker FROM capi.worker_status();
    IF worker.pid IS NULL OR worker.database IS DISTINCT FROM current_database() OR NOT worker.delivering THEN
        not_running := coalesce(array_to_string(capi.setup_warnings(), '; '), '');
        IF not_running = '' THEN
            not_running := CASE
                WHEN worker.pid IS NULL THEN
                    'no pg_capi worker process is running (the launcher starts one within 5 s; see the server log)'
                WHEN worker.database IS DISTINCT FROM current_database() THEN
                    format('the worker delivers the database "%s" (capi.database)', worker.database)
                ELSE 'the worker is waiting instead of delivering (the server log says why, e.g. '
                     '"run ALTER EXTENSION pg_capi UPDATE")'
            END;
        END IF;
    END IF;
    newest_id := (SELECT o.id FROM capi.outbox o ORDER BY o.id DESC LIMIT 1);

    -- 1. Pending: the events committed for a destination that the worker has not read. Where it has
    -- read to in its open window: its last batch there (or the acknowledged position).
    FOR d IN
        SELECT dst.name, c.origin, c.window_start, c.window_end, c.done_txid, c.done_id
        FROM capi.destinations dst JOIN capi.cursors c ON c.destination = dst.name
        ORDER BY dst.name
    LOOP
        read_txid := NULL;
        read_id := NULL;
        IF d.window_end IS NOT NULL THEN
            SELECT b.last_txid, b.last_id INTO read_txid, read_id
              FROM capi.batches b
             WHERE b.destination = d.name
               AND b.last_txid >= pg_snapshot_xmin(d.window_start)
               AND b.status <> 'abandoned'
               AND pg_visible_in_snapshot(b.last_txid, d.window_end)
               AND NOT pg_visible_in_snapshot(b.last_txid, d.window_start)
             ORDER BY b.last_txid DESC, b.last_id DESC LIMIT 1;
            IF d.done_txid IS NOT NULL
               AND (read_txid IS NULL OR (d.done_txid, d.done_id) > (read_txid, read_id)) THEN
                read_txid := d.done_txid;
                read_id := d.done_id;
            END IF;
        END IF;
        -- The first unread row in cursor order, by the (txid, id) index with one lower bound (as the
        -- worker reads), and the rows of the transactions that were running at window_start.
        IF read_txid IS NOT NULL AND read_txid >= pg_snapshot_xmax(d.window_start) THEN
            first_unread := (SELECT o.id FROM capi.outbox o WHERE (o.txid, o.id) > (read_txid, read_id)
                              ORDER BY o.txid, o.id LIMIT 1);
        ELSE
            first_unread := (SELECT o.id FROM capi.outbox o WHERE o.txid >= pg_snapshot_xmax(d.window_start)
                              ORDER BY o.txid, o.id LIMIT 1);
        END IF;
        late_first := (SELECT o.id FROM capi.outbox o
                        WHERE o.txid = ANY (ARRAY(SELECT pg_snapshot_xip(d.window_start)))
                          AND (read_txid IS NULL OR (o.txid, o.id) > (read_txid, read_id))
                        ORDER BY o.txid, o.id LIMIT 1);
        names := names || d.name;
        origins := origins || d.origin;
        window_starts := window_starts || d.window_start;
        window_ends := window_ends || d.window_end;
        read_txids := read_txids || read_txid;
        read_ids := read_ids || read_id;
        firsts := firsts || least(first_unread, late_first);
    END LOOP;
    -- One sample serves every destination whose backlog spans at least a quarter of the longest
    -- (destinations that stopped at about the same time: the cost does not grow with their number);
    -- the others, caught up or nearly, get their own (all their ids when there are at most 2,000).
    common_first := (SELECT min(f) FROM unnest(firsts) f);
    FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
        IF firsts[i] IS NULL THEN
            CONTINUE;
        ELSIF (newest_id - firsts[i] + 1) * 4 >= newest_id - common_first + 1 THEN
            shared := shared || i;
        ELSE
            FOR estimate IN
                SELECT * FROM capi.estimate_unread(firsts[i], newest_id, names[i:i], origins[i:i],
                                                   window_starts[i:i], window_ends[i:i], read_txids[i:i],
                                                   read_ids[i:i])
            LOOP
                unread_of := unread_of || jsonb_build_object(estimate.destination,
                                                             jsonb_build_array(estimate.unread, estimate.oldest));
            END LOOP;
        END IF;
    END LOOP;
    IF array_length(shared, 1) > 0 THEN
        FOR estimate IN
            SELECT * FROM capi.estimate_unread(
                common_first, newest_id,
                ARRAY(SELECT names[j] FROM unnest(shared) j), ARRAY(SELECT origins[j] FROM unnest(shared) j),
                ARRAY(SELECT window_starts[j] FROM unnest(shared) j),
                ARRAY(SELECT window_ends[j] FROM unnest(shared) j),
                ARRAY(SELECT read_txids[j] FROM unnest(shared) j), ARRAY(SELECT read_ids[j] FROM unnest(shared) j))
        LOOP
            unread_of := unread_of || jsonb_build_object(estimate.destination,
                                                         jsonb_build_array(estimate.unread, estimate.oldest));
        END LOOP;
    END IF;

    -- 2. Everything else, and the rows.
    worker_pid := worker.pid;
    worker_database := worker.database;
    FOR d IN
        SELECT dst.name, dst.platform, dst.enabled, c.window_start, c.paused_until, c.pause_reason
        FROM capi.destinations dst JOIN capi.cursors c ON c.destination = dst.name
        ORDER BY dst.name
    LOOP
        destination := d.name;
        platform := d.platform;
        reason := NULL;
        IF NOT d.enabled THEN
            state := 'disabled';
            reason := 'capi.destinations.enabled = false';
        ELSIF not_running IS NOT NULL THEN
            state := 'worker_not_running';
            reason := not_running;
        ELSIF d.paused_until > now() THEN
            -- the worker's circuit breaker writes this prefix (src/core/dispatch/pipeline.cpp)
            state := CASE WHEN d.pause_reason LIKE 'circuit open %' THEN 'circuit_open' ELSE 'paused' END;
            reason := d.pause_reason;
        ELSE
            state := 'active';
        END IF;
        pending := coalesce((unread_of -> d.name ->> 0)::bigint, 0);
        oldest_unread := (unread_of -> d.name ->> 1)::timestamptz;

        -- The open window's batches: claimed events being sent or waiting for a resend. Only they
        -- can end at or after the xmin of window_start (the batches_range index).
        SELECT coalesce(sum(b.events) FILTER (WHERE b.status = 'in_flight'), 0),
               coalesce(sum(b.events) FILTER (WHERE b.status = 'retrying'), 0),
               (array_agg(b.first_id ORDER BY b.first_txid, b.first_id))[1],
               (array_agg(b.last_error ORDER BY b.last_attempt_at DESC)
                    FILTER (WHERE b.status = 'retrying' AND b.last_error IS NOT NULL))[1],
               max(b.last_attempt_at) FILTER (WHERE b.status = 'retrying' AND b.last_error IS NOT NULL)
          INTO open_in_flight, open_retrying, open_first_id, open_error, open_error_at
          FROM capi.batches b
         WHERE b.destination = d.name
           AND b.last_txid >= pg_snapshot_xmin(d.window_start)
           AND b.status IN ('in_flight', 'retrying');
        oldest_claimed := (SELECT o.created_at FROM capi.outbox o WHERE o.id = open_first_id);

        -- Events with rows of their own that are not settled (event_deliveries_unsettled).
        SELECT count(*) FILTER (WHERE e.status = 'failed'),
               count(*) FILTER (WHERE e.status = 'in_flight'),
               count(*) FILTER (WHERE e.status = 'retrying')
          INTO failed, requeued_in_flight, requeued_retrying
          FROM capi.event_deliveries e
         WHERE e.destination = d.name AND e.status IN ('failed', 'retrying', 'in_flight');
        in_flight := open_in_flight + requeued_in_flight;
        retrying := open_retrying + requeued_retrying;
        oldest_requeued := NULL;
        IF requeued_in_flight + requeued_retrying > 0 THEN
            oldest_requeued := (SELECT min(o.created_at)
                                  FROM capi.event_deliveries e JOIN capi.outbox o ON o.id = e.outbox_id
                                 WHERE e.destination = d.name AND e.status IN ('retrying', 'in_flight'));
        END IF;
        oldest_pending_age := now() - least(oldest_unread, oldest_claimed, oldest_requeued);

        SELECT e.last_error, e.last_attempt_at INTO failed_error, failed_error_at
          FROM capi.event_deliveries e
         WHERE e.destination = d.name AND e.status = 'failed' AND e.last_attempt_at IS NOT NULL
         ORDER BY e.last_attempt_at DESC LIMIT 1;
        SELECT e.last_error, e.last_attempt_at INTO retrying_error, retrying_error_at
          FROM capi.event_deliveries e
         WHERE e.destination = d.name AND e.status = 'retrying' AND e.last_error IS NOT NULL
           AND e.last_attempt_at IS NOT NULL
         ORDER BY e.last_attempt_at DESC LIMIT 1;
        last_error := NULL;
        last_error_at := NULL;
        IF open_error_at IS NOT NULL THEN
            last_error := open_error;
            last_error_at := open_error_at;
        END IF;
        IF failed_error_at IS NOT NULL AND (last_error_at IS NULL OR failed_error_at > last_error_at) THEN
            last_error := failed_error;
            last_error_at := failed_error_at;
        END IF;
        IF retrying_error_at IS NOT NULL AND (last_error_at IS NULL OR retrying_error_at > last_error_at) THEN
            last_error := retrying_error;
            last_error_at := retrying_error_at;
        END IF;

        -- Settled events, from the worker's per-minute counters.
        SELECT coalesce(sum(c.delivered) FILTER (WHERE c.minute >= now() - interval '1 hour'), 0),
               coalesce(sum(c.failed) FILTER (WHERE c.minute >= now() - interval '1 hour'), 0),
               coalesce(sum(c.delivered) FILTER (WHERE c.minute >= recent_start), 0)
          INTO delivered_last_hour, failed_last_hour, recent
          FROM capi.delivery_counts c
         WHERE c.destination = d.name AND c.minute >= date_trunc('minute', now()) - interval '1 hour';
        events_per_second := recent / extract(epoch FROM now() - recent_start)::double precision;
        last_delivered_at := (SELECT c.last_delivered_at FROM capi.delivery_counts c
                               WHERE c.destination = d.name AND c.last_delivered_at IS NOT NULL
                               ORDER BY c.minute DESC LIMIT 1);
        RETURN NEXT;
    END LOOP;
END
$$;
COMMENT ON FUNCTION capi.destination_stats() IS
    'The rows of capi.stats (one per destination), without reading the queue';
REVOKE ALL ON FUNCTION capi.destination_stats() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.destination_stats() TO capi_admin, capi_monitor;

CREATE VIEW capi.stats AS SELECT * FROM capi.destination_stats();
COMMENT ON VIEW capi.stats IS
    'Delivery health, one row per destination, cheap enough to scrape every 15 s: never reads the queue. '
    'pending is an estimate beyond 2,000 outbox ids between a destination''s cursor and the newest row '
    '(exact up to that); the other counts are exact';
COMMENT ON COLUMN capi.stats.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.stats.platform IS 'capi.destinations.platform';
COMMENT ON COLUMN capi.stats.state IS
    'disabled (enabled = false), worker_not_running (no worker delivers this database), circuit_open '
    '(transient failures in a row: one-event probes only), paused (refused credentials or account, '
    'endpoint no longer allowed, unusable credential file) or active; checked in this order';
COMMENT ON COLUMN capi.stats.reason IS
    'Why the state is not active: capi.cursors.pause_reason, the setup problem, or the disabled flag';
COMMENT ON COLUMN capi.stats.pending IS
    'ESTIMATE beyond 2,000 ids: events committed for the destination and not read by the worker yet. Exact '
    'when at most 2,000 outbox ids lie between its first unread row and the newest row; else the share of '
    'unread rows among 2,000 ids read there (250 runs of 8, one in each of 250 equal slices) times the span '
    '(the error is typically under 1.5 % of the span)';
COMMENT ON COLUMN capi.stats.in_flight IS 'Events being sent (exact)';
COMMENT ON COLUMN capi.stats.retrying IS 'Events waiting for a resend after a transient error, or requeued (exact)';
COMMENT ON COLUMN capi.stats.failed IS
    'Events that failed for good and are not retried, corrected or discarded (exact; reads them by a partial index)';
COMMENT ON COLUMN capi.stats.delivered_last_hour IS
    'Events accepted in the last hour, in whole minutes (the 59 to 60 minutes before now; exact)';
COMMENT ON COLUMN capi.stats.failed_last_hour IS
    'Events that failed for good in the last hour, in whole minutes (exact)';
COMMENT ON COLUMN capi.stats.oldest_pending_age IS
    'Age of the oldest event not yet settled (pending, in flight or retrying; failed ones excluded), '
    'from its transaction''s start; NULL when none. Exact when pending is, else the oldest of the ids read '
    '(the first run starts at the first unread row)';
COMMENT ON COLUMN capi.stats.last_delivered_at IS
    'When an event was last accepted (NULL: nothing within capi.delivered_retention, at least a day)';
COMMENT ON COLUMN capi.stats.last_error IS
    'The latest error that is not resolved: of a batch waiting for a resend, of a failed or requeued event';
COMMENT ON COLUMN capi.stats.last_error_at IS 'When last_error happened';
COMMENT ON COLUMN capi.stats.events_per_second IS
    'Events accepted per second over the last 4 to 5 minutes (from the start of the minute 4 minutes ago; exact)';
COMMENT ON COLUMN capi.stats.worker_pid IS 'Process id of the delivery worker (NULL when none runs)';
COMMENT ON COLUMN capi.stats.worker_database IS 'Database the worker delivers (capi.database)';
REVOKE ALL ON capi.stats FROM PUBLIC;
GRANT SELECT ON capi.stats TO capi_admin, capi_monitor;

-- What else a monitor reads: per-event and per-request delivery state (no credentials or identifiers:
-- event ids, statuses, errors already redacted by the worker). Later sections grant their views too.
GRANT SELECT ON capi.delivery_status, capi.batches TO capi_monitor;


-- ==== end issue 13: health ====

-- ==== issue 13: match quality (capi.match_quality, capi.match_quality_report, dedup audit) ====
-- Match quality before and after sending (docs/match-quality.md): capi.match_quality() estimates a
-- platform's 0-10 match score of one event's identifiers; capi.match_quality_report shows coverage and
-- the estimated score per destination, event name and day from what the outbox keeps (digests, no raw
-- PII); capi.dedup_audit counts the duplicate inserts ON CONFLICT DO NOTHING silently rejected and the
-- event ids fit for deduplication against the browser pixel.

-- What an INSERT could not use. The outbox keeps only the identifiers it could normalize, so a failed
-- one would leave no trace: the row trigger records the user_data keys given with a value of which no
-- platform can use any (an email that is no address, an invalid IP, the SHA-256 of ""). NULL when none
-- (no storage cost on the common row). Set by the trigger on INSERT and correction, whatever the
-- statement says; writers cannot insert it (their INSERT grant names columns) but may read it on their
-- own rows (RETURNING *, the 0.4.0 row policy).
ALTER TABLE capi.outbox ADD COLUMN unusable_identifiers text[];
COMMENT ON COLUMN capi.outbox.unusable_identifiers IS
    'user_data keys given with a value no platform can use (not normalizable, invalid IP, SHA-256 of ""), '
    'set by the INSERT trigger; NULL when none';
GRANT SELECT (unusable_identifiers) ON capi.outbox TO capi_writer;

-- The report views group by the UTC day a row was inserted; a time-bounded WHERE on day reads only
-- those days through this index (one more btree entry per INSERT: docs/match-quality.md "Cost").
CREATE INDEX outbox_created_day ON capi.outbox (((created_at AT TIME ZONE 'UTC')::date));

CREATE FUNCTION capi.match_quality(user_data jsonb, platform text DEFAULT 'meta') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'capi_match_quality'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_quality(jsonb, text) IS
    'Estimated 0-10 match score of raw or hashed identifiers for a platform, each identifier''s status and '
    'contribution, and what to add or fix to raise it (docs/match-quality.md)';

-- The per-row functions of the views (also usable on their own). They run no SQL.
CREATE FUNCTION capi.match_keys(user_data jsonb, unusable_identifiers text[], platform text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'capi_match_keys'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_keys(jsonb, text[], text) IS
    'Which match keys a stored identity bag carries for a platform: bits 0-14 usable (em ph fn ln ct st zp '
    'country ge db external_id ip ua click_id browser_id), bits 16-30 given but unusable, bits 32-39 and '
    '40-47 their counts';
CREATE FUNCTION capi.match_score(match_keys bigint, platform text) RETURNS real
    AS 'MODULE_PATHNAME', 'capi_match_score'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_score(bigint, text) IS
    'Estimated 0-10 match score of the usable keys in a capi.match_keys() value';
CREATE FUNCTION capi.match_keys_used(platform text) RETURNS integer
    AS 'MODULE_PATHNAME', 'capi_match_keys_used'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_keys_used(text) IS
    'The match keys (capi.match_keys() bits 0-14) a platform is sent from the outbox';
CREATE FUNCTION capi.event_id_problem(event_id text, event_time timestamptz) RETURNS text
    AS 'MODULE_PATHNAME', 'capi_event_id_problem'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.event_id_problem(text, timestamptz) IS
    'Why an event id is unfit for deduplication against the browser pixel (blank, whitespace, placeholder, '
    'template, small_number, timestamp); NULL when fit';

CREATE VIEW capi.match_quality_report AS
SELECT r.destination,
       r.platform,
       r.event_name,
       r.day,
       pg_catalog.count(*) AS events,
       -- coverage: the share of events carrying a usable value; NULL where the platform takes no such key
       CASE WHEN capi.match_keys_used(r.platform) & 1 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 1 <> 0)::numeric / pg_catalog.count(*), 3) END AS em,
       CASE WHEN capi.match_keys_used(r.platform) & 2 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 2 <> 0)::numeric / pg_catalog.count(*), 3) END AS ph,
       CASE WHEN capi.match_keys_used(r.platform) & 4 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 4 <> 0)::numeric / pg_catalog.count(*), 3) END AS fn,
       CASE WHEN capi.match_keys_used(r.platform) & 8 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 8 <> 0)::numeric / pg_catalog.count(*), 3) END AS ln,
       CASE WHEN capi.match_keys_used(r.platform) & 16 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 16 <> 0)::numeric / pg_catalog.count(*), 3) END AS ct,
       CASE WHEN capi.match_keys_used(r.platform) & 32 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 32 <> 0)::numeric / pg_catalog.count(*), 3) END AS st,
       CASE WHEN capi.match_keys_used(r.platform) & 64 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 64 <> 0)::numeric / pg_catalog.count(*), 3) END AS zp,
       CASE WHEN capi.match_keys_used(r.platform) & 128 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 128 <> 0)::numeric / pg_catalog.count(*), 3) END AS country,
       CASE WHEN capi.match_keys_used(r.platform) & 256 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 256 <> 0)::numeric / pg_catalog.count(*), 3) END AS ge,
       CASE WHEN capi.match_keys_used(r.platform) & 512 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 512 <> 0)::numeric / pg_catalog.count(*), 3) END AS db,
       CASE WHEN capi.match_keys_used(r.platform) & 1024 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 1024 <> 0)::numeric / pg_catalog.count(*), 3) END AS external_id,
       CASE WHEN capi.match_keys_used(r.platform) & 2048 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 2048 <> 0)::numeric / pg_catalog.count(*), 3) END AS ip,
       CASE WHEN capi.match_keys_used(r.platform) & 4096 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 4096 <> 0)::numeric / pg_catalog.count(*), 3) END AS ua,
       CASE WHEN capi.match_keys_used(r.platform) & 8192 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 8192 <> 0)::numeric / pg_catalog.count(*), 3) END AS click_id,
       CASE WHEN capi.match_keys_used(r.platform) & 16384 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 16384 <> 0)::numeric / pg_catalog.count(*), 3) END AS browser_id,
       -- of the identifiers given for the keys the platform takes, the share that could not be used
       pg_catalog.round(pg_catalog.sum((r.keys >> 40) & 255)::numeric
             / NULLIF(pg_catalog.sum(((r.keys >> 32) & 255) + ((r.keys >> 40) & 255)), 0), 3) AS unusable_share,
       pg_catalog.round(pg_catalog.avg(capi.match_score(r.keys, r.platform))::numeric, 1) AS estimated_score,
       pg_catalog.round(pg_catalog.avg(capi.match_score(r.keys, r.platform))::numeric, 1) < 6 AS below_6
FROM (
    SELECT d.name AS destination,
           d.platform,
           o.event_name,
           (o.created_at AT TIME ZONE 'UTC')::date AS day,
           k.keys
    FROM capi.outbox o
    JOIN capi.cursors c
        ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
       AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
    JOIN capi.destinations d ON d.name = c.destination
    -- In FROM, so that it runs once per row and destination: as an output column of this subquery it
    -- would be copied into each of the aggregates above and run twenty times.
    CROSS JOIN LATERAL capi.match_keys(o.user_data, o.unusable_identifiers, d.platform) AS k(keys)
) r
GROUP BY r.destination, r.platform, r.event_name, r.day;
COMMENT ON VIEW capi.match_quality_report IS
    'Per destination, event name and UTC day of INSERT: events, coverage of each match key (NULL: not used by '
    'the platform), share of given identifiers that were unusable, the mean estimated match score and '
    'whether it is below 6. Filter on day: an index serves it (docs/match-quality.md)';

-- Rejected duplicate inserts: the INSERT trigger records a row here for each destination of an event
-- whose (event_name, event_id) is already taken (ON CONFLICT DO NOTHING then skips it silently). It
-- is written in the inserting statement, so a plain INSERT that fails with 23505 leaves nothing, and
-- only by the trigger (as the table's owner): no role may write it. Purged with the delivered events
-- (capi.delivered_retention, whole UTC days).
CREATE TABLE capi.rejected_duplicates (
    destination text NOT NULL REFERENCES capi.destinations (name) ON UPDATE CASCADE ON DELETE CASCADE,
    event_name text NOT NULL,
    event_id text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX rejected_duplicates_day ON capi.rejected_duplicates (((rejected_at AT TIME ZONE 'UTC')::date));
COMMENT ON TABLE capi.rejected_duplicates IS
    'One row per destination of each INSERT into capi.outbox rejected as a duplicate of a taken '
    '(event_name, event_id) (ON CONFLICT DO NOTHING); written by the INSERT trigger, purged after '
    'capi.delivered_retention';
REVOKE ALL ON capi.rejected_duplicates FROM PUBLIC;
GRANT SELECT ON capi.rejected_duplicates TO capi_admin;
GRANT SELECT, DELETE ON capi.rejected_duplicates TO capi_worker;

CREATE VIEW capi.dedup_audit AS
SELECT a.destination,
       a.day,
       pg_catalog.sum(a.events)::bigint AS events,
       pg_catalog.sum(a.rejected)::bigint AS rejected_duplicates,
       pg_catalog.round(pg_catalog.sum(a.rejected)::numeric / NULLIF(pg_catalog.sum(a.events) + pg_catalog.sum(a.rejected), 0), 4)
           AS duplicate_share,
       pg_catalog.sum(a.fit)::bigint AS event_ids_fit,
       pg_catalog.round(pg_catalog.sum(a.fit)::numeric / NULLIF(pg_catalog.sum(a.events), 0), 4) AS event_id_fit_share,
       pg_catalog.array_agg(DISTINCT a.problem) FILTER (WHERE a.problem IS NOT NULL) AS event_id_problems
FROM (
    SELECT e.destination, e.day, 1 AS events, 0 AS rejected, CASE WHEN e.problem IS NULL THEN 1 ELSE 0 END AS fit,
           e.problem
    FROM (
        SELECT c.destination,
               (o.created_at AT TIME ZONE 'UTC')::date AS day,
               p.problem
        FROM capi.outbox o
        JOIN capi.cursors c
            ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
           AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
        JOIN capi.destinations d ON d.name = c.destination
        -- the platform's deduplication key: Google's transaction id is custom_data.order_id when set
        -- (in FROM: evaluated once per row and destination)
        CROSS JOIN LATERAL capi.event_id_problem(CASE WHEN d.platform = 'google'
                                                      THEN coalesce(o.custom_data ->> 'order_id', o.event_id)
                                                      ELSE o.event_id END,
                                                 o.event_time) AS p(problem)
    ) e
    UNION ALL
    SELECT r.destination, (r.rejected_at AT TIME ZONE 'UTC')::date, 0, 1, 0, NULL
    FROM capi.rejected_duplicates r
) a
GROUP BY a.destination, a.day;
COMMENT ON VIEW capi.dedup_audit IS
    'Per destination and UTC day: events inserted, duplicate inserts rejected (ON CONFLICT DO NOTHING), '
    'their share of all attempts, and the events whose id is fit for deduplication against the browser '
    'pixel, with the problems of the others (docs/match-quality.md)';

-- Aggregates only, never an identifier or a credential: operators read them; writers do not (they
-- would see other applications' traffic).
REVOKE ALL ON capi.match_quality_report, capi.dedup_audit FROM PUBLIC;
GRANT SELECT ON capi.match_quality_report, capi.dedup_audit TO capi_admin;
-- Monitoring reads them too (capi_monitor, created in the health section above).
GRANT SELECT ON capi.match_quality_report, capi.dedup_audit TO capi_monitor;
-- (The functions above are executable by PUBLIC, capi_monitor included: they read only their arguments.)

-- ==== end issue 13: match quality ====

-- ==== issue 13: dry run ====
-- capi.dry_run sends a destination's next pending events (not yet read by the worker) to the
-- platform's test or validate mode and returns its verdict per event, writing nothing: the worker
-- delivers the same events normally afterwards. It reads the destination's credentials (and credential
-- files), so it is for capi_admin only. LinkedIn has no test mode: refused (0A000). Design and each
-- platform's mode: README "Try before sending".
CREATE FUNCTION capi.dry_run(destination text, n integer DEFAULT 10, test_code text DEFAULT NULL)
    RETURNS TABLE (outbox_id bigint, event_id text, event_name text, accepted boolean, verdict text,
                   message text)
    LANGUAGE c VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'capi_dry_run';
COMMENT ON FUNCTION capi.dry_run(text, integer, text) IS
    'Sends the destination''s next n pending events (1 to 1000) to the platform''s test or validate mode '
    '(Meta/TikTok test_event_code and Reddit test_id: test_code or the config''s; Google validateOnly, Snap '
    '/events/validate, Pinterest ?test=true) and returns one row per event: accepted, verdict (accepted, '
    'rejected, invalid, skipped, error) and the platform''s message, credentials redacted. Changes no '
    'delivery state. LinkedIn has no test mode (0A000)';
REVOKE ALL ON FUNCTION capi.dry_run(text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.dry_run(text, integer, text) TO capi_admin;
-- ==== end issue 13: dry run ====
