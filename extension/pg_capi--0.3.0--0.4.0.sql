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
