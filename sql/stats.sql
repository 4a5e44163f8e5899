-- capi.stats (issue 13): one row per destination, the same numbers capi.delivery_status gives, without
-- reading the queue. Delivery state is made here as the worker writes it (the worker delivers the
-- database named by capi.database, not this one, so every destination reads worker_not_running).
\pset null '<null>'
INSERT INTO capi.destinations (name, platform, config, credentials) VALUES
    ('stats-a', 'meta', '{"pixel_id": "111"}', '{"access_token": "EAA-stats-secret-a"}'),
    ('stats-b', 'meta', '{"pixel_id": "222"}', '{"access_token": "EAA-stats-secret-b"}');
-- Each statement is one transaction: 10 events for both, 5 for stats-a only, 3 for stats-b only.
CREATE FUNCTION pg_temp.events(prefix text, n integer, destinations text[] DEFAULT NULL) RETURNS void
    LANGUAGE sql AS $$
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT prefix || lpad(g::text, 5, '0'), 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}', destinations
FROM generate_series(1, n) g
$$;
SELECT pg_temp.events('both', 10);
SELECT pg_temp.events('a', 5, ARRAY['stats-a']);
SELECT pg_temp.events('b', 3, ARRAY['stats-b']);

-- What capi.delivery_status says, per destination (it reads every row: the truth to compare with).
CREATE TEMP VIEW truth AS
SELECT destination,
       count(*) FILTER (WHERE status IN ('pending', 'disabled')) AS pending,
       count(*) FILTER (WHERE status = 'in_flight') AS in_flight,
       count(*) FILTER (WHERE status = 'retrying') AS retrying,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       now() - min(created_at) FILTER (WHERE status IN ('pending', 'disabled', 'in_flight', 'retrying'))
           AS oldest_pending_age
FROM capi.delivery_status GROUP BY destination;
CREATE TEMP VIEW compared AS
SELECT s.destination, s.pending, s.in_flight, s.retrying, s.failed,
       s.pending = t.pending AS pending_ok, s.in_flight = t.in_flight AS in_flight_ok,
       s.retrying = t.retrying AS retrying_ok, s.failed = t.failed AS failed_ok,
       s.oldest_pending_age IS NOT DISTINCT FROM t.oldest_pending_age AS oldest_ok
FROM capi.stats s JOIN truth t USING (destination) ORDER BY s.destination;

-- Nothing read yet: everything committed since each destination was created is pending.
SELECT * FROM compared;
SELECT destination, platform, state, reason LIKE '%capi.database%' AS reason_names_the_setting,
       worker_pid IS NOT NULL AS has_worker, worker_database,
       delivered_last_hour, failed_last_hour, events_per_second, last_delivered_at, last_error
FROM capi.stats ORDER BY destination;
SELECT pid IS NOT NULL AS has_pid, database, delivering FROM capi.worker_status();

-- stats-a's worker opens a window over what is committed now and claims batches in (txid, id)
-- order: 5 delivered (one of them then failed on its own), 4 in flight, 2 waiting for a resend; the
-- acknowledged position is the delivered batch. 4 rows of the window are not read yet.
UPDATE capi.cursors SET window_end = pg_current_snapshot() WHERE destination = 'stats-a';
CREATE TEMP TABLE a_rows AS
SELECT row_number() OVER (ORDER BY txid, id) AS n, txid, id, event_id, event_name
FROM capi.outbox WHERE destinations IS NULL OR 'stats-a' = ANY (destinations);
CREATE FUNCTION pg_temp.batch(first_n integer, last_n integer, status text, failed integer DEFAULT 0,
                              last_error text DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, failed_events, last_error, last_attempt_at, delivered_at)
SELECT 'stats-a', c.window_start, c.window_end, f.txid, f.id, l.txid, l.id, last_n - first_n + 1, status, 1,
       failed, last_error, now(), CASE WHEN status IN ('delivered', 'partial', 'failed') THEN now() END
FROM capi.cursors c, a_rows f, a_rows l
WHERE c.destination = 'stats-a' AND f.n = first_n AND l.n = last_n
$$;
SELECT pg_temp.batch(1, 5, 'partial', failed => 1);
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                   last_attempt_at, last_error, failure_kind)
SELECT 'stats-a', id, event_id, event_name, 'failed', 1, now() - interval '1 minute',
       'Meta: Invalid parameter (code 100)', 'permanent'
FROM a_rows WHERE n = 3;
UPDATE capi.cursors c SET done_txid = r.txid, done_id = r.id FROM a_rows r
WHERE c.destination = 'stats-a' AND r.n = 5;
SELECT pg_temp.batch(6, 9, 'in_flight');
SELECT pg_temp.batch(10, 11, 'retrying', last_error => 'HTTP 503: Service Unavailable');
-- ...and an abandoned lease (a stopped worker's) past them, which is read again: it changes nothing.
SELECT pg_temp.batch(12, 13, 'abandoned');
-- 2 more events after the window.
SELECT pg_temp.events('late', 2);
SELECT * FROM compared;
SELECT destination, last_error, last_error_at IS NOT NULL AS has_time FROM capi.stats ORDER BY destination;

-- A failed event requeued by capi.retry_failed() is retrying; its error is the latest.
SELECT capi.retry_failed('stats-a', include_permanent => true) AS requeued;
SELECT * FROM compared;
SELECT destination, last_error FROM capi.stats WHERE destination = 'stats-a';

-- A disabled destination says so; its unread events are still counted.
UPDATE capi.destinations SET enabled = false WHERE name = 'stats-b';
SELECT destination, state, reason, pending FROM capi.stats ORDER BY destination;
UPDATE capi.destinations SET enabled = true WHERE name = 'stats-b';

-- Settled counts come from the worker's per-minute counters: what was settled more than an hour
-- ago is not in the last hour, the current minute is; the rate is over the last 4 to 5 minutes.
INSERT INTO capi.delivery_counts (destination, minute, delivered, failed, skipped, last_delivered_at) VALUES
    ('stats-a', date_trunc('minute', now()) - interval '2 hours', 1000, 10, 0, now() - interval '2 hours'),
    ('stats-a', date_trunc('minute', now()) - interval '30 minutes', 120, 3, 7, now() - interval '30 minutes'),
    ('stats-a', date_trunc('minute', now()) - interval '3 minutes', 240, 0, 0, now() - interval '3 minutes'),
    ('stats-a', date_trunc('minute', now()), 60, 1, 0, NULL);
SELECT destination, delivered_last_hour, failed_last_hour,
       events_per_second BETWEEN 300 / 300.0 AND 300 / 240.0 AS rate_over_last_minutes,
       last_delivered_at = (SELECT max(last_delivered_at) FROM capi.delivery_counts WHERE destination = 'stats-a')
           AS last_delivered_ok
FROM capi.stats WHERE destination = 'stats-a';

-- A backlog of more than 2,000 ids: estimated from 2,000 ids read in runs of 8 (one run in each of
-- 250 slices). One event in three is for stats-b only; 500 ON CONFLICT DO NOTHING inserts take ids
-- without rows.
SELECT pg_temp.events('bulk', 6000);
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT 'third' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}', CASE WHEN g % 3 = 0 THEN ARRAY['stats-b'] END
FROM generate_series(1, 3000) g;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT 'bulk' || lpad(g::text, 5, '0'), 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}'
FROM generate_series(1, 500) g
ON CONFLICT (event_name, event_id) DO NOTHING;
SELECT pg_temp.events('tail', 100);
SELECT s.destination, t.pending AS exact_pending,
       abs(s.pending - t.pending)::numeric / t.pending < 0.03 AS within_3_percent,
       s.in_flight = t.in_flight AS in_flight_ok, s.retrying = t.retrying AS retrying_ok,
       s.failed = t.failed AS failed_ok,
       abs(extract(epoch FROM s.oldest_pending_age - t.oldest_pending_age)) < 1 AS oldest_ok
FROM capi.stats s JOIN truth t USING (destination) ORDER BY s.destination;

-- It does not read the queue: no sequential scan of the outbox, and of its 9,000-odd rows only the
-- sample (2,000 ids, shared by the two destinations: their backlogs span about the same ids) and a
-- few rows per destination fetched by index. (The
-- backend's table counters are flushed first, so that they count this transaction only.)
SELECT pg_stat_force_next_flush();
BEGIN;
SELECT count(*) AS destinations FROM capi.stats;
SELECT seq_scan AS outbox_seq_scans, idx_tup_fetch <= 2000 + 20 AS fetched_the_sample_only
FROM pg_stat_xact_user_tables WHERE relid = 'capi.outbox'::regclass;
COMMIT;

-- A pattern that repeats every few rows (here: every third event also for stats-c) cannot fool the
-- sample: ids read at even steps that are a multiple of 3 apart would see stats-c in none or all.
INSERT INTO capi.destinations (name, platform, config, credentials) VALUES
    ('stats-c', 'meta', '{"pixel_id": "333"}', '{"access_token": "EAA-stats-secret-c"}');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
SELECT 'periodic' || g, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
       '{"value": 1, "currency": "USD"}', CASE WHEN g % 3 = 0 THEN ARRAY['stats-a', 'stats-c'] ELSE ARRAY['stats-a'] END
FROM generate_series(1, 6000) g;
SELECT s.destination, t.pending AS exact_pending, abs(s.pending - t.pending)::numeric / t.pending < 0.03 AS within_3_percent
FROM capi.stats s JOIN truth t USING (destination) WHERE s.destination = 'stats-c';

-- The worker's own rows survive nothing but their destination.
BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name IN ('stats-a', 'stats-b', 'stats-c');
COMMIT;
SELECT count(*) AS counters_left FROM capi.delivery_counts;
SELECT count(*) AS rows_left FROM capi.stats;
DELETE FROM capi.outbox;
