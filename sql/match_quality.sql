-- Match quality in SQL (issue 13): capi.match_quality() on raw and hashed identifiers; the record of
-- identifiers no platform could use; capi.match_quality_report checked against the rows it reads;
-- the dedup audit (rejected duplicate inserts, event ids fit for browser deduplication); who may read
-- what. The worker delivers in another database (capi.database), so rows stay as inserted here.
\pset null '<null>'

-- Runs one statement; shows 'accepted' or the SQLSTATE and message it failed with.
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- ---- capi.match_quality ---------------------------------------------------------------------------
-- A typical web purchase for Meta: email 2.4 + IP 1.0 + user agent 0.6 + fbp 1.2 = 5.2 (the weights of
-- docs/match-quality.md); phone (1.4) and fbc (1.2) are the largest gains.
SELECT m ->> 'score' AS score, m -> 'identifiers' -> 'em' AS em, m -> 'identifiers' -> 'ph' AS ph,
       jsonb_path_query_array(m, '$.to_add[*].keys[0]') AS to_add, jsonb_path_query_array(m, '$.to_add[*].gain') AS gains
FROM capi.match_quality('{"email": "Mary.Jane@Example.com", "client_ip_address": "203.0.113.7",
                          "client_user_agent": "Mozilla/5.0", "fbp": "fb.1.1558571054389.1098115397"}') m;
-- Already hashed identifiers count the same; a digest of "" (e3b0c442...) counts as missing.
SELECT capi.match_quality(jsonb_build_object('em', capi.hash('email', 'Mary.Jane@Example.com')))
     = capi.match_quality('{"email": "Mary.Jane@Example.com"}') AS hashed_equals_raw;
SELECT capi.match_quality(jsonb_build_object('em', capi.sha256_hex(''))) -> 'identifiers' -> 'em' AS empty_digest,
       capi.match_quality(jsonb_build_object('em', capi.sha256_hex(''))) ->> 'score' AS score;
-- An identifier that fails normalization counts as missing, and fixing it is suggested.
SELECT capi.match_quality('{"email": "mary at example", "phone": "+1 650 555 1212"}') ->> 'score' AS score,
       capi.match_quality('{"phone": "+1 650 555 1212"}') ->> 'score' AS without_email,
       capi.match_quality('{"email": "mary at example", "phone": "+1 650 555 1212"}') -> 'unusable' AS unusable,
       capi.match_quality('{"email": "mary at example", "phone": "+1 650 555 1212"}') -> 'to_add' -> 0 AS first_suggestion;
-- Per platform: Google counts a name and address only whole; LinkedIn never gets names from the outbox.
SELECT p AS platform, capi.match_quality('{"email": "a@example.com", "first_name": "Mary", "last_name": "Jane",
                                           "zip": "10001", "gclid": "Cj0KCQ"}', p) ->> 'score' AS score
FROM unnest(ARRAY['meta', 'google', 'tiktok', 'linkedin', 'snap', 'reddit', 'pinterest']) p;
SELECT capi.match_quality('{"first_name": "Mary"}', 'linkedin') -> 'identifiers' -> 'fn' ->> 'status' AS linkedin_fn;
-- Errors name what is wrong: an unknown platform or key (22023); NULL in, NULL out.
\set VERBOSITY default
SELECT capi.match_quality('{}', 'myspace');
SELECT capi.match_quality('{"emial": "a@example.com"}');
\set VERBOSITY terse
SELECT capi.match_quality(NULL) IS NULL AS null_in_null_out;

-- ---- rows for the report ---------------------------------------------------------------------------
-- An event committed before any destination exists is for none: the report leaves it out.
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
VALUES ('mq-before', 'Lead', 'system_generated', '{"email": "early@example.com"}');
-- So are rows earlier tests left: the checks against the rows below read those after this id.
SELECT max(id) AS last_old_id FROM capi.outbox \gset
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('mq_meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAA-not-real"}'),
       ('mq_google', 'google', '{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "1"}}',
        '{"access_token": "ya29.not-real"}');
-- 60 events with identifiers present, absent, unusable (a bad email, an invalid IP, the digest of "")
-- in different proportions, and 6 sign-ups with most identifiers, kept raw here to check the report
-- against.
CREATE TEMP TABLE raw_events AS
SELECT 'mq-' || i AS event_id,
       CASE WHEN i % 4 = 0 THEN 'Lead' ELSE 'Purchase' END AS event_name,
       jsonb_strip_nulls(jsonb_build_object(
           'email', CASE WHEN i % 10 = 5 THEN 'not an email' WHEN i % 2 = 0 THEN 'user' || i || '@example.com' END,
           'em', CASE WHEN i = 57 THEN capi.sha256_hex('') END,
           'phone', CASE WHEN i % 3 = 0 THEN '+1 650 555 ' || lpad(i::text, 4, '0') END,
           'first_name', CASE WHEN i % 4 = 0 THEN 'Mary' END,
           'last_name', CASE WHEN i % 4 = 0 THEN 'Jane' END,
           'zip', CASE WHEN i % 5 = 0 THEN '10001' END,
           'country', CASE WHEN i % 8 = 0 THEN 'US' END,
           'client_ip_address', CASE WHEN i % 11 = 0 THEN '999.1.1.1' WHEN i % 2 = 1 THEN '203.0.113.' || i END,
           'client_user_agent', CASE WHEN i % 6 <> 0 THEN 'Mozilla/5.0' END,
           'fbc', CASE WHEN i % 7 = 0 THEN 'fb.1.1554763741205.click' || i END,
           'fbp', CASE WHEN i % 3 = 1 THEN 'fb.1.1558571054389.' || i END,
           'gclid', CASE WHEN i % 9 = 0 THEN 'Cj0KCQ' || i END)) AS user_data
FROM generate_series(1, 60) i
UNION ALL
SELECT 'mq-' || i, 'CompleteRegistration',
       jsonb_build_object('email', 'new' || i || '@example.com', 'phone', '+44 20 7946 ' || lpad(i::text, 4, '0'),
                          'external_id', 'customer-' || i, 'client_ip_address', '2001:db8::' || i,
                          'client_user_agent', 'Mozilla/5.0', 'fbc', 'fb.1.1554763741205.click' || i,
                          'fbp', 'fb.1.1558571054389.' || i, 'gclid', 'Cj0KCQ' || i)
FROM generate_series(61, 66) i;
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data, custom_data)
SELECT event_id, event_name, 'system_generated', user_data,
       CASE WHEN event_name = 'Purchase' THEN '{"value": 10, "currency": "USD"}'::jsonb END
FROM raw_events;

-- What the outbox recorded as unusable: the keys given with no value any platform can use.
SELECT event_id, unusable_identifiers FROM capi.outbox
WHERE unusable_identifiers IS NOT NULL AND id > :last_old_id ORDER BY id;

-- ---- capi.match_quality_report ---------------------------------------------------------------------
SELECT destination, platform, event_name, day = (now() AT TIME ZONE 'UTC')::date AS today, events,
       em, ph, fn, ln, ct, st, zp, country, ge, db, external_id, ip, ua, click_id, browser_id,
       unusable_share, estimated_score, below_6
FROM capi.match_quality_report WHERE destination LIKE 'mq\_%' ORDER BY destination, event_name;
-- Every number checked against what capi.match_quality() says of the raw identifiers the rows were
-- made from (the same evaluation, run on the raw input rather than the stored digests) ...
CREATE TEMP TABLE expected_report AS
SELECT d.name AS destination, r.event_name, count(*) AS events,
       avg((q.report -> 'identifiers' -> 'em' ->> 'status' = 'present')::int) AS em,
       avg((q.report -> 'identifiers' -> 'ph' ->> 'status' = 'present')::int) AS ph,
       avg((q.report -> 'identifiers' -> 'fn' ->> 'status' = 'present')::int) AS fn,
       avg((q.report -> 'identifiers' -> 'zp' ->> 'status' = 'present')::int) AS zp,
       avg((q.report -> 'identifiers' -> 'country' ->> 'status' = 'present')::int) AS country,
       avg((q.report -> 'identifiers' -> 'ip' ->> 'status' = 'present')::int) AS ip,
       avg((q.report -> 'identifiers' -> 'ua' ->> 'status' = 'present')::int) AS ua,
       avg((q.report -> 'identifiers' -> 'click_id' ->> 'status' = 'present')::int) AS click_id,
       avg((q.report -> 'identifiers' -> 'browser_id' ->> 'status' = 'present')::int) AS browser_id,
       sum(q.unusable)::numeric / NULLIF(sum(q.unusable + q.present), 0) AS unusable_share,
       avg(q.score) AS score
FROM raw_events r
CROSS JOIN capi.destinations d
CROSS JOIN LATERAL (
    SELECT m AS report,
           (SELECT count(*) FROM jsonb_each(m -> 'identifiers') i WHERE i.value ->> 'status' = 'unusable') AS unusable,
           (SELECT count(*) FROM jsonb_each(m -> 'identifiers') i WHERE i.value ->> 'status' = 'present') AS present,
           (SELECT sum((i.value ->> 'contribution')::numeric) FROM jsonb_each(m -> 'identifiers') i) AS score
    FROM capi.match_quality(r.user_data, d.platform) m
) q
WHERE d.name LIKE 'mq\_%'
GROUP BY d.name, r.event_name;
SELECT v.destination, v.event_name,
       v.events = e.events AS events,
       v.em IS NOT DISTINCT FROM round(e.em, 3) AND v.ph IS NOT DISTINCT FROM round(e.ph, 3)
           AND v.fn IS NOT DISTINCT FROM round(e.fn, 3) AND v.zp IS NOT DISTINCT FROM round(e.zp, 3)
           AND v.country IS NOT DISTINCT FROM round(e.country, 3) AND v.ip IS NOT DISTINCT FROM round(e.ip, 3)
           AND v.ua IS NOT DISTINCT FROM round(e.ua, 3) AND v.click_id IS NOT DISTINCT FROM round(e.click_id, 3)
           AND v.browser_id IS NOT DISTINCT FROM round(e.browser_id, 3) AS coverage,
       v.unusable_share = round(e.unusable_share, 3) AS unusable_share,
       v.estimated_score = round(e.score, 1) AS estimated_score,
       v.below_6 = (round(e.score, 1) < 6) AS below_6
FROM capi.match_quality_report v
JOIN expected_report e USING (destination, event_name)
ORDER BY 1, 2;
-- ... and, for email, against the stored digests alone (plain jsonb, no pg_capi function): a
-- non-empty "email" array other than the digest of "".
SELECT v.destination, v.event_name,
       v.em = round(avg((o.user_data -> 'email' IS NOT NULL
                         AND (o.user_data -> 'email') - capi.sha256_hex('') <> '[]'::jsonb)::int), 3) AS em_from_digests
FROM capi.match_quality_report v
JOIN capi.outbox o ON o.event_name = v.event_name AND o.id > :last_old_id
WHERE v.destination = 'mq_meta'
GROUP BY v.destination, v.event_name, v.em ORDER BY 2;
-- A time-bounded WHERE on day reads the outbox through its day index (forced here: 60 rows are
-- cheaper to scan; docs/match-quality.md measures a large outbox).
CREATE FUNCTION pg_temp.plan_uses(query text, index_name text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF line LIKE '%' || index_name || '%' THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END $$;
SET enable_seqscan = off;
SELECT pg_temp.plan_uses('SELECT * FROM capi.match_quality_report WHERE day >= current_date - 1', 'outbox_created_day')
           AS report_uses_day_index,
       pg_temp.plan_uses('SELECT * FROM capi.dedup_audit WHERE day >= current_date - 1', 'outbox_created_day')
       AND pg_temp.plan_uses('SELECT * FROM capi.dedup_audit WHERE day >= current_date - 1', 'rejected_duplicates_day')
           AS audit_uses_day_indexes;
RESET enable_seqscan;

-- The trigger sets unusable_identifiers whatever an INSERT says (here: a superuser's; writers cannot
-- name the column at all, below).
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data, unusable_identifiers, destinations)
VALUES ('mq-forged', 'Lead', 'system_generated', '{"email": "ok@example.com"}', '{email,phone}', '{mq_meta}')
RETURNING unusable_identifiers;

-- A correction of a failed event (capi.correct_failed) records what its new user_data could not use,
-- and keeps the record when it keeps user_data (the stored bag no longer shows the failed values).
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, failure_kind)
SELECT 'mq_meta', id, event_id, event_name, 'failed', 'permanent' FROM capi.outbox WHERE event_id IN ('mq-5', 'mq-11');
SELECT capi.correct_failed('mq-5', 'mq_meta', custom_data => '{"value": 11, "currency": "USD"}') > 0 AS kept_user_data,
       capi.correct_failed('mq-11', 'mq_meta', user_data => '{"email": "fixed@example.com", "phone": "123"}') > 0
           AS new_user_data;
SELECT event_id, unusable_identifiers FROM capi.outbox WHERE event_id IN ('mq-5', 'mq-11') ORDER BY event_id;

-- ---- dedup audit -----------------------------------------------------------------------------------
-- An application's retry of mq-1 with ON CONFLICT DO NOTHING: not inserted, recorded once per destination.
BEGIN;
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data, custom_data)
VALUES ('mq-1', 'Purchase', 'system_generated', '{"email": "retry@example.com"}', '{"value": 10, "currency": "USD"}')
ON CONFLICT (event_name, event_id) DO NOTHING;
SELECT destination, event_name, event_id, rejected_at = now() AS at_insert FROM capi.rejected_duplicates
ORDER BY destination;
COMMIT;
-- A plain INSERT of a duplicate fails (23505) and its record goes with it.
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, action_source)
                     VALUES ('mq-4', 'Lead', 'system_generated')$$);
-- A duplicate inside one statement is rejected by the same rule; a rolled back one leaves nothing; an
-- event for one destination is counted for it only.
INSERT INTO capi.outbox (event_id, event_name, action_source)
VALUES ('mq-twice', 'Lead', 'system_generated'), ('mq-twice', 'Lead', 'system_generated')
ON CONFLICT DO NOTHING;
BEGIN;
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('mq-8', 'Lead', 'system_generated')
ON CONFLICT DO NOTHING;
ROLLBACK;
INSERT INTO capi.outbox (event_id, event_name, action_source, destinations)
VALUES ('mq-forged', 'Lead', 'system_generated', '{mq_meta}') ON CONFLICT DO NOTHING;
SELECT destination, event_id, count(*) FROM capi.rejected_duplicates GROUP BY 1, 2 ORDER BY 1, 2;
-- A writer's retry is recorded too (the trigger writes the audit as the outbox's owner), and is no
-- more visible to the writer than other applications' events.
SET ROLE capi_writer;
INSERT INTO capi.outbox (event_id, event_name, action_source)
VALUES ('mq-12', 'Lead', 'system_generated') ON CONFLICT (event_name, event_id) DO NOTHING;
SELECT pg_temp.try('SELECT * FROM capi.rejected_duplicates');
RESET ROLE;
SELECT count(*) AS writer_retry_recorded FROM capi.rejected_duplicates WHERE event_id = 'mq-12';

-- Event ids: Google deduplicates on custom_data.order_id when there is one.
INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data)
VALUES ('7', 'Lead', 'system_generated', NULL),
       ('{{event_id}}', 'Lead', 'system_generated', NULL),
       ((extract(epoch FROM now()) * 1000)::bigint::text, 'Lead', 'system_generated', NULL),
       ('mq-order', 'Purchase', 'system_generated', '{"value": 1, "currency": "EUR", "order_id": "42"}');
SELECT destination, day = (now() AT TIME ZONE 'UTC')::date AS today, events, rejected_duplicates,
       duplicate_share, event_ids_fit, event_id_fit_share, event_id_problems
FROM capi.dedup_audit WHERE destination LIKE 'mq\_%' ORDER BY destination;
-- Checked against the rows: events per destination, rejections, and each row's own verdict.
SELECT a.destination,
       a.events = (SELECT count(*) FROM capi.outbox o
                   WHERE o.id > :last_old_id AND (o.destinations IS NULL OR a.destination = ANY (o.destinations)))
           AS events,
       a.rejected_duplicates = (SELECT count(*) FROM capi.rejected_duplicates r WHERE r.destination = a.destination)
           AS rejected,
       a.duplicate_share = round(a.rejected_duplicates::numeric / (a.events + a.rejected_duplicates), 4) AS share,
       a.event_ids_fit = (SELECT count(*) FROM capi.outbox o
                          WHERE o.id > :last_old_id
                            AND (o.destinations IS NULL OR a.destination = ANY (o.destinations))
                            AND capi.event_id_problem(CASE WHEN a.destination = 'mq_google'
                                                           THEN coalesce(o.custom_data ->> 'order_id', o.event_id)
                                                           ELSE o.event_id END, o.event_time) IS NULL) AS fit
FROM capi.dedup_audit a WHERE a.destination LIKE 'mq\_%' ORDER BY 1;
SELECT what, capi.event_id_problem(id, now()) AS problem
FROM (VALUES ('an order number', 'order-1001'), ('padded', ' order-1'), ('a JavaScript undefined', 'undefined'),
             ('a template', '${id}'), ('a counter', '42'), ('Unix seconds now', extract(epoch FROM now())::bigint::text),
             ('Unix seconds two days ago', extract(epoch FROM now() - interval '2 days')::bigint::text)) v(what, id);

-- ---- who may read what -----------------------------------------------------------------------------
SET ROLE capi_writer;
SELECT pg_temp.try('SELECT * FROM capi.match_quality_report');
SELECT pg_temp.try('SELECT * FROM capi.dedup_audit');
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, action_source, unusable_identifiers)
                     VALUES ('mq-w1', 'Lead', 'system_generated', '{}')$$);
-- RETURNING * (as ORMs write it) still works: the writer reads its own new row, the new column included.
WITH inserted AS (
    INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
    VALUES ('mq-w2', 'Lead', 'system_generated', '{"email": "nope", "phone": "+1 650 555 1212"}')
    RETURNING *)
SELECT event_id, unusable_identifiers FROM inserted;
-- The functions read only their arguments: anyone may call them.
SELECT capi.match_quality('{"email": "a@example.com"}') ->> 'score' AS writer_may_estimate;
RESET ROLE;
SET ROLE capi_admin;
SELECT count(*) > 0 AS admin_reads_report FROM capi.match_quality_report;
SELECT count(*) > 0 AS admin_reads_audit FROM capi.dedup_audit;
SELECT count(*) > 0 AS admin_reads_rejections FROM capi.rejected_duplicates;
RESET ROLE;
SELECT has_table_privilege('capi_worker', 'capi.rejected_duplicates', 'DELETE') AS worker_purges,
       has_table_privilege('capi_worker', 'capi.rejected_duplicates', 'INSERT') AS worker_inserts,
       has_table_privilege('capi_writer', 'capi.rejected_duplicates', 'INSERT') AS writer_inserts,
       has_table_privilege('capi_admin', 'capi.rejected_duplicates', 'INSERT') AS admin_inserts;

-- Clean up for the tests that follow (deleting a destination deletes its audit rows).
SET capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name LIKE 'mq\_%';
RESET capi.allow_dropping_undelivered;
SELECT count(*) AS audit_rows_left FROM capi.rejected_duplicates;
DELETE FROM capi.outbox;
DELETE FROM capi.corrections WHERE event_id IN ('mq-5', 'mq-11');
