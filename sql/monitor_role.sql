-- capi_monitor (issue 13): reads capi.stats, capi.delivery_status, capi.batches and
-- capi.delivery_counts, and nothing that holds a credential, an identifier or an event's data. Each
-- grant and each denial, as a member would meet it.
\set VERBOSITY terse
\pset null '<null>'
SELECT rolname, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication
FROM pg_roles WHERE rolname = 'capi_monitor';
CREATE ROLE regress_capi_scraper LOGIN IN ROLE capi_monitor;
CREATE ROLE regress_capi_stranger LOGIN;
CREATE ROLE regress_capi_dba LOGIN IN ROLE capi_admin;
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('mon-a', 'meta', '{"pixel_id": "333"}', '{"access_token": "EAA-monitor-must-not-see"}');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('mon-1', 'Purchase', 'https://shop.example/', '{"email": "a@example.com", "client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "USD"}');

-- Everything capi_monitor holds in schema capi, table by table and column by column.
SELECT c.relname, c.relkind, array_agg(a.privilege_type ORDER BY a.privilege_type) AS privileges
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.relnamespace = 'capi'::regnamespace AND a.grantee = 'capi_monitor'::regrole
GROUP BY c.relname, c.relkind ORDER BY c.relname;
SELECT c.relname, at.attname
FROM pg_class c JOIN pg_attribute at ON at.attrelid = c.oid, aclexplode(at.attacl) a
WHERE c.relnamespace = 'capi'::regnamespace AND a.grantee = 'capi_monitor'::regrole
ORDER BY 1, 2;
SELECT p.proname FROM pg_proc p, aclexplode(p.proacl) a
WHERE p.pronamespace = 'capi'::regnamespace AND a.grantee = 'capi_monitor'::regrole ORDER BY 1;
-- No column named like a secret or holding event data is readable by it, by any route (PUBLIC's
-- grants included).
SELECT c.relname, at.attname AS readable_sensitive_column
FROM pg_class c JOIN pg_attribute at ON at.attrelid = c.oid
WHERE c.relnamespace = 'capi'::regnamespace AND c.relkind IN ('r', 'v') AND at.attnum > 0
  AND NOT at.attisdropped
  AND at.attname IN ('credentials', 'user_data', 'custom_data', 'consent', 'event_source_url',
                     'previous_user_data_sha256', 'previous_custom_data')
  AND has_column_privilege('regress_capi_scraper', c.oid, at.attnum, 'SELECT')
ORDER BY 1, 2;

SET ROLE regress_capi_scraper;
-- Granted.
SELECT destination, state, pending FROM capi.stats;
SELECT destination, state, pending FROM capi.destination_stats();
SELECT event_id, destination, status FROM capi.delivery_status;
SELECT count(*) AS batches FROM capi.batches;
SELECT count(*) AS counters FROM capi.delivery_counts;
SELECT pid IS NOT NULL AS has_pid, database FROM capi.worker_status();
SELECT name, platform, enabled, config FROM capi.destinations;  -- PUBLIC's columns
-- Denied: credentials, events and their data, the worker's other state, and every action.
SELECT credentials FROM capi.destinations;
SELECT * FROM capi.destinations;
SELECT event_id FROM capi.outbox;
SELECT user_data FROM capi.outbox;
SELECT count(*) FROM capi.event_deliveries;
SELECT count(*) FROM capi.cursors;
SELECT count(*) FROM capi.corrections;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('mon-2', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "USD"}');
UPDATE capi.destinations SET enabled = false WHERE name = 'mon-a';
DELETE FROM capi.batches;
INSERT INTO capi.delivery_counts (destination, minute) VALUES ('mon-a', now());
SELECT capi.retry_failed();
SELECT capi.discard_failed();
SELECT capi.correct_failed('mon-1', 'mon-a', custom_data => '{"value": 2, "currency": "USD"}');
SELECT capi.wake_worker();
SELECT capi.has_undelivered_events('mon-a');
SELECT capi.preview('mon-1', 'mon-a');
RESET ROLE;

-- A role that is not a member reads none of it.
SET ROLE regress_capi_stranger;
SELECT count(*) FROM capi.stats;
SELECT count(*) FROM capi.destination_stats();
SELECT count(*) FROM capi.delivery_status;
SELECT count(*) FROM capi.batches;
SELECT count(*) FROM capi.delivery_counts;
SELECT * FROM capi.worker_status();
RESET ROLE;

-- capi_admin reads the same health, and finds the worker there: pg_stat_activity hides a background
-- worker's details from roles without pg_read_all_stats (the query operations.md used to give).
SELECT count(*) AS worker_rows_a_superuser_sees FROM pg_stat_activity WHERE backend_type LIKE 'pg_capi%';
SET ROLE regress_capi_dba;
SELECT destination, state FROM capi.stats;
SELECT count(*) AS worker_rows_in_pg_stat_activity FROM pg_stat_activity WHERE backend_type LIKE 'pg_capi%';
SELECT count(*) AS workers_in_capi_stats FROM capi.stats s JOIN capi.worker_status() w ON w.pid = s.worker_pid;
RESET ROLE;

BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name = 'mon-a';
COMMIT;
DELETE FROM capi.outbox WHERE event_id = 'mon-1';
DROP ROLE regress_capi_scraper, regress_capi_stranger, regress_capi_dba;
