-- capi.cursors.paused_by (issue 13): what paused a destination is stored by the worker with the pause
-- (capi.stats reads circuit_open from it: test/t/026_paused_by.pl). Pauses stored by a 0.6.0 worker had
-- only their text: the update to 0.7.0 classifies them once, from it.
\pset null '<null>'
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi VERSION '0.6.0';
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
SELECT 'pb-' || n, 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-pb"}',
       'http://127.0.0.1:9'
FROM unnest(ARRAY['circuit', 'token', 'file', 'endpoint', 'ended']) n;
-- As 0.6.0 workers stored them (pause_reason texts from src/core/dispatch/pipeline.cpp, the credential
-- file check and the endpoint policy).
UPDATE capi.cursors c SET paused_until = now() + interval '5 minutes', pause_reason = v.reason
FROM (VALUES
    ('pb-circuit', 'circuit open after 5 transient failures in a row (last: HTTP 503: Service Unavailable); probing with one event every 1 s'),
    ('pb-token', 'Meta: Invalid OAuth access token - Cannot parse access token (code 190)'),
    ('pb-file', 'credentials.access_token: the credential file is accessible by group or others (mode 0644; chmod 600 it)'),
    ('pb-endpoint', 'destination pb-endpoint: endpoint 10.0.0.1:443 is not allowed by capi.allowed_endpoint_hosts')
) AS v(destination, reason)
WHERE c.destination = v.destination;
ALTER EXTENSION pg_capi UPDATE;
SELECT destination, paused_by, paused_until IS NOT NULL AS paused FROM capi.cursors
WHERE destination LIKE 'pb-%' ORDER BY destination;
-- Only the three causes.
\set VERBOSITY terse
UPDATE capi.cursors SET paused_by = 'admin' WHERE destination = 'pb-ended';
\set VERBOSITY default
-- capi_admin reads it; the worker writes it (its UPDATE grant covers every column of capi.cursors).
SELECT has_column_privilege('capi_admin', 'capi.cursors', 'paused_by', 'SELECT') AS admin_reads,
       has_column_privilege('capi_worker', 'capi.cursors', 'paused_by', 'UPDATE') AS worker_writes,
       has_column_privilege('capi_monitor', 'capi.cursors', 'paused_by', 'SELECT') AS monitor_reads;

-- Back to a fresh install for the tests that follow.
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
