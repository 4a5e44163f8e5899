-- Deleting outbox rows deletes their per-event delivery rows too: no orphan in capi.event_deliveries.
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('orphan-meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-orphan-token"}');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
SELECT 'orphan-' || g, 'Lead', 'https://shop.example/lead', '{"client_user_agent": "UA"}'
FROM generate_series(1, 3) g;
-- As the worker would record two failed events.
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts, last_error)
SELECT 'orphan-meta', o.id, o.event_id, o.event_name, 'failed', 1, 'rejected'
FROM capi.outbox o WHERE o.event_id IN ('orphan-1', 'orphan-2');
SELECT count(*) AS failed_rows FROM capi.event_deliveries WHERE destination = 'orphan-meta';
-- A superuser deletes one failed event from the outbox.
DELETE FROM capi.outbox WHERE event_id = 'orphan-1';
SELECT e.event_id, e.status FROM capi.event_deliveries e WHERE destination = 'orphan-meta' ORDER BY 1;
SELECT count(*) AS orphans
FROM capi.event_deliveries e WHERE NOT EXISTS (SELECT FROM capi.outbox o WHERE o.id = e.outbox_id);
DELETE FROM capi.outbox WHERE event_id LIKE 'orphan-%';
SELECT count(*) AS left_rows FROM capi.event_deliveries WHERE destination = 'orphan-meta';
DELETE FROM capi.destinations WHERE name = 'orphan-meta';
