-- Backups (issue 11): pg_dump keeps capi's rows, and delivery state restored from another cluster is
-- rebased for this one by capi.rebase_after_restore(): every (event, destination) keeps what it was
-- (delivered, failed, skipped, discarded), whatever was not settled is requeued, and the restored
-- transaction ids can no longer be mixed with this cluster's. A restore is simulated here:
-- capi.cluster_identity is given another cluster's row, as a restore gives it (the TAP test
-- 087_backup_restore.pl dumps and restores for real, with the worker and the test server).
\pset null '<null>'
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);

-- What pg_dump keeps: every row of these tables, and where their id sequences stand.
SELECT c.relname, c.relkind, e.condition
FROM pg_extension x, unnest(x.extconfig, x.extcondition) AS e(relid, condition)
JOIN pg_class c ON c.oid = e.relid
WHERE x.extname = 'pg_capi' ORDER BY c.relname;

-- A fresh installation names this cluster.
SELECT system_identifier = (SELECT system_identifier FROM pg_control_system()) AS this_cluster,
       restored_at, restored_from, rebase_waits
FROM capi.cluster_identity;

-- Destinations and events, each event in a transaction of its own. rb-late is created after r1-r3
-- (they are not for it); rb-odd's origin is a snapshot that saw r1, r3 and r4 but not r2 (not nested
-- with the others': the rebase keeps exactly which events each destination is for).
CREATE FUNCTION pg_temp.add(name text) RETURNS void LANGUAGE sql AS $$
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES (name, 'meta', '{"pixel_id": "111"}', '{"access_token": "EAA-secret"}', 'http://127.0.0.1:9')
$$;
CREATE FUNCTION pg_temp.ev(id text, destinations text[] DEFAULT NULL) RETURNS void LANGUAGE sql AS $$
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
VALUES (id, 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "USD"}', destinations)
$$;
-- The worker's bookkeeping, as in destination_delete.sql: a window over every committed row claimed up
-- to an event, batches over a range of events.
CREATE FUNCTION pg_temp.claim(name text, last_event text) RETURNS void LANGUAGE sql AS $$
UPDATE capi.cursors SET window_end = pg_current_snapshot(),
       (done_txid, done_id) = (SELECT o.txid, o.id FROM capi.outbox o WHERE o.event_id = last_event)
WHERE destination = name
$$;
CREATE FUNCTION pg_temp.batch(name text, first_event text, last_event text, status text) RETURNS void
    LANGUAGE sql AS $$
INSERT INTO capi.batches (destination, window_start, window_end, first_txid, first_id, last_txid, last_id,
                          events, status, attempts, delivered_at, trace_id)
SELECT name, (SELECT c.window_start FROM capi.cursors c WHERE c.destination = name),
       (SELECT c.window_end FROM capi.cursors c WHERE c.destination = name),
       min(o.txid), min(o.id), max(o.txid), max(o.id), count(*), status, 1,
       CASE WHEN status IN ('delivered', 'failed') THEN now() END, 'trace-' || first_event
FROM capi.outbox o
WHERE o.event_id BETWEEN first_event AND last_event
$$;
CREATE FUNCTION pg_temp.event_row(name text, event text, status text, last_error text) RETURNS void
    LANGUAGE sql AS $$
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                   last_attempt_at, last_error)
SELECT name, id, event_id, event_name, status, 1, now(), last_error FROM capi.outbox WHERE event_id = event
$$;
SELECT pg_temp.add('rb-a');
SELECT pg_temp.add('rb-b');
SELECT pg_temp.add('rb-odd');
SELECT pg_temp.ev('r1');
SELECT pg_temp.ev('r2');
SELECT pg_temp.ev('r3');
SELECT pg_temp.add('rb-late');
SELECT pg_temp.ev('r4');
SELECT pg_temp.ev('r5');
SELECT pg_temp.ev('r6');
SELECT pg_temp.ev('r7', ARRAY['rb-b']);
UPDATE capi.cursors SET origin = (
    SELECT format('%s:%s:%s', r2.txid, r5.txid, r2.txid)::pg_snapshot
    FROM capi.outbox r2, capi.outbox r5 WHERE r2.event_id = 'r2' AND r5.event_id = 'r5')
WHERE destination = 'rb-odd';
-- rb-a: a window over r1-r6: r1-r2 delivered (acknowledged: done), r3-r4 in flight, r5 failed, r6 not
-- claimed yet.
SELECT pg_temp.claim('rb-a', 'r2');
SELECT pg_temp.batch('rb-a', 'r1', 'r2', 'delivered');
SELECT pg_temp.batch('rb-a', 'r3', 'r4', 'in_flight');
SELECT pg_temp.batch('rb-a', 'r5', 'r5', 'failed');
SELECT pg_temp.event_row('rb-a', 'r5', 'failed', 'Invalid parameter');
-- rb-b: paused; r1 skipped (consent), r2 discarded, r3 requeued by capi.retry_failed(), r4 in flight
-- again; the others never read.
UPDATE capi.cursors SET paused_until = now() + interval '1 hour', pause_reason = 'invalid token'
WHERE destination = 'rb-b';
SELECT pg_temp.event_row('rb-b', 'r1', 'skipped', 'consent: ad_user_data denied');
SELECT pg_temp.event_row('rb-b', 'r2', 'discarded', 'Invalid parameter');
SELECT pg_temp.event_row('rb-b', 'r3', 'retrying', 'Invalid parameter');
SELECT pg_temp.event_row('rb-b', 'r4', 'in_flight', NULL);
-- rb-late: disabled. rb-odd: r2 delivered in a window that completed, and its batch purged since
-- (capi.delivered_retention: the cursor has handled it, so the view reads it as delivered, since 0.7.0;
-- it read pending before); the rest not read.
UPDATE capi.destinations SET enabled = false WHERE name = 'rb-late';
UPDATE capi.cursors SET window_start = (
    SELECT format('%s:%s:', r5.txid, r5.txid)::pg_snapshot FROM capi.outbox r5 WHERE r5.event_id = 'r5')
WHERE destination = 'rb-odd';

CREATE TEMP TABLE before_restore AS
SELECT destination, event_id, status, attempts, last_error, delivered_at, trace_id, reason
FROM capi.delivery_status;
SELECT destination, event_id, status, attempts, last_error, delivered_at IS NOT NULL AS delivered_at,
       trace_id, reason
FROM before_restore ORDER BY destination, event_id;

-- A restore brings back the row of the cluster it was dumped from: it replaces this cluster's. Not in
-- the transaction that created the extension (pg_restore without --single-transaction): the worker
-- will wait for the rebase, and capi.setup_warnings() says so.
INSERT INTO capi.cluster_identity (system_identifier, recorded_at) VALUES (42, '2020-01-01');
SELECT count(*) AS rows, system_identifier, restored_at IS NOT NULL AS restored, rebase_waits
FROM capi.cluster_identity GROUP BY system_identifier, restored_at, rebase_waits;
SELECT w ~ 'restored from another database cluster' AS restore_warning
FROM unnest(capi.setup_warnings()) w WHERE w ~ 'restored';

-- Only capi_admin (and the worker) may rebase.
CREATE ROLE regress_capi_rb_writer IN ROLE capi_writer;
CREATE ROLE regress_capi_rb_admin IN ROLE capi_admin;
SET ROLE regress_capi_rb_writer;
SELECT * FROM capi.rebase_after_restore();
SET ROLE regress_capi_rb_admin;
SELECT rebased, restored_from, events, requeued FROM capi.rebase_after_restore();
RESET ROLE;

-- Every (event, destination) is where it was: settled ones as they were (the delivered ones never
-- sent again; r2 at rb-odd, handled by its cursor, delivered), the others requeued (retrying; paused
-- and disabled destinations still say so).
SELECT destination, event_id, b.status AS before, a.status AS after, a.attempts,
       a.last_error IS NOT DISTINCT FROM b.last_error AS same_error,
       a.delivered_at IS NOT DISTINCT FROM b.delivered_at AS same_delivered_at,
       a.trace_id IS NOT DISTINCT FROM b.trace_id AS same_trace, a.reason
FROM before_restore b FULL JOIN capi.delivery_status a USING (destination, event_id)
ORDER BY 1, 2;
-- Restored ids are below any of this cluster's; cursors start after all of them; no batch is left.
SELECT event_id, txid FROM capi.outbox ORDER BY id;
SELECT destination, origin, window_start, window_end, done_txid, done_id, paused_until IS NOT NULL AS paused
FROM capi.cursors ORDER BY destination;
SELECT count(*) AS batches FROM capi.batches;
-- No window reads a restored row again; the requeued ones are due now.
SELECT count(*) AS restored_rows_a_window_would_read
FROM capi.outbox o, capi.cursors c WHERE NOT pg_visible_in_snapshot(o.txid, c.window_start);
SELECT destination, count(*) AS due FROM capi.event_deliveries
WHERE status = 'retrying' AND next_attempt_at <= now() GROUP BY destination ORDER BY destination;
SELECT destination, capi.has_undelivered_events(destination) FROM capi.cursors ORDER BY destination;
-- The state is this cluster's; a second call does nothing.
SELECT system_identifier = (SELECT system_identifier FROM pg_control_system()) AS this_cluster,
       restored_at IS NOT NULL AS restored, restored_from, rebase_waits, recorded_at > '2020-01-01' AS rebased_now
FROM capi.cluster_identity;
SELECT count(*) AS restore_warnings FROM unnest(capi.setup_warnings()) w WHERE w ~ 'restored';
SELECT rebased, restored_from = (SELECT system_identifier FROM pg_control_system()) AS names_this_cluster,
       events, requeued
FROM capi.rebase_after_restore();

-- A new event goes through a window, to the destinations that existed when it was committed.
SELECT pg_temp.ev('r8');
SELECT destination, status FROM capi.delivery_status WHERE event_id = 'r8' ORDER BY destination;
SELECT o.event_id, c.destination
FROM capi.outbox o, capi.cursors c
WHERE NOT pg_visible_in_snapshot(o.txid, c.window_start) AND pg_visible_in_snapshot(o.txid, pg_current_snapshot())
  AND NOT pg_visible_in_snapshot(o.txid, c.origin)
ORDER BY 1, 2;

-- Restored again (from a restore made in one transaction, say) and not rebased yet: the next
-- application INSERT rebases first, as the outbox's owner, so that its row is never mixed with
-- restored ones.
CREATE TEMP TABLE before_insert AS
SELECT destination, event_id, status FROM capi.delivery_status;
INSERT INTO capi.cluster_identity (system_identifier) VALUES (43);
SET ROLE regress_capi_rb_writer;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('r9', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 1, "currency": "USD"}');
RESET ROLE;
SELECT system_identifier = (SELECT system_identifier FROM pg_control_system()) AS this_cluster, restored_from
FROM capi.cluster_identity;
SELECT destination, event_id, b.status AS before, a.status AS after
FROM before_insert b FULL JOIN capi.delivery_status a USING (destination, event_id)
WHERE a.status IS DISTINCT FROM b.status ORDER BY 1, 2;

-- force: a dump of a physical copy of this cluster that went its own way (same system identifier).
CREATE TEMP TABLE before_force AS SELECT destination, event_id, status FROM capi.delivery_status;
SELECT rebased, events FROM capi.rebase_after_restore(force => true);
SELECT destination, event_id, b.status AS before, a.status AS after
FROM before_force b FULL JOIN capi.delivery_status a USING (destination, event_id)
WHERE a.status IS DISTINCT FROM b.status ORDER BY 1, 2;

-- The rebase's door is closed again: the outbox stays append-only for the rest of its transaction.
BEGIN;
SELECT rebased FROM capi.rebase_after_restore(force => true);
UPDATE capi.outbox SET event_time = now() WHERE event_id = 'r1';
ROLLBACK;

-- Rows as a restore inserts them (COPY with every column; only the owner and superusers may write
-- id, txid and created_at): kept as they were dumped, even naming a destination not restored yet,
-- and they do not trigger a rebase (the restore is not complete).
INSERT INTO capi.cluster_identity (system_identifier) VALUES (44);
COPY capi.outbox (id, txid, event_id, event_name, event_time, action_source, event_source_url, user_data,
                  custom_data, consent, destinations, created_at) FROM stdin;
1000	5000000	restored-1	Purchase	2020-01-01 00:00:00+00	website	https://shop.example/	{"email": ["b4c9a289323b21a01c3e940f150eb9b8c542587f1abfd8f0e1cc1ffc5e475514"], "client_user_agent": "Mozilla/5.0"}	{"value": 1, "currency": "USD"}	\N	{not-restored-yet}	2020-01-01 00:00:00+00
\.
SELECT txid, event_time, user_data, destinations, created_at FROM capi.outbox WHERE event_id = 'restored-1';
SELECT system_identifier FROM capi.cluster_identity;
DELETE FROM capi.outbox WHERE event_id = 'restored-1';
SELECT rebased FROM capi.rebase_after_restore();

-- A restored cursor replaces the one the restored destination started, and a running worker starts
-- over from the stored cursors (recorded_at changes).
CREATE TEMP TABLE recorded AS SELECT recorded_at FROM capi.cluster_identity;
INSERT INTO capi.cursors (destination, origin, window_start) VALUES ('rb-a', '10:10:', '10:10:');
SELECT destination, origin, window_start FROM capi.cursors WHERE destination = 'rb-a';
SELECT c.recorded_at > r.recorded_at AS worker_starts_over FROM capi.cluster_identity c, recorded r;

-- In the transaction that created the extension (pg_restore --single-transaction), the restore is
-- complete when it commits: the worker rebases by itself.
BEGIN;
SET LOCAL client_min_messages = error;
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
INSERT INTO capi.cluster_identity (system_identifier) VALUES (45);
SELECT system_identifier, restored_at IS NOT NULL AS restored, rebase_waits FROM capi.cluster_identity;
ROLLBACK;

DROP ROLE regress_capi_rb_writer, regress_capi_rb_admin;
SET client_min_messages = error;
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
RESET client_min_messages;
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
