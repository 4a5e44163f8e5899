-- Every delivery state tells the truth (issue 10 §3): each status of capi.delivery_status and of
-- capi.batches, made here as the worker writes them (the worker delivers in the database named by
-- capi.database, not in this one). Paused and disabled destinations show as such with a reason; a
-- settled batch is delivered, partial or failed; a delivered row has no last_error, the earlier error
-- is kept in previous_error.
\pset null '<null>'
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('st-a', 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-secret-a"}',
        'http://127.0.0.1:9');
-- One statement: one transaction, ids in event order.
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT 's' || lpad(g::text, 2, '0'), 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}', ARRAY['st-a']
FROM generate_series(1, 10) g;
-- Batches as the worker records them, each over a range of those events.
CREATE FUNCTION pg_temp.batch(first_event text, last_event text, status text, failed integer DEFAULT 0,
                              last_error text DEFAULT NULL, previous_error text DEFAULT NULL) RETURNS void
    LANGUAGE sql AS $$
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, failed_events, last_error, previous_error,
                          next_attempt_at, delivered_at)
SELECT 'st-a', (SELECT window_start FROM capi.cursors WHERE destination = 'st-a'), pg_current_snapshot(),
       min(txid), min(id), max(txid), max(id), count(*), status, 2, failed, last_error, previous_error,
       CASE WHEN status = 'retrying' THEN now() + interval '1 minute' END,
       CASE WHEN status IN ('delivered', 'partial', 'failed') THEN now() END
FROM capi.outbox WHERE event_id BETWEEN first_event AND last_event
$$;
CREATE FUNCTION pg_temp.event_row(event text, status text, last_error text, previous_error text DEFAULT NULL)
    RETURNS void LANGUAGE sql AS $$
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                   last_attempt_at, next_attempt_at, last_error, previous_error)
SELECT 'st-a', id, event_id, event_name, status, 1, now(),
       CASE WHEN status = 'retrying' THEN now() END, last_error, previous_error
FROM capi.outbox WHERE event_id = event
$$;
SELECT pg_temp.batch('s01', 's01', 'in_flight');
SELECT pg_temp.batch('s02', 's02', 'retrying', last_error => 'HTTP 503: Service Unavailable');
SELECT pg_temp.batch('s03', 's04', 'delivered', previous_error => 'HTTP 503: Service Unavailable');
SELECT pg_temp.batch('s05', 's06', 'partial', failed => 1);
SELECT pg_temp.event_row('s06', 'failed', 'Invalid parameter');
SELECT pg_temp.batch('s07', 's07', 'failed', failed => 1, last_error => 'Invalid parameter');
SELECT pg_temp.event_row('s07', 'failed', 'Invalid parameter');
SELECT pg_temp.batch('s08', 's08', 'abandoned');  -- a lease of a stopped worker: read again
-- s09: no batch yet. s10: failed, then requeued by capi.retry_failed().
SELECT pg_temp.batch('s10', 's10', 'failed', failed => 1, last_error => 'Invalid parameter');
SELECT pg_temp.event_row('s10', 'retrying', 'Invalid parameter');
CREATE TEMP VIEW states AS
SELECT event_id, status, attempts, last_error, next_attempt_at IS NOT NULL AS has_next, reason, previous_error
FROM capi.delivery_status WHERE destination = 'st-a' ORDER BY event_id;
-- Every state of an enabled destination that is not paused.
SELECT * FROM states;
-- Status words are checked: a batch is never "settled" or anything else unknown.
\set VERBOSITY terse
SELECT pg_temp.batch('s09', 's09', 'settled');
\set VERBOSITY default
-- Paused (as the worker stores an auth failure): whatever waits to be sent reads paused, with the
-- reason and the end of the pause as next_attempt_at; settled rows are unchanged.
UPDATE capi.cursors SET paused_until = now() + interval '5 minutes',
       pause_reason = 'Meta: Invalid OAuth access token (code 190)' WHERE destination = 'st-a';
SELECT * FROM states;
SELECT bool_and(d.next_attempt_at = c.paused_until) AS next_attempt_is_pause_end
FROM capi.delivery_status d JOIN capi.cursors c USING (destination) WHERE d.status = 'paused';
-- A pause that has run out (the worker clears it when it resumes) no longer shows.
UPDATE capi.cursors SET paused_until = now() - interval '1 second' WHERE destination = 'st-a';
SELECT event_id, status, reason FROM states WHERE event_id IN ('s01', 's09');
UPDATE capi.cursors SET paused_until = NULL, pause_reason = NULL WHERE destination = 'st-a';
-- Disabled: what the worker will not take (new events, requeued ones) reads disabled; batches it
-- already sent are still in flight or retrying (it finishes them).
UPDATE capi.destinations SET enabled = false WHERE name = 'st-a';
SELECT * FROM states;
UPDATE capi.destinations SET enabled = true WHERE name = 'st-a';
-- The requeued event is delivered (as the worker stores it): last_error NULL, the error kept.
UPDATE capi.event_deliveries SET status = 'delivered', delivered_at = now(), next_attempt_at = NULL,
       previous_error = last_error, last_error = NULL WHERE event_id = 's10';
SELECT * FROM states WHERE event_id = 's10';
-- No delivered row reads as an error.
SELECT count(*) AS delivered_with_error FROM capi.delivery_status WHERE status = 'delivered' AND last_error IS NOT NULL;
-- capi_admin reads the new columns.
SET ROLE capi_admin;
SELECT status, count(*), count(reason) AS with_reason, count(previous_error) AS with_previous_error
FROM capi.delivery_status GROUP BY status ORDER BY status;
RESET ROLE;
DROP VIEW states;
SET capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations;
RESET capi.allow_dropping_undelivered;
DELETE FROM capi.outbox;

-- Rows written by 0.3.0 are rewritten by ALTER EXTENSION UPDATE: all-failed batches read failed,
-- batches with some failures partial, and delivered rows lose their last_error to previous_error.
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi VERSION '0.3.0';
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('old', 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-secret"}',
        'http://127.0.0.1:9');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT 'u' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}' FROM generate_series(1, 3) g;
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, failed_events, last_error)
SELECT 'old', c.window_start, pg_current_snapshot(), o.txid, o.id, o.txid, o.id, v.events, v.status, 1,
       v.failed, v.last_error
FROM capi.cursors c, capi.outbox o,
     (VALUES (1, 'delivered', 1, 0, 'HTTP 503'), (2, 'delivered', 2, 1, 'HTTP 500'),
             (3, 'delivered', 2, 2, NULL), (4, 'delivered', 1, 0, NULL), (5, 'in_flight', 1, 0, NULL),
             (6, 'retrying', 1, 0, 'HTTP 503')) AS v(n, status, events, failed, last_error)
WHERE o.event_id = 'u1'
ORDER BY v.n;
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts, last_error)
SELECT 'old', id, event_id, event_name, 'delivered', 2, 'HTTP 503' FROM capi.outbox WHERE event_id = 'u2';
ALTER EXTENSION pg_capi UPDATE;
SELECT events, failed_events, status, last_error, previous_error FROM capi.batches ORDER BY id;
SELECT event_id, status, last_error, previous_error FROM capi.event_deliveries;
SET capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations;
RESET capi.allow_dropping_undelivered;
DELETE FROM capi.outbox;
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
