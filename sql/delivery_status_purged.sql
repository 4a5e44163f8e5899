-- capi.delivery_status after the purge (issue 13): an event delivered to one destination keeps its
-- outbox row while another destination has not delivered it, but its batch row is purged after
-- capi.delivered_retention (the worker deletes settled batches by age). The event is still delivered
-- there: the destination's cursor has passed it, and it has no capi.event_deliveries row (failed,
-- skipped and requeued events have one). The state is made here as the worker leaves it (the worker
-- delivers in the database named by capi.database, not in this one).
\pset null '<null>'
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES
    ('dp-done', 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-dp-done"}',
     'http://127.0.0.1:9'),
    ('dp-open', 'meta', '{"pixel_id": "222", "api_version": "v25.0"}', '{"access_token": "EAA-dp-open"}',
     'http://127.0.0.1:9'),
    ('dp-late', 'meta', '{"pixel_id": "333", "api_version": "v25.0"}', '{"access_token": "EAA-dp-late"}',
     'http://127.0.0.1:9');
-- One statement: one transaction, ids in event order.
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT 'dp' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}', ARRAY['dp-done', 'dp-open', 'dp-late']
FROM generate_series(1, 4) g;

-- dp-done read the four events in one window, in one batch: dp3 failed for good (a row of its own),
-- the others were accepted; the window is complete (window_start sees the events).
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, failed_events, delivered_at)
SELECT 'dp-done', (SELECT window_start FROM capi.cursors WHERE destination = 'dp-done'), pg_current_snapshot(),
       min(txid), min(id), max(txid), max(id), count(*), 'partial', 1, 1, now()
FROM capi.outbox WHERE event_id LIKE 'dp_';
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                   last_attempt_at, last_error, failure_kind)
SELECT 'dp-done', id, event_id, event_name, 'failed', 1, now(), 'Invalid parameter', 'permanent'
FROM capi.outbox WHERE event_id = 'dp3';
UPDATE capi.cursors SET window_start = pg_current_snapshot(), window_end = NULL, done_txid = NULL, done_id = NULL
WHERE destination = 'dp-done';
-- dp-open is in the middle of its window: the batch of dp1 and dp2 is acknowledged (done_txid,
-- done_id), dp3 and dp4 are not read yet.
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, delivered_at)
SELECT 'dp-open', (SELECT window_start FROM capi.cursors WHERE destination = 'dp-open'), pg_current_snapshot(),
       min(txid), min(id), max(txid), max(id), count(*), 'delivered', 1, now()
FROM capi.outbox WHERE event_id IN ('dp1', 'dp2');
UPDATE capi.cursors c
   SET window_end = b.window_end, done_txid = b.last_txid, done_id = b.last_id
  FROM capi.batches b WHERE b.destination = 'dp-open' AND c.destination = 'dp-open';
-- dp-late has read nothing: it keeps the outbox rows from being purged.
CREATE TEMP VIEW states AS
SELECT destination, event_id, status, attempts, last_error, next_attempt_at, reason
FROM capi.delivery_status WHERE event_id LIKE 'dp_' ORDER BY destination, event_id;
SELECT * FROM states;

-- The purge, as the worker runs it after capi.delivered_retention: settled batches go; the outbox rows
-- stay (dp-late has not passed them), and so does dp3's failed row.
DELETE FROM capi.batches WHERE destination IN ('dp-done', 'dp-open')
   AND status IN ('delivered', 'partial', 'failed', 'skipped', 'abandoned');
-- Unchanged: dp-done delivered dp1, dp2 and dp4 and failed dp3; dp-open delivered dp1 and dp2.
SELECT * FROM states;
-- A paused or disabled destination does not make delivered events read as waiting.
UPDATE capi.cursors SET paused_until = now() + interval '5 minutes', pause_reason = 'Meta: Invalid OAuth access token (code 190)',
       paused_by = 'platform'
 WHERE destination = 'dp-open';
UPDATE capi.destinations SET enabled = false WHERE name = 'dp-done';
SELECT destination, event_id, status, reason FROM states WHERE destination <> 'dp-late';

BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name LIKE 'dp-%';
COMMIT;
DELETE FROM capi.outbox WHERE event_id LIKE 'dp_';
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
