-- Delivery state as SQL: cursors start with the destination, capi.delivery_status, capi.retry_failed,
-- and who may see what. The worker delivers in the database named by capi.database (postgres), not in
-- this one, so every state here is as the SQL left it.
\pset null '<null>'
-- Endpoints beyond a platform's own hosts need a superuser's capi.allowed_endpoint_hosts entry
-- (endpoints.sql); the ones here are loopback.
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);
-- An event committed before any destination exists is for no destination.
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('before-1', 'Lead', 'https://shop.example/', '{"email": "a@example.com"}');
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta-a', 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-secret-a"}',
        'http://127.0.0.1:9'),
       ('meta-b', 'meta', '{"pixel_id": "222", "api_version": "v25.0"}', '{"access_token": "EAA-secret-b"}',
        'http://127.0.0.1:9');
-- Each destination got a cursor starting at its creation.
SELECT destination, window_end IS NULL AS no_window, done_id, paused_until
FROM capi.cursors ORDER BY destination;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
VALUES ('o-1', 'Purchase', 'https://shop.example/', '{"email": "b@example.com", "client_user_agent": "UA"}',
        '{"value": 1, "currency": "USD"}', NULL),
       ('o-2', 'Purchase', 'https://shop.example/', '{"email": "c@example.com", "client_user_agent": "UA"}',
        '{"value": 1, "currency": "USD"}', ARRAY['meta-b']),
       ('o-3', 'Purchase', 'https://shop.example/', '{"email": "d@example.com", "client_user_agent": "UA"}',
        '{"value": 1, "currency": "USD"}', ARRAY['meta-a', 'meta-b']);
-- One row per (event, destination) it is for; nothing for the event older than the destinations.
SELECT event_id, destination, status, attempts, last_error, delivered_at
FROM capi.delivery_status ORDER BY event_id, destination;
-- A batch record (as the worker writes it) makes its events in flight, then delivered.
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts)
SELECT 'meta-a', (SELECT window_start FROM capi.cursors WHERE destination = 'meta-a'), pg_current_snapshot(),
       min(txid), min(id), max(txid), max(id), 2, 'in_flight', 1
FROM capi.outbox WHERE event_id IN ('o-1', 'o-3');
SELECT event_id, destination, status, attempts FROM capi.delivery_status
WHERE destination = 'meta-a' ORDER BY event_id;
UPDATE capi.batches SET status = 'delivered', delivered_at = now(), trace_id = 'AbCdEf';
SELECT event_id, status, delivered_at IS NOT NULL AS has_delivered_at, trace_id FROM capi.delivery_status
WHERE destination = 'meta-a' ORDER BY event_id;
-- A failed event (as the worker records it) wins over its batch's outcome.
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                   last_attempt_at, last_error)
SELECT 'meta-a', id, event_id, event_name, 'failed', 1, now(), 'Invalid parameter'
FROM capi.outbox WHERE event_id = 'o-3';
SELECT event_id, status, attempts, last_error FROM capi.delivery_status
WHERE destination = 'meta-a' ORDER BY event_id;
-- retry_failed: unknown destination, then requeue (count), then nothing left to requeue.
SELECT capi.retry_failed('nope');
SELECT capi.retry_failed('meta-b');
SELECT capi.retry_failed('meta-a', now() - interval '1 hour');
SELECT event_id, status, attempts, next_attempt_at IS NOT NULL AS due FROM capi.delivery_status
WHERE destination = 'meta-a' ORDER BY event_id;
SELECT capi.retry_failed();
-- Renaming a destination carries its state along; deleting it removes its state.
UPDATE capi.destinations SET name = 'meta-a2' WHERE name = 'meta-a';
SELECT destination, count(*) FROM capi.delivery_status GROUP BY 1 ORDER BY 1;
SELECT (SELECT count(*) FROM capi.batches WHERE destination = 'meta-a2') AS batches,
       (SELECT count(*) FROM capi.event_deliveries WHERE destination = 'meta-a2') AS event_rows;
-- (its undelivered event is dropped on purpose: capi.allow_dropping_undelivered, see destination_delete)
SET capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name = 'meta-a2';
RESET capi.allow_dropping_undelivered;
SELECT (SELECT count(*) FROM capi.cursors) AS cursors, (SELECT count(*) FROM capi.batches) AS batches,
       (SELECT count(*) FROM capi.event_deliveries) AS event_rows;
-- Roles: applications insert through capi_writer and see nothing else; capi_admin sees the state.
CREATE ROLE app_writer LOGIN IN ROLE capi_writer;
SET ROLE app_writer;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('w-1', 'Lead', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}');
SELECT count(*) FROM capi.outbox;
SELECT count(*) FROM capi.delivery_status;
SELECT credentials FROM capi.destinations;
SELECT capi.retry_failed();
RESET ROLE;
SET ROLE capi_admin;
SELECT destination, status, count(*) FROM capi.delivery_status GROUP BY 1, 2 ORDER BY 1, 2;
RESET ROLE;
DROP ROLE app_writer;
-- Clean up for the tests that follow.
SET capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations;
RESET capi.allow_dropping_undelivered;
DELETE FROM capi.outbox;
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
