-- pg_capi 0.3.0 -> 0.4.0: the security model of docs/security.md. The delivery worker's statements
-- run as the role capi_worker with only the rights delivery needs; every function that runs SQL has
-- a fixed search_path; writers insert only the columns an application owns; a destination can be
-- restricted to the writer roles a DBA names.
\echo Use "ALTER EXTENSION pg_capi UPDATE TO '0.4.0'" to load this file. \quit

-- capi_worker is cluster-wide, like the other roles, and may exist from an install in another
-- database. It is adopted only when it is exactly what this script would create: a role that can
-- log in, has members or any attribute would hand the worker's rights (credentials included) to
-- whoever controls it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'capi_worker') THEN
        CREATE ROLE capi_worker NOLOGIN;
    ELSIF EXISTS (SELECT FROM pg_catalog.pg_roles r
                  WHERE r.rolname = 'capi_worker'
                    AND (r.rolsuper OR r.rolcanlogin OR r.rolcreaterole OR r.rolcreatedb
                         OR r.rolreplication OR r.rolbypassrls))
       OR EXISTS (SELECT FROM pg_catalog.pg_auth_members m
                  JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
                  WHERE r.rolname = 'capi_worker') THEN
        RAISE EXCEPTION 'role "capi_worker" already exists with attributes or members pg_capi would not give it'
            USING ERRCODE = 'duplicate_object',
                  HINT = 'pg_capi''s delivery worker runs as capi_worker: drop that role, or make it NOLOGIN '
                         'without attributes or members, then try again.';
    END IF;
END
$$;
COMMENT ON ROLE capi_worker IS 'pg_capi: the role the delivery worker''s statements run as (NOLOGIN)';

-- What delivery needs, and nothing else: read events and destinations, keep its own state, purge.
GRANT USAGE ON SCHEMA capi TO capi_worker;
GRANT SELECT, DELETE ON capi.outbox TO capi_worker;
GRANT SELECT ON capi.destinations TO capi_worker;
GRANT SELECT, UPDATE ON capi.cursors TO capi_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON capi.batches, capi.event_deliveries TO capi_worker;

-- Writers insert the columns an application owns. id, txid and created_at are the extension's:
-- OVERRIDING SYSTEM VALUE cannot squat on the ids other applications' inserts will take, and a
-- forged created_at cannot get a row purged early (the trigger also sets it, for every role).
REVOKE INSERT ON capi.outbox FROM capi_writer, capi_admin;
GRANT INSERT (event_id, event_name, event_time, action_source, event_source_url, user_data, custom_data,
              consent, destinations)
    ON capi.outbox TO capi_writer, capi_admin;

-- Which writer roles may send events to a destination. NULL: every role that may insert into
-- capi.outbox. Else only members of these roles; an event whose destinations is NULL then means
-- "every destination the inserting role may send to" (the INSERT trigger writes them out).
ALTER TABLE capi.destinations ADD COLUMN writer_roles regrole[];
COMMENT ON COLUMN capi.destinations.writer_roles IS
    'Roles whose members may send events here; NULL = every role that may insert into capi.outbox';
GRANT SELECT (writer_roles) ON capi.destinations TO PUBLIC;

-- Every function that runs SQL resolves names in pg_catalog only (its SQL names capi's objects with
-- their schema). The C functions that run no SQL at all (capi.normalize, capi.hash, capi.user_data,
-- capi.sha256_hex, capi.wake_worker) resolve no names and keep their per-call speed.
ALTER FUNCTION capi.preview(text, text) SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION capi.outbox_row_trigger() SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION capi.destinations_row_trigger() SET search_path = pg_catalog, pg_temp;

-- A change of destinations wakes the worker and tells every session's INSERT trigger to read the
-- destinations (and their writer_roles) again. C, so that no SQL is involved.
CREATE OR REPLACE FUNCTION capi.destinations_changed() RETURNS trigger
    AS 'MODULE_PATHNAME', 'capi_destinations_changed'
    LANGUAGE C
    SET search_path = pg_catalog, pg_temp;
DROP TRIGGER destinations_changed ON capi.destinations;
CREATE TRIGGER destinations_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON capi.destinations
    FOR EACH STATEMENT EXECUTE FUNCTION capi.destinations_changed();

-- Delivery states (issue 10 §3)
-- Every status says what it means. A settled batch is 'delivered' (every event accepted), 'partial'
-- (failed_events of its events failed, each with its own capi.event_deliveries row) or 'failed'
-- (every event failed). A delivered row's last_error is NULL: the error of an earlier attempt is kept
-- in previous_error. capi.delivery_status shows the events of a paused destination as 'paused' and
-- those a disabled destination will not send as 'disabled', with the reason in the new column reason.
ALTER TABLE capi.batches DROP CONSTRAINT batches_status_check;
ALTER TABLE capi.batches ADD CONSTRAINT batches_status_check
    CHECK (status IN ('in_flight', 'retrying', 'delivered', 'partial', 'failed', 'abandoned'));
ALTER TABLE capi.batches ADD COLUMN previous_error text;
COMMENT ON COLUMN capi.batches.status IS
    'in_flight, retrying, delivered (every event), partial (failed_events failed), failed (every event), '
    'abandoned (a lease of a stopped worker: its events were read again)';
COMMENT ON COLUMN capi.batches.last_error IS
    'The error that keeps the batch from being delivered (retrying, failed); NULL once delivered or partial';
COMMENT ON COLUMN capi.batches.previous_error IS
    'The last transient error of an earlier attempt of a settled batch (history); NULL when none';
ALTER TABLE capi.event_deliveries ADD COLUMN previous_error text;
COMMENT ON COLUMN capi.event_deliveries.last_error IS
    'Why the event failed or is retrying; NULL once delivered';
COMMENT ON COLUMN capi.event_deliveries.previous_error IS
    'The error of the attempt before the one that delivered it (history); NULL until delivered';

-- Rows written by 0.3.0: settled batches get their true word, delivered rows lose their error.
UPDATE capi.batches
   SET status = CASE WHEN failed_events >= events THEN 'failed'
                     WHEN failed_events > 0 THEN 'partial'
                     ELSE 'delivered' END,
       previous_error = last_error,
       last_error = CASE WHEN failed_events >= events THEN last_error END
 WHERE status = 'delivered';
UPDATE capi.event_deliveries SET previous_error = last_error, last_error = NULL
 WHERE status = 'delivered' AND last_error IS NOT NULL;

CREATE OR REPLACE VIEW capi.delivery_status AS
SELECT o.event_id,
       o.event_name,
       c.destination,
       CASE
           -- settled: the event's own row, else its batch's outcome (a partial batch's failed events
           -- have rows of their own, so the others were delivered)
           WHEN e.status IN ('delivered', 'failed') THEN e.status
           WHEN e.status IS NULL AND b.status IN ('delivered', 'partial') THEN 'delivered'
           WHEN e.status IS NULL AND b.status = 'failed' THEN 'failed'
           -- waiting: a destination that is paused sends nothing; a disabled one takes nothing new
           WHEN c.paused_until > pg_catalog.now() THEN 'paused'
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'disabled'
           WHEN e.status IS NOT NULL THEN e.status
           WHEN b.status IN ('in_flight', 'retrying') THEN b.status
           ELSE 'pending'
       END AS status,
       CASE WHEN e.status IS NOT NULL THEN e.attempts ELSE coalesce(b.attempts, 0) END AS attempts,
       CASE WHEN e.status IS NOT NULL THEN e.last_error ELSE b.last_error END AS last_error,
       CASE WHEN e.status IS NOT NULL THEN e.last_attempt_at ELSE b.last_attempt_at END AS last_attempt_at,
       CASE WHEN e.status IS NOT NULL THEN e.delivered_at ELSE b.delivered_at END AS delivered_at,
       CASE WHEN e.status IS NOT NULL THEN e.trace_id ELSE b.trace_id END AS trace_id,
       CASE
           WHEN e.status IN ('delivered', 'failed') OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.paused_until
           WHEN e.status IS NOT NULL THEN e.next_attempt_at
           ELSE b.next_attempt_at
       END AS next_attempt_at,
       o.id AS outbox_id,
       o.event_time,
       o.created_at,
       CASE
           WHEN e.status IN ('delivered', 'failed') OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.pause_reason
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'destination disabled (capi.destinations.enabled = false)'
       END AS reason,
       CASE WHEN e.status IS NOT NULL THEN e.previous_error ELSE b.previous_error END AS previous_error
FROM capi.outbox o
JOIN capi.cursors c
    ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
   AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
JOIN capi.destinations d ON d.name = c.destination
LEFT JOIN capi.event_deliveries e ON e.destination = c.destination AND e.outbox_id = o.id
LEFT JOIN LATERAL (
    SELECT b.status, b.attempts, b.last_error, b.last_attempt_at, b.delivered_at, b.trace_id, b.next_attempt_at,
           b.previous_error
    FROM capi.batches b
    WHERE b.destination = c.destination
      AND (b.last_txid, b.last_id) >= (o.txid, o.id)
      AND (b.first_txid, b.first_id) <= (o.txid, o.id)
      AND b.status <> 'abandoned'  -- a worker's lease that ended with it: the rows were read again
      AND pg_catalog.pg_visible_in_snapshot(o.txid, b.window_end)
      AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, b.window_start)
    -- Batches of a window do not overlap: the first one ending at or after the row is its batch.
    ORDER BY b.last_txid, b.last_id
    LIMIT 1
) b ON e.status IS NULL;
COMMENT ON VIEW capi.delivery_status IS
    'One row per (outbox event, destination): pending, in_flight, retrying, paused, disabled, delivered or failed';

-- Writers: the documented statements work (issue 11)
-- INSERT ... ON CONFLICT (event_name, event_id) DO NOTHING needs SELECT on the conflict columns, and
-- RETURNING (which ORMs add, some as RETURNING *) on the returned ones. Writers get SELECT on the
-- columns, and row-level security narrows it to the rows of the writer's own open transaction: the
-- rows the statement it is running inserted, which it has just sent. No other application's events,
-- and none of its own earlier ones, are ever visible (pg_stats hides the columns' statistics too,
-- as it does for every table whose row security applies to the reader). ON CONFLICT DO NOTHING with
-- another transaction's row is a silent no-op: it tells the writer that the key is taken, as the
-- unique key itself would. txid and created_at are the trigger's (the inserting transaction's id and
-- start time) and cannot be written by a writer, so the two together identify its own rows even where
-- a logical restore brought back rows with an old transaction id.
GRANT SELECT (id, txid, event_id, event_name, event_time, action_source, event_source_url, user_data,
              custom_data, consent, destinations, created_at)
    ON capi.outbox TO capi_writer;
ALTER TABLE capi.outbox ENABLE ROW LEVEL SECURITY;
-- The owner (and superusers) bypass row security; the operators and the worker see every row.
CREATE POLICY outbox_admin_and_worker ON capi.outbox TO capi_admin, capi_worker
    USING (true) WITH CHECK (true);
CREATE POLICY outbox_writer_insert ON capi.outbox FOR INSERT TO capi_writer
    WITH CHECK (true);
CREATE POLICY outbox_writer_own_transaction ON capi.outbox FOR SELECT TO capi_writer
    USING (txid = pg_catalog.pg_current_xact_id_if_assigned()
           AND created_at = pg_catalog.transaction_timestamp());

-- Setups that deliver nothing, said at once (issue 11): without shared_preload_libraries the worker
-- never runs, and it serves only the database named by capi.database.
CREATE FUNCTION capi.setup_warnings() RETURNS text[]
    AS 'MODULE_PATHNAME', 'capi_setup_warnings'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION capi.setup_warnings() IS
    'Why this database''s outbox would not be delivered (no preload, another capi.database); empty when nothing';
DO $$
DECLARE
    warning text;
BEGIN
    FOREACH warning IN ARRAY capi.setup_warnings() LOOP
        RAISE WARNING 'pg_capi: %', warning;
    END LOOP;
END
$$;

-- No orphans (issue 11): deleting outbox rows (a superuser's DELETE, or the purge) deletes their
-- per-event delivery rows in the same statement.
CREATE FUNCTION capi.outbox_forget_deliveries() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    DELETE FROM capi.event_deliveries e USING gone g WHERE e.outbox_id = g.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_forget_deliveries
    AFTER DELETE ON capi.outbox
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION capi.outbox_forget_deliveries();
