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

-- ==== end issue 13: health ====

-- ==== issue 13: match quality (capi.match_quality, capi.match_quality_report, dedup audit) ====

-- ==== end issue 13: match quality ====
