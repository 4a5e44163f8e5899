-- capi.outbox refuses at INSERT what no platform can take and what must not rest in the outbox
-- (issue 8): infinite or absurd event_time, JSON beyond the depth and size limits, raw email
-- addresses and identifier keys outside user_data, invisible or control characters in ids; and the
-- trigger sets created_at itself.
\pset null '<null>'

-- Runs one statement; shows 'accepted' or the SQLSTATE and message it failed with.
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- event_time: infinity cannot be converted (the worker used to retry it forever); the future is
-- bounded to 10 minutes, the past to 366 days (no platform accepts older events: Google Ads, the
-- most lenient, 90 days)
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t1', 'Lead', 'infinity')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t2', 'Lead', '-infinity')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t3', 'Lead', now() + interval '11 minutes')$$) ~ '^22008: event_time .* is 6[56]\d s in the future; at most 600 s are allowed$' AS future_refused;
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t4', 'Lead', now() - interval '367 days')$$) ~ '^22008: event_time .* is more than 366 days in the past; no platform accepts events that old$' AS old_refused;
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t5', 'Lead', '1970-01-01 00:00:00+00')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t6', 'Lead', now() - interval '365 days')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('t7', 'Lead', now() + interval '9 minutes')$$);

-- JSON depth: 70 levels (the worker refused more than 64 and blocked the queue) and 10,000 levels
-- are refused before any parser recurses; 16 levels are accepted. (From about 30,000 levels jsonb's
-- own parser refuses the value, 54001, before the trigger runs.)
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('d1', 'Purchase', ('{"a":' || repeat('[', 69) || repeat(']', 69) || '}')::jsonb)$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('d2', 'Purchase', ('{"a":' || repeat('[', 9999) || repeat(']', 9999) || '}')::jsonb)$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, consent)
                     VALUES ('d3', 'Purchase', ('{"ldu":' || repeat('[', 20) || repeat(']', 20) || '}')::jsonb)$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('d4', 'Purchase', ('{"a":' || repeat('[', 15) || repeat(']', 15) || '}')::jsonb)$$);

-- Sizes: custom_data and user_data at most 64 kB of JSON text, consent 4 kB, event_source_url 8 kB.
-- 100 kB is rendered and measured; 1 MB and 100 MB are refused from the stored size, unrendered.
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('s1', 'Purchase', jsonb_build_object('pad', repeat('x', 100 * 1024)))$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('s2', 'Purchase', jsonb_build_object('pad', repeat('x', 1024 * 1024)))$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('s3', 'Purchase', jsonb_build_object('pad', repeat('x', 65536 - 11)))$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, user_data)
                     VALUES ('s4', 'Purchase', jsonb_build_object('client_user_agent', repeat('x', 100 * 1024)))$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, consent)
                     VALUES ('s5', 'Purchase', jsonb_build_object('opt_out', false, 'ldu', repeat('x', 5000)))$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_source_url)
                     VALUES ('s6', 'Purchase', 'https://shop.example/?q=' || repeat('a', 8192))$$);
-- jsonb's binary form stays far below 16 times its text even for the densest document (small numbers)
SELECT pg_column_size(d) < 16 * length(d::text) AS binary_within_factor
FROM (SELECT ('[' || repeat('0,', 32767) || '0]')::jsonb AS d) numbers;
-- 100 MB stored compressed (as an attacker's INSERT ... SELECT would pass it): refused from its
-- toast pointer's size in under a millisecond. Detoasting and rendering it first took 340 ms on the
-- development machine, so the timeout fails this test if the stored-size check goes.
CREATE TEMP TABLE huge AS SELECT jsonb_build_object('pad', repeat('x', 100 * 1024 * 1024)) AS doc;
SET statement_timeout = '100ms';
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data) SELECT 's7', 'Purchase', doc FROM huge$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, user_data) SELECT 's8', 'Purchase', doc FROM huge$$);
RESET statement_timeout;
DROP TABLE huge;

-- Raw email addresses outside user_data: refused with where they were found, never the value
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('p1', 'Purchase', '{"contents": [{"id": "a", "title": "gift for John.Smith@example.com"}]}')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('p2', 'Purchase', '{"notes": {"john@example.com": true}}')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('p3', 'Purchase', '{"email": "hash me"}')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, custom_data)
                     VALUES ('p4', 'Purchase', '{"contents": [{"id": "a", "ph": "6505551212"}]}')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_source_url)
                     VALUES ('p5', 'Purchase', 'https://shop.example/thanks?email=john%40example.com')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_source_url)
                     VALUES ('p6', 'Purchase', 'https://shop.example/u/john@example.com')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_source_url)
                     VALUES ('p7', 'Purchase', 'https://john:secret@shop.example/')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name) VALUES ('john.smith@example.com', 'Lead')$$);
-- near misses are accepted: '@' that is no address, identifier-like keys that are not identifiers
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, event_source_url, custom_data)
                     VALUES ('p8', 'Purchase', 'https://shop.example/@brand/logo@2x.png?q=50%25%40off',
                             '{"title": "Shirt @ 50% off", "handle": "@shop", "email_campaign": "spring",
                               "contents": [{"id": "a", "gender": "female"}], "store": {"city": "Paris", "zip": "75001"}}')$$);

-- Ids: invisible-only is empty; control characters are refused
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name) VALUES (U&'\200B\FEFF\200E', 'Lead')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name) VALUES (U&'\00A0\3000', 'Lead')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name) VALUES (E'order-1\r\nX-Forged: 1', 'Lead')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name) VALUES ('c1', E'Lead\n')$$);
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name) VALUES (U&'order\200B1', 'Lead')$$);

-- created_at is the inserting transaction's start (a 1970 value got the row purged right after
-- delivery). An application cannot write it; a row that comes with a created_at of its own, which only
-- the owner or a superuser can give, is a restored row and is kept as it was dumped
-- (backup_restore.sql).
CREATE ROLE regress_capi_app IN ROLE capi_writer;
SET ROLE regress_capi_app;
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, created_at) VALUES ('ca1', 'Lead', '1970-01-01 00:00:00+00')$$);
BEGIN;
INSERT INTO capi.outbox (event_id, event_name) VALUES ('ca1', 'Lead');
SELECT created_at = now() AS created_at_is_transaction_start FROM capi.outbox WHERE event_id = 'ca1';
COMMIT;
RESET ROLE;
DROP ROLE regress_capi_app;

-- Only the accepted rows were stored
SELECT replace(event_id, U&'\200B', '<U+200B>') AS event_id FROM capi.outbox ORDER BY id;

-- back to an empty outbox for the tests that follow
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
