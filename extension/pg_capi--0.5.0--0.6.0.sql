-- pg_capi 0.5.0 -> 0.6.0: backups that restore safely (issue 11), identity on real-world data
-- (issue 12), health and match quality in SQL (issue 13).

-- ==== issue 11: backups (pg_extension_config_dump, restore across clusters) ====

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

-- ==== end issue 13: match quality ====
