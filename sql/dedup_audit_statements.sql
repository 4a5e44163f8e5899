-- The dedup audit probes outbox_event_key only while an INSERT ... ON CONFLICT DO NOTHING runs
-- (pg/conflict_statements.hpp): a duplicate in any other INSERT raises 23505 and rolls its record back
-- anyway. Every way such a statement can run records a silent retry: as a WITH clause, inside a
-- function, after an error in a subtransaction of the same statement; a plain INSERT never probes.
\pset null '<null>'

CREATE FUNCTION pg_temp.try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'accepted';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- Index scans of outbox_event_key this backend has made and not yet reported (reported only between
-- transactions: a difference within one transaction counts that transaction's scans).
CREATE FUNCTION pg_temp.key_scans() RETURNS bigint LANGUAGE sql
AS $$ SELECT pg_stat_get_xact_numscans('capi.outbox_event_key'::regclass) $$;

INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('da_meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAA-not-real"}');
INSERT INTO capi.outbox (event_id, event_name, action_source)
VALUES ('da-1', 'Lead', 'system_generated'), ('da-2', 'Lead', 'system_generated'),
       ('da-3', 'Lead', 'system_generated'), ('da-4', 'Lead', 'system_generated');

-- A plain INSERT of new events scans no index of the outbox; ON CONFLICT DO NOTHING does (its own
-- conflict check and the audit's probe).
BEGIN;
SELECT pg_temp.key_scans() AS scans \gset
INSERT INTO capi.outbox (event_id, event_name, action_source)
SELECT 'da-new-' || n, 'Lead', 'system_generated' FROM generate_series(1, 5) n;
SELECT pg_temp.key_scans() - :scans AS plain_insert_scans;
SELECT pg_temp.key_scans() AS scans \gset
INSERT INTO capi.outbox (event_id, event_name, action_source)
VALUES ('da-new-6', 'Lead', 'system_generated') ON CONFLICT DO NOTHING;
SELECT pg_temp.key_scans() - :scans AS on_conflict_scans;
COMMIT;

-- A plain duplicate still fails, and leaves no record.
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, action_source)
                     VALUES ('da-1', 'Lead', 'system_generated')$$);

-- In a WITH clause.
WITH retried AS (
    INSERT INTO capi.outbox (event_id, event_name, action_source)
    VALUES ('da-1', 'Lead', 'system_generated') ON CONFLICT DO NOTHING RETURNING id)
SELECT count(*) AS inserted FROM retried;

-- Inside a function called by a SELECT.
CREATE FUNCTION pg_temp.retry(event_id text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO capi.outbox (event_id, event_name, action_source)
    VALUES (event_id, 'Lead', 'system_generated') ON CONFLICT DO NOTHING;
END $$;
SELECT pg_temp.retry('da-2');

-- After a subtransaction of the same statement failed: a function in the retried row's VALUES makes a
-- plain duplicate INSERT, which fails inside its exception block, before the row is checked.
CREATE FUNCTION pg_temp.failing_insert_then(value text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    BEGIN
        INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('da-4', 'Lead', 'system_generated');
    EXCEPTION WHEN unique_violation THEN
        NULL;
    END;
    RETURN value;
END $$;
INSERT INTO capi.outbox (event_id, event_name, action_source)
VALUES (pg_temp.failing_insert_then('da-3'), 'Lead', 'system_generated') ON CONFLICT DO NOTHING;

-- And an ON CONFLICT DO NOTHING statement that failed in a subtransaction (a NULL event_time, 23502)
-- does not leave the next plain INSERT of its transaction probing.
BEGIN;
SELECT pg_temp.try($$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time)
                     VALUES ('da-new-7', 'Lead', 'system_generated', NULL) ON CONFLICT DO NOTHING$$);
SELECT pg_temp.key_scans() AS scans \gset
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('da-new-8', 'Lead', 'system_generated');
SELECT pg_temp.key_scans() - :scans AS plain_insert_scans;
COMMIT;

-- Recorded: da-1 (WITH), da-2 (function), da-3 (after the failed subtransaction); not da-4.
SELECT destination, event_id, count(*) FROM capi.rejected_duplicates WHERE event_id LIKE 'da-%'
GROUP BY 1, 2 ORDER BY 1, 2;

BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name = 'da_meta';
COMMIT;
SELECT count(*) AS records_left FROM capi.rejected_duplicates WHERE event_id LIKE 'da-%';
