-- Deleting a destination with undelivered events is refused (issue 11): its cursor, batches and
-- capi.event_deliveries rows would go with it and its events would vanish undelivered. The states are
-- made here as the worker writes them (the worker delivers in the database named by capi.database,
-- not in this one); capi.has_undelivered_events agrees with capi.delivery_status in each.
\pset null '<null>'
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);
CREATE FUNCTION pg_temp.add(name text) RETURNS void LANGUAGE sql AS $$
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES (name, 'meta', '{"pixel_id": "111"}', '{"access_token": "EAA-secret"}', 'http://127.0.0.1:9')
$$;
-- What the view says and what the DELETE check says, for one destination.
CREATE FUNCTION pg_temp.check(name text) RETURNS TABLE (view_undelivered boolean, check_undelivered boolean)
    LANGUAGE sql AS $$
SELECT EXISTS (SELECT FROM capi.delivery_status d WHERE d.destination = name
               AND d.status NOT IN ('delivered', 'skipped')),
       capi.has_undelivered_events(name)
$$;
-- The worker's bookkeeping: a window over every committed row, claimed up to the last event_id given.
CREATE FUNCTION pg_temp.claim(name text, last_event text) RETURNS void LANGUAGE sql AS $$
UPDATE capi.cursors SET window_end = pg_current_snapshot(),
       (done_txid, done_id) = (SELECT o.txid, o.id FROM capi.outbox o WHERE o.event_id = last_event)
WHERE destination = name
$$;
CREATE FUNCTION pg_temp.batch(name text, first_event text, last_event text, status text) RETURNS void
    LANGUAGE sql AS $$
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, delivered_at)
SELECT name, c.window_start, c.window_end, f.txid, f.id, l.txid, l.id,
       (SELECT count(*) FROM capi.outbox o WHERE o.event_id BETWEEN first_event AND last_event), status, 1,
       CASE WHEN status IN ('delivered', 'failed') THEN now() END
FROM capi.cursors c,
     LATERAL (SELECT o.txid, o.id FROM capi.outbox o WHERE o.event_id BETWEEN first_event AND last_event
              ORDER BY o.txid, o.id LIMIT 1) f,
     LATERAL (SELECT o.txid, o.id FROM capi.outbox o WHERE o.event_id BETWEEN first_event AND last_event
              ORDER BY o.txid DESC, o.id DESC LIMIT 1) l
WHERE c.destination = name
$$;
CREATE FUNCTION pg_temp.complete_window(name text) RETURNS void LANGUAGE sql AS $$
UPDATE capi.cursors SET window_start = window_end, window_end = NULL, done_txid = NULL, done_id = NULL
WHERE destination = name
$$;

-- A destination without events is deleted.
SELECT pg_temp.add('dd-empty');
DELETE FROM capi.destinations WHERE name = 'dd-empty';

-- A pending event: refused with 55006 and a hint.
SELECT pg_temp.add('dd-a');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT 'e' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}', ARRAY['dd-a'] FROM generate_series(1, 4) g;
SELECT * FROM pg_temp.check('dd-a');
\set VERBOSITY verbose
DELETE FROM capi.destinations WHERE name = 'dd-a';
\set VERBOSITY default
-- Disabled: still undelivered, still refused.
UPDATE capi.destinations SET enabled = false WHERE name = 'dd-a';
SELECT * FROM pg_temp.check('dd-a');
DELETE FROM capi.destinations WHERE name = 'dd-a';
UPDATE capi.destinations SET enabled = true WHERE name = 'dd-a';
-- Claimed: e1-e2 in flight, e3-e4 not claimed yet (after done): refused.
SELECT pg_temp.claim('dd-a', 'e2');
SELECT pg_temp.batch('dd-a', 'e1', 'e2', 'in_flight');
SELECT * FROM pg_temp.check('dd-a');
-- e1-e2 delivered, e3-e4 still to claim: refused.
UPDATE capi.batches SET status = 'delivered', delivered_at = now() WHERE destination = 'dd-a';
SELECT * FROM pg_temp.check('dd-a');
-- e3-e4 claimed and retrying: refused.
SELECT pg_temp.claim('dd-a', 'e4');
SELECT pg_temp.batch('dd-a', 'e3', 'e4', 'retrying');
SELECT * FROM pg_temp.check('dd-a');
-- e3-e4 settled: e3 delivered, e4 failed (its own row); the window completes: e4 is failed, refused.
UPDATE capi.batches SET status = 'partial', failed_events = 1, delivered_at = now()
WHERE destination = 'dd-a' AND status = 'retrying';
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts, last_error)
SELECT 'dd-a', id, event_id, event_name, 'failed', 1, 'Invalid parameter' FROM capi.outbox WHERE event_id = 'e4';
SELECT pg_temp.complete_window('dd-a');
SELECT * FROM pg_temp.check('dd-a');
DELETE FROM capi.destinations WHERE name = 'dd-a';
-- Requeued by capi.retry_failed(): retrying, refused.
SELECT capi.retry_failed('dd-a');
SELECT * FROM pg_temp.check('dd-a');
-- Delivered at last: everything delivered, the DELETE goes through (its rows go with it).
UPDATE capi.event_deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL
WHERE destination = 'dd-a';
SELECT * FROM pg_temp.check('dd-a');
DELETE FROM capi.destinations WHERE name = 'dd-a';
SELECT count(*) AS rows_left FROM capi.event_deliveries WHERE destination = 'dd-a';

-- Skipped events are settled: they do not hold a destination.
SELECT pg_temp.add('dd-b');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
VALUES ('b1', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}', ARRAY['dd-b']);
SELECT pg_temp.claim('dd-b', 'b1');
SELECT pg_temp.batch('dd-b', 'b1', 'b1', 'skipped');
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts, last_error)
SELECT 'dd-b', id, event_id, event_name, 'skipped', 0, 'consent: ad_user_data is denied'
FROM capi.outbox WHERE event_id = 'b1';
SELECT pg_temp.complete_window('dd-b');
SELECT * FROM pg_temp.check('dd-b');

-- Events for other destinations only (or from before it existed) do not hold it; events with
-- destinations NULL (every destination) do.
SELECT pg_temp.add('dd-c');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
VALUES ('c1', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}', ARRAY['dd-b']);
SELECT * FROM pg_temp.check('dd-c');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('c2', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}');
SELECT * FROM pg_temp.check('dd-c');
SELECT * FROM pg_temp.check('dd-b');

-- The explicit escape: in one transaction, SET LOCAL capi.allow_dropping_undelivered = on.
BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name = 'dd-c';
COMMIT;
SELECT count(*) AS dd_c_left FROM capi.destinations WHERE name = 'dd-c';
SHOW capi.allow_dropping_undelivered;
DELETE FROM capi.destinations WHERE name = 'dd-b';  -- refused again: the setting was local

-- A capi_admin member (who manages destinations) gets the same answer; PUBLIC may not call the check.
CREATE ROLE regress_capi_ops IN ROLE capi_admin;
SET ROLE regress_capi_ops;
DELETE FROM capi.destinations WHERE name = 'dd-b';
SELECT capi.has_undelivered_events('dd-b');
RESET ROLE;
CREATE ROLE regress_capi_nobody;
SET ROLE regress_capi_nobody;
SELECT capi.has_undelivered_events('dd-b');
RESET ROLE;
DROP ROLE regress_capi_ops, regress_capi_nobody;

-- The check reads indexes, not the whole outbox: 20,000 events already read by dd-d, then one new.
SELECT pg_temp.add('dd-d');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT 'd' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}', ARRAY['dd-d'] FROM generate_series(1, 20000) g;
SELECT pg_temp.claim('dd-d', 'd20000');
SELECT pg_temp.batch('dd-d', 'd1', 'd20000', 'delivered');
SELECT pg_temp.complete_window('dd-d');
ANALYZE capi.outbox;
SELECT * FROM pg_temp.check('dd-d');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
VALUES ('d-new', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}', ARRAY['dd-d']);
SELECT * FROM pg_temp.check('dd-d');
-- The outbox query of the check, as it runs: an index range scan from the cursor on.
SELECT pg_snapshot_xmin(window_start) AS xmin_start, window_start, origin
FROM capi.cursors WHERE destination = 'dd-d' \gset
CREATE FUNCTION pg_temp.plan(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        RETURN NEXT regexp_replace(line, '''[0-9:,]+''', '''...''', 'g'); -- txids vary between runs
    END LOOP;
END $$;
SELECT * FROM pg_temp.plan(format($q$
SELECT FROM capi.outbox o
WHERE o.txid >= %L::xid8
  AND NOT pg_visible_in_snapshot(o.txid, %L::pg_snapshot)
  AND NOT pg_visible_in_snapshot(o.txid, %L::pg_snapshot)
  AND (o.destinations IS NULL OR 'dd-d' = ANY (o.destinations))
LIMIT 1$q$, :'xmin_start', :'window_start', :'origin'));

-- Clean up (the escape, since dd-b, dd-d and the NULL-destination event c2 are not delivered).
BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name IN ('dd-b', 'dd-d');
COMMIT;
DELETE FROM capi.outbox WHERE event_id ~ '^(e|b|c|d)';
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
