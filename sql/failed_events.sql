-- Failed events can be fixed or put away (issue 11): capi.correct_failed resends a corrected event
-- under the same event_id (hashed as on INSERT, audited in capi.corrections), capi.discard_failed
-- puts failed events away ('discarded': settled, never retried), and capi.retry_failed leaves the
-- failures that would fail again (failure_kind permanent or local) alone unless asked. The worker
-- delivers in the database named by capi.database, not in this one: failures are made here as the
-- worker records them.
\pset null '<null>'
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);
SHOW capi.failed_retention;
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('fe-a', 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-secret-a"}',
        'http://127.0.0.1:9'),
       ('fe-b', 'meta', '{"pixel_id": "222", "api_version": "v25.0"}', '{"access_token": "EAA-secret-b"}',
        'http://127.0.0.1:9');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
VALUES ('f-1', 'Lead', 'https://shop.example/a', '{"email": "old@example.com", "client_user_agent": "UA/1"}',
        '{"value": 1}', NULL),
       ('f-2', 'Lead', 'https://shop.example/', '{"client_user_agent": "UA/1"}', NULL, NULL),
       ('f-3', 'Lead', 'https://shop.example/', '{"client_user_agent": "UA/1"}', NULL, NULL),
       ('f-4', 'Lead', 'https://shop.example/', '{"client_user_agent": "UA/1"}', NULL, ARRAY['fe-b']),
       ('f-5', 'Lead', 'https://shop.example/', '{"client_user_agent": "UA/1"}', NULL, NULL),
       ('dup', 'Lead', 'https://shop.example/', '{"client_user_agent": "UA/1"}', NULL, NULL),
       ('dup', 'Contact', 'https://shop.example/', '{"client_user_agent": "UA/1"}', NULL, NULL),
       -- what an INSERT makes of the corrected identifiers, to compare with the correction
       ('ref', 'Lead', 'https://shop.example/', '{"email": " New@Example.com ", "phone": "+1 650 555 0100", "client_user_agent": "UA/1"}',
        NULL, ARRAY['fe-b']);
-- Deliveries as the worker records them: one per failure kind, one from before 0.5.0 (no kind), one
-- delivered.
CREATE FUNCTION pg_temp.event_row(event text, name text, dest text, status text, kind text, error text)
    RETURNS void LANGUAGE sql AS $$
INSERT INTO capi.event_deliveries (destination, outbox_id, event_id, event_name, status, attempts,
                                   last_attempt_at, last_error, failure_kind, delivered_at)
SELECT dest, id, event_id, event_name, status, 1, now() - interval '1 minute', error, kind,
       CASE WHEN status = 'delivered' THEN now() END
FROM capi.outbox WHERE event_id = event AND event_name = name
$$;
SELECT pg_temp.event_row('f-1', 'Lead', 'fe-a', 'failed', 'permanent', 'HTTP 400: (#100) Invalid parameter'),
       pg_temp.event_row('f-2', 'Lead', 'fe-a', 'failed', 'transient', 'gave up after 3 attempts: HTTP 503'),
       pg_temp.event_row('f-3', 'Lead', 'fe-a', 'failed', 'local', 'event_time is 8 days old'),
       pg_temp.event_row('f-4', 'Lead', 'fe-b', 'failed', NULL, 'failed before 0.5.0'),
       pg_temp.event_row('f-5', 'Lead', 'fe-a', 'delivered', NULL, NULL),
       pg_temp.event_row('dup', 'Lead', 'fe-a', 'failed', 'permanent', 'HTTP 400: bad'),
       pg_temp.event_row('dup', 'Contact', 'fe-a', 'failed', 'permanent', 'HTTP 400: bad');
SELECT event_id, event_name, destination, status, failure_kind, last_error, reason
FROM capi.delivery_status WHERE status <> 'pending' ORDER BY 1, 2, 3;
-- An error as SQLSTATE: message (HINT: hint); 'ok' when the statement succeeds.
CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, hint = PG_EXCEPTION_HINT;
    RETURN state || ': ' || message || coalesce(' (HINT: ' || nullif(hint, '') || ')', '');
END
$$;

-- retry_failed: by default only transient failures and those of unknown kind (before 0.5.0).
SELECT capi.retry_failed('fe-a') AS transient_at_a;
SELECT capi.retry_failed() AS unknown_kind_at_b;
SELECT capi.retry_failed() AS nothing_left_by_default;
SELECT event_id, destination, status, attempts, failure_kind FROM capi.event_deliveries ORDER BY 1, 2, event_name;
SELECT pg_temp.try($$SELECT capi.retry_failed('nope', NULL, true)$$);
-- ... and the permanent and local ones when asked (rolled back: they are used below).
BEGIN;
SELECT capi.retry_failed('fe-a', now() - interval '1 hour', include_permanent => true) AS all_at_a;
SELECT event_id, event_name, status FROM capi.event_deliveries WHERE destination = 'fe-a' ORDER BY 1, 2;
ROLLBACK;
SELECT capi.retry_failed('fe-a', now() + interval '1 hour', true) AS none_since_later;

-- correct_failed: every refusal, with its SQLSTATE.
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'fe-a')$$) AS nothing_to_correct;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', NULL, custom_data => '{"value": 2}')$$) AS no_destination;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'nope', custom_data => '{"value": 2}')$$) AS unknown_destination;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-9', 'fe-a', custom_data => '{"value": 2}')$$) AS unknown_event;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'fe-a', custom_data => '{"value": 2}', event_name => 'Contact')$$) AS unknown_name;
SELECT pg_temp.try($$SELECT capi.correct_failed('dup', 'fe-a', custom_data => '{"value": 2}')$$) AS ambiguous;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-2', 'fe-a', custom_data => '{"value": 2}')$$) AS requeued;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-5', 'fe-a', custom_data => '{"value": 2}')$$) AS delivered;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-3', 'fe-b', custom_data => '{"value": 2}')$$) AS pending;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-4', 'fe-a', custom_data => '{"value": 2}')$$) AS not_for_it;
-- The corrected row is checked as an INSERT is: an unknown identifier, raw PII outside user_data.
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'fe-a', user_data => '{"mail": "x@example.com"}')$$) AS bad_user_data;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'fe-a', custom_data => '{"note": "x@example.com"}')$$) AS pii_in_custom_data;
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'fe-a', event_source_url => 'https://shop.example/?e=x@example.com')$$) AS pii_in_url;
-- None of the refusals changed anything.
SELECT (SELECT count(*) FROM capi.corrections) AS corrections,
       (SELECT custom_data FROM capi.outbox WHERE event_id = 'f-1') AS f1_custom_data,
       (SELECT status FROM capi.event_deliveries WHERE event_id = 'f-1') AS f1_status;

-- A correction: same row (id, txid, created_at, event_id), new data, user_data hashed exactly as the
-- INSERT of the same identifiers ('ref'), no raw identifier stored, requeued at that destination only.
CREATE TEMP TABLE before AS SELECT * FROM capi.outbox WHERE event_id = 'f-1';
SELECT capi.correct_failed('f-1', 'fe-a', user_data => '{"email": " New@Example.com ", "phone": "+1 650 555 0100", "client_user_agent": "UA/1"}',
                           custom_data => '{"value": 2, "currency": "EUR"}') > 0 AS corrected;
SELECT o.id = b.id AS same_id, o.txid = b.txid AS same_txid, o.created_at = b.created_at AS same_created_at,
       o.event_id, o.event_name, o.event_source_url, o.custom_data,
       o.user_data = (SELECT user_data FROM capi.outbox WHERE event_id = 'ref') AS hashed_as_insert,
       o.user_data::text LIKE '%example%' AS raw_identifier_stored
FROM capi.outbox o, before b WHERE o.event_id = 'f-1';
SELECT event_id, destination, status, attempts, next_attempt_at IS NOT NULL AS due, last_error, failure_kind
FROM capi.event_deliveries WHERE event_id = 'f-1';
-- The audit row: what changed, the previous non-PII values, a digest of the previous user_data.
SELECT c.outbox_id = b.id AS outbox_id, c.event_id, c.event_name, c.destination, c.changed_columns,
       c.previous_custom_data, c.previous_event_source_url,
       c.previous_user_data_sha256 = capi.sha256_hex(b.user_data::text) AS digest_of_previous,
       c.previous_user_data_sha256 ~ '^[0-9a-f]{64}$' AS is_digest,
       c.previous_error, c.previous_failure_kind,
       c.corrected_by = session_user AS by_session_user, c.corrected_at > now() - interval '1 minute' AS just_now
FROM capi.corrections c, before b;
-- Requeued now: not failed any more, so a second correction waits for the outcome.
SELECT pg_temp.try($$SELECT capi.correct_failed('f-1', 'fe-a', event_source_url => 'https://shop.example/b')$$) AS again;
-- With event_name, one of two events sharing an event_id; only event_source_url changes.
SELECT capi.correct_failed('dup', 'fe-a', event_source_url => 'https://shop.example/c', event_name => 'Contact') > 0
    AS corrected;
SELECT event_id, event_name, changed_columns, previous_event_source_url, previous_custom_data,
       previous_user_data_sha256
FROM capi.corrections WHERE event_id = 'dup';
SELECT event_name, event_source_url FROM capi.outbox WHERE event_id = 'dup' ORDER BY 1;
-- The same values again: a resend with no changed column.
UPDATE capi.event_deliveries SET status = 'failed' WHERE event_id = 'dup' AND event_name = 'Contact';
SELECT capi.correct_failed('dup', 'fe-a', event_source_url => 'https://shop.example/c', event_name => 'Contact') > 0
    AS resent;
SELECT changed_columns FROM capi.corrections WHERE event_id = 'dup' ORDER BY id;

-- The outbox stays append-only otherwise: an UPDATE is refused, even a superuser's; an allowance
-- covers one row in one transaction, and only the correctable columns.
SELECT pg_temp.try($$UPDATE capi.outbox SET custom_data = '{}' WHERE event_id = 'f-5'$$) AS plain_update;
BEGIN;
SELECT capi.allow_outbox_correction(id) FROM capi.outbox WHERE event_id = 'f-5';
SELECT pg_temp.try($$UPDATE capi.outbox SET custom_data = '{}' WHERE event_id = 'f-3'$$) AS other_row;
SELECT pg_temp.try($$UPDATE capi.outbox SET custom_data = '{}' WHERE event_id = 'f-5'$$) AS allowance_used;
SELECT capi.allow_outbox_correction(id) FROM capi.outbox WHERE event_id = 'f-5';
UPDATE capi.outbox SET event_name = 'Other', custom_data = '{"value": 3}' WHERE event_id = 'f-5';
SELECT event_name, custom_data FROM capi.outbox WHERE event_id = 'f-5';
ROLLBACK;
BEGIN;
SELECT capi.allow_outbox_correction(id) FROM capi.outbox WHERE event_id = 'f-5';
COMMIT;
SELECT pg_temp.try($$UPDATE capi.outbox SET custom_data = '{}' WHERE event_id = 'f-5'$$) AS next_transaction;

-- discard_failed: unknown destination; nothing failed since later; then one destination's.
SELECT pg_temp.try($$SELECT capi.discard_failed('nope')$$) AS unknown_destination;
SELECT capi.discard_failed('fe-a', now() + interval '1 hour') AS none_since_later;
UPDATE capi.event_deliveries SET status = 'failed' WHERE event_id = 'f-4';
SELECT capi.discard_failed('fe-a') AS discarded_at_a;
SELECT event_id, event_name, destination, status, failure_kind, last_error,
       reason = 'discarded by ' || session_user AS reason_names_who, next_attempt_at
FROM capi.delivery_status WHERE status IN ('failed', 'discarded') ORDER BY 1, 2, 3;
SELECT event_id, discarded_at > now() - interval '1 minute' AS just_now, discarded_by = session_user AS by_session_user
FROM capi.event_deliveries WHERE status = 'discarded' ORDER BY 1, event_name;
-- Discarded events are never retried.
SELECT capi.retry_failed(include_permanent => true) AS requeued_only_f4;
SELECT capi.discard_failed() AS nothing_failed_left;
SELECT status, count(*) FROM capi.event_deliveries GROUP BY 1 ORDER BY 1;

-- Grants: capi_admin calls them and reads the audit; a capi_writer member does neither, and nobody
-- but the owner may open the outbox for a correction.
CREATE ROLE fe_writer LOGIN IN ROLE capi_writer;
SET ROLE fe_writer;
SELECT capi.correct_failed('f-1', 'fe-a', custom_data => '{"value": 9}');
SELECT capi.discard_failed();
SELECT capi.retry_failed();
SELECT capi.retry_failed('fe-a', NULL, true);
SELECT count(*) FROM capi.corrections;
SELECT capi.allow_outbox_correction(1);
RESET ROLE;
SET ROLE capi_admin;
SELECT capi.discard_failed('fe-b') AS admin_discards;
SELECT capi.retry_failed('fe-b', NULL, true) AS admin_retries;
SELECT count(*) AS admin_reads_corrections FROM capi.corrections;
SELECT capi.allow_outbox_correction(1);
RESET ROLE;
SELECT p.oid::regprocedure AS function, p.prosecdef AS security_definer, p.proconfig,
       has_function_privilege('capi_admin', p.oid, 'EXECUTE') AS admin,
       has_function_privilege('capi_writer', p.oid, 'EXECUTE') AS writer,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public
FROM pg_proc p
WHERE p.pronamespace = 'capi'::regnamespace
  AND p.proname IN ('correct_failed', 'discard_failed', 'retry_failed', 'allow_outbox_correction')
ORDER BY 1::text;
DROP ROLE fe_writer;

-- Clean up for the tests that follow.
SET capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations;
RESET capi.allow_dropping_undelivered;
DELETE FROM capi.outbox;
DELETE FROM capi.corrections;
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
