-- ALTER EXTENSION pg_capi UPDATE from 0.5.0 gives capi.stats the history already settled: the
-- worker's per-minute counters (capi.delivery_counts, new in 0.6.0) are filled from capi.batches
-- and from requeued events delivered on their own.
\pset null '<null>'
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi VERSION '0.5.0';
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('up-a', 'meta', '{"pixel_id": "444"}', '{"access_token": "EAA-upgrade-secret"}');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT 'up' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}'
FROM generate_series(1, 20) g;
-- As 0.5.0's worker wrote them: 10 events delivered 20 minutes ago, 6 of which 2 failed and 1 was
-- skipped 2 minutes ago, 3 still in flight; one failed event was requeued and delivered a minute ago.
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, failed_events, skipped_events, delivered_at)
SELECT 'up-a', (SELECT window_start FROM capi.cursors WHERE destination = 'up-a'), pg_current_snapshot(),
       o.txid, o.first_id, o.txid, o.last_id, b.events, b.status, 1, b.failed, b.skipped, now() - b.age
FROM (SELECT txid, min(id) AS first_id, max(id) AS last_id FROM capi.outbox GROUP BY txid) o,
     (VALUES (10, 'delivered', 0, 0, interval '20 minutes'), (6, 'partial', 2, 1, interval '2 minutes'),
             (3, 'in_flight', 0, 0, NULL)) b(events, status, failed, skipped, age);
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts, delivered_at)
SELECT 'up-a', id, event_id, event_name, 'delivered', 2, now() - interval '1 minute'
FROM capi.outbox WHERE event_id = 'up1';
ALTER EXTENSION pg_capi UPDATE;
SELECT destination, now() - minute > interval '19 minutes' AS twenty_minutes_ago, delivered, failed, skipped,
       last_delivered_at IS NOT NULL AS has_last_delivered
FROM capi.delivery_counts ORDER BY minute;
SELECT destination, delivered_last_hour, failed_last_hour,
       last_delivered_at = (SELECT max(delivered_at) FROM capi.event_deliveries) AS last_delivered_is_the_requeued_one
FROM capi.stats;
-- Back to a fresh install for the tests that follow.
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
