-- Issue 14, security: every path by which capi_writer, capi_monitor or any other role (PUBLIC) could
-- read a credential or change an endpoint, the search_path of every function that runs with elevated
-- rights, errors that could echo a credential, and the endpoint schemes. docs/security.md, "What the
-- tests prove", maps each claim to these cases. The worker's side (the log, last_error and
-- pg_stat_activity while sending) is test/t/096_security_leaks.pl.
\set VERBOSITY terse
\pset null '<null>'

CREATE ROLE regress_sp_writer LOGIN IN ROLE capi_writer;
CREATE ROLE regress_sp_monitor LOGIN IN ROLE capi_monitor;
CREATE ROLE regress_sp_public LOGIN;
CREATE ROLE regress_sp_admin LOGIN IN ROLE capi_admin;
CREATE ROLE regress_sp_mallory LOGIN;
GRANT CREATE ON SCHEMA public TO regress_sp_mallory;

-- Runs a statement with the secret as parameter $1 (so the statement's text never holds it, as an
-- application passing parameters); reports ok and the rows, or the SQLSTATE and message, and flags
-- an error whose message, detail, hint or context shows the secret.
CREATE FUNCTION pg_temp.attempt(statement text, secret text DEFAULT 'EAAB-sp-never-shown')
RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    affected bigint;
    state text;
    message text;
    detail text;
    hint text;
    context text;
BEGIN
    EXECUTE statement USING secret;
    GET DIAGNOSTICS affected = ROW_COUNT;
    RETURN 'ok' || CASE WHEN statement ~* '^\s*EXPLAIN' THEN ' (a plan)' ELSE ', ' || affected || ' rows' END;
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                            hint = PG_EXCEPTION_HINT, context = PG_EXCEPTION_CONTEXT;
    RETURN state || ': ' || message
           || CASE WHEN pg_catalog.strpos(pg_catalog.lower(pg_catalog.concat_ws(' ', message, detail, hint, context)),
                                          pg_catalog.lower(secret)) > 0
                   THEN ' [SHOWS THE SECRET]' ELSE '' END;
END
$$;
-- The lines of EXPLAIN (VERBOSE) of a query that match a pattern, and how many lines it printed.
CREATE FUNCTION pg_temp.explain_matches(query text, pattern text, OUT lines integer, OUT matching integer)
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    lines := 0;
    matching := 0;
    FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query LOOP
        lines := lines + 1;
        IF line ~* pattern THEN
            matching := matching + 1;
        END IF;
    END LOOP;
END
$$;

INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sp-meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-sp-stored-secret"}');
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
VALUES ('sp-0', 'Lead', 'app', '{"email": "stored@example.com"}');

-- ---------------------------------------------------------------------------------------------------
-- 1. Functions with elevated rights: every SECURITY DEFINER function of the extension has the fixed
--    search_path, and who may call it. A new one without the setting makes the second query fail.
SELECT p.oid::regprocedure AS security_definer_function,
       array_to_string(p.proconfig, ',') AS settings,
       (SELECT string_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END, ','
                          ORDER BY 1)
        FROM aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
        WHERE a.privilege_type = 'EXECUTE' AND a.grantee <> p.proowner) AS executable_by
FROM pg_proc p
WHERE p.pronamespace = 'capi'::regnamespace AND p.prosecdef
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT p.oid::regprocedure AS security_definer_without_fixed_search_path
FROM pg_proc p
WHERE p.pronamespace = 'capi'::regnamespace AND p.prosecdef
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);
-- Every function in a language other than C runs SQL: the same rule.
SELECT p.oid::regprocedure AS sql_function_without_fixed_search_path
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'capi'::regnamespace AND l.lanname <> 'c'
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);
-- Nothing else in the database switches to the extension owner's rights without the setting either:
-- views run their tables with the owner's rights but bind every operator and function when created.
SELECT c.oid::regclass AS view, c.reloptions
FROM pg_class c WHERE c.relnamespace = 'capi'::regnamespace AND c.relkind = 'v' ORDER BY c.relname;

-- ---------------------------------------------------------------------------------------------------
-- 2. What writer, monitor and any role may call and write: the functions they may execute that are
--    not PUBLIC's harmless ones (trigger functions cannot be called), and every write right in capi.
SELECT p.oid::regprocedure AS function,
       has_function_privilege('regress_sp_public', p.oid, 'EXECUTE') AS public,
       has_function_privilege('regress_sp_writer', p.oid, 'EXECUTE') AS writer,
       has_function_privilege('regress_sp_monitor', p.oid, 'EXECUTE') AS monitor
FROM pg_proc p
WHERE p.pronamespace = 'capi'::regnamespace AND p.prorettype <> 'trigger'::regtype
ORDER BY p.oid::regprocedure::text COLLATE "C";
SELECT r.rolname, c.relname, w.privilege
FROM pg_class c
CROSS JOIN (VALUES ('regress_sp_public'), ('regress_sp_writer'), ('regress_sp_monitor')) r(rolname)
CROSS JOIN (VALUES ('INSERT'), ('UPDATE'), ('DELETE'), ('TRUNCATE'), ('REFERENCES'), ('TRIGGER')) w(privilege)
WHERE c.relnamespace = 'capi'::regnamespace AND c.relkind IN ('r', 'v', 'p')
  AND (has_table_privilege(r.rolname, c.oid, w.privilege)
       OR (w.privilege IN ('INSERT', 'UPDATE', 'REFERENCES') AND has_any_column_privilege(r.rolname, c.oid, w.privilege)))
ORDER BY 1, 2, 3;

-- ---------------------------------------------------------------------------------------------------
-- 3. Reading a credential, by every path, as writer, monitor and a plain role. Column privileges also
--    apply to WHERE, whole-row references, COPY and EXPLAIN, so each is refused (42501), and none shows
--    the token.
CREATE TABLE pg_temp.read_paths (path text);
GRANT SELECT ON pg_temp.read_paths TO PUBLIC;
INSERT INTO pg_temp.read_paths VALUES
    ('SELECT credentials FROM capi.destinations'),
    ('SELECT * FROM capi.destinations'),
    ('SELECT d FROM capi.destinations d'),
    ('SELECT to_jsonb(d) FROM capi.destinations d'),
    ('SELECT name FROM capi.destinations WHERE credentials::text LIKE ''%EAAB%'''),
    ('SELECT count(*) FROM capi.destinations GROUP BY credentials'),
    ('UPDATE capi.destinations SET enabled = enabled WHERE credentials IS NOT NULL'),
    ('EXPLAIN (VERBOSE) SELECT credentials FROM capi.destinations'),
    ('EXPLAIN (VERBOSE) SELECT * FROM capi.delivery_status'),
    ('EXPLAIN (VERBOSE) SELECT * FROM capi.match_quality_report'),
    ('SELECT capi.preview(''sp-0'', ''sp-meta'')'),
    ('SELECT * FROM capi.dry_run(''sp-meta'')'),
    ('SELECT user_data FROM capi.outbox'),
    ('SELECT count(*) FROM capi.event_deliveries'),
    ('SELECT count(*) FROM capi.corrections');
SET ROLE regress_sp_writer;
SELECT path, pg_temp.attempt(path) AS writer FROM pg_temp.read_paths;
SET ROLE regress_sp_monitor;
SELECT path, pg_temp.attempt(path) AS monitor FROM pg_temp.read_paths;
SET ROLE regress_sp_public;
SELECT path, pg_temp.attempt(path) AS plain_role FROM pg_temp.read_paths;
RESET ROLE;
-- COPY, as psql sends it (not from PL/pgSQL):
SET ROLE regress_sp_monitor;
COPY capi.destinations TO STDOUT;
COPY (SELECT credentials FROM capi.destinations) TO STDOUT;
SET ROLE regress_sp_writer;
COPY capi.destinations (credentials) TO STDOUT;
RESET ROLE;
-- A writer inside its own transaction reads back its event, but capi.preview still needs the
-- destination's credentials, which it may not read.
BEGIN;
SET LOCAL ROLE regress_sp_writer;
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
VALUES ('sp-1', 'Lead', 'app', '{"email": "writer@example.com"}');
SELECT event_id FROM capi.outbox;
SELECT capi.preview('sp-1', 'sp-meta');
ROLLBACK;

-- The planner's statistics: pg_stats shows a column's most common values only to roles that may
-- read the column. Three destinations share a token, so it is a most common value: the superuser
-- sees it there; the others see no row for the column.
INSERT INTO capi.destinations (name, platform, config, credentials)
SELECT 'sp-stats-' || g, 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-sp-stored-secret"}'
FROM generate_series(1, 3) g;
ANALYZE capi.destinations, capi.outbox;
SELECT attname, most_common_vals::text LIKE '%EAAB-sp-stored-secret%' AS token_in_statistics
FROM pg_stats WHERE schemaname = 'capi' AND tablename = 'destinations' AND attname = 'credentials';
SET ROLE regress_sp_monitor;
SELECT count(*) AS credential_stats_monitor FROM pg_stats
WHERE schemaname = 'capi' AND attname IN ('credentials', 'user_data', 'custom_data');
SET ROLE regress_sp_writer;
SELECT count(*) AS credential_stats_writer FROM pg_stats
WHERE schemaname = 'capi' AND attname IN ('credentials', 'user_data', 'custom_data');
SET ROLE regress_sp_public;
SELECT count(*) AS credential_stats_plain FROM pg_stats
WHERE schemaname = 'capi' AND attname IN ('credentials', 'user_data', 'custom_data');
RESET ROLE;
DELETE FROM capi.destinations WHERE name LIKE 'sp-stats-%';

-- EXPLAIN (VERBOSE) of what a monitor may read: the plans show expressions, never a credential
-- value, stored or not (a scan of capi.destinations inside a view may list the column's name among its
-- outputs; never a value).
SET ROLE regress_sp_monitor;
SELECT v AS monitor_explains, e.lines > 0 AS explained, e.matching AS lines_with_a_credential_or_identifier
FROM unnest(ARRAY['SELECT * FROM capi.delivery_status', 'SELECT * FROM capi.stats',
                  'SELECT * FROM capi.batches', 'SELECT * FROM capi.delivery_counts',
                  'SELECT * FROM capi.match_quality_report', 'SELECT * FROM capi.dedup_audit',
                  'SELECT * FROM capi.destination_stats()', 'SELECT * FROM capi.worker_status()',
                  'SELECT name, platform, config, endpoint FROM capi.destinations']) v,
     LATERAL pg_temp.explain_matches(v, 'EAAB|stored@|example\.com') e;
RESET ROLE;

-- ---------------------------------------------------------------------------------------------------
-- 4. search_path tricks. A role that may CREATE in public (every role on PostgreSQL 13/14, the
--    database owner on 15+) plants functions and operators for the calls pg_capi's SQL makes; the
--    victims put public BEFORE pg_catalog, so even exactly typed unqualified calls would reach them.
SET ROLE regress_sp_mallory;
CREATE TABLE public.sp_loot (victim name, planted text);
GRANT INSERT ON public.sp_loot TO PUBLIC;
CREATE FUNCTION public.sp_note(what text) RETURNS void LANGUAGE sql AS
    $$ INSERT INTO public.sp_loot VALUES (pg_catalog.current_user(), what) $$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('now()'); RETURN pg_catalog.now(); END $$;
CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('clock_timestamp()'); RETURN pg_catalog.clock_timestamp(); END $$;
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('lower(text)'); RETURN pg_catalog.lower($1); END $$;
CREATE FUNCTION public.length(text) RETURNS integer LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('length(text)'); RETURN pg_catalog.length($1); END $$;
CREATE FUNCTION public.jsonb_typeof(jsonb) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('jsonb_typeof(jsonb)'); RETURN pg_catalog.jsonb_typeof($1); END $$;
CREATE FUNCTION public.array_to_string(anyarray, text) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('array_to_string'); RETURN pg_catalog.array_to_string($1, $2); END $$;
CREATE FUNCTION public.pg_current_xact_id() RETURNS xid8 LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('pg_current_xact_id()'); RETURN pg_catalog.pg_current_xact_id(); END $$;
CREATE FUNCTION public.sp_text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('text = text'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.sp_text_eq);
CREATE FUNCTION public.sp_bigint_eq(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('bigint = bigint'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = public.sp_bigint_eq);
CREATE FUNCTION public.sp_int_eq(integer, integer) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('integer = integer'); RETURN $1 OPERATOR(pg_catalog.=) $2; END $$;
CREATE OPERATOR public.= (LEFTARG = integer, RIGHTARG = integer, FUNCTION = public.sp_int_eq);
CREATE FUNCTION public.sp_ts_gt(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('timestamptz > timestamptz'); RETURN $1 OPERATOR(pg_catalog.>) $2; END $$;
CREATE OPERATOR public.> (LEFTARG = timestamptz, RIGHTARG = timestamptz, FUNCTION = public.sp_ts_gt);
CREATE FUNCTION public.sp_text_cat(text, text) RETURNS text LANGUAGE plpgsql AS
    $$ BEGIN PERFORM public.sp_note('text || text'); RETURN $1 OPERATOR(pg_catalog.||) $2; END $$;
CREATE OPERATOR public.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = public.sp_text_cat);
-- The plant works: a victim's own unqualified call reaches it.
SET search_path = public, pg_catalog;
SELECT lower('X') AS planted_lower, 'a' = 'a' AS planted_equals;
RESET search_path;
SELECT victim, planted FROM public.sp_loot ORDER BY 2;
RESET ROLE;
DELETE FROM public.sp_loot;

-- The victims, each with public first: a writer inserting (the outbox's row trigger; the rebase after a
-- restore and the dedup audit, which run as the outbox's owner), a monitor reading every view and
-- function it may, an admin managing a destination and calling each action. A restore is simulated as
-- in backup_restore.sql, so that the writer's first INSERT runs the rebase.
INSERT INTO capi.cluster_identity (system_identifier) VALUES (46);
SET ROLE regress_sp_writer;
SET search_path = public, pg_catalog;
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data, custom_data)
VALUES ('sp-2', 'Lead', 'app', '{"email": "Victim@Example.com", "phone": "+1 650 555 0100"}', '{"value": 1}');
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('sp-2', 'Lead', 'app')
ON CONFLICT (event_name, event_id) DO NOTHING;
RESET search_path;
RESET ROLE;
SELECT system_identifier = (SELECT system_identifier FROM pg_control_system()) AS rebased_by_the_writers_insert
FROM capi.cluster_identity;
SELECT destination, event_id FROM capi.rejected_duplicates WHERE event_id = 'sp-2';
SET ROLE regress_sp_monitor;
SET search_path = public, pg_catalog;
SELECT count(*) > 0 AS monitor_read_stats FROM capi.stats;
SELECT count(*) > 0 AS monitor_read_destination_stats FROM capi.destination_stats();
SELECT count(*) >= 0 AS monitor_read_delivery_status FROM capi.delivery_status;
SELECT count(*) >= 0 AS monitor_read_batches FROM capi.batches;
SELECT count(*) >= 0 AS monitor_read_counts FROM capi.delivery_counts;
SELECT count(*) >= 0 AS monitor_read_match_quality FROM capi.match_quality_report;
SELECT count(*) >= 0 AS monitor_read_dedup_audit FROM capi.dedup_audit;
SELECT count(*) AS worker_status_rows FROM capi.worker_status();
RESET search_path;
SET ROLE regress_sp_admin;
SET search_path = public, pg_catalog;
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sp-meta-2', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-sp-second"}');
UPDATE capi.destinations SET enabled = false WHERE name OPERATOR(pg_catalog.=) 'sp-meta-2';
SELECT jsonb_array_length(capi.preview('sp-2', 'sp-meta') -> 'data') AS previewed;
SELECT capi.retry_failed('sp-meta') AS retried, capi.discard_failed('sp-meta') AS discarded;
SELECT capi.has_undelivered_events('sp-meta') AS undelivered;
SELECT capi.correct_failed('sp-2', 'sp-meta', custom_data => '{"value": 2}');
SELECT capi.setup_warnings() IS NOT NULL AS warnings_read;
SELECT rebased FROM capi.rebase_after_restore();
DELETE FROM capi.destinations WHERE name OPERATOR(pg_catalog.=) 'sp-meta-2';
RESET search_path;
RESET ROLE;
-- Nothing planted ran, for any victim.
SELECT victim, planted FROM public.sp_loot ORDER BY 1, 2;

-- pg_temp: a role's temporary tables named like pg_capi's come after pg_catalog and never before a
-- qualified name. A monitor fills its own "cursors", "batches" and "destinations" with a destination
-- that does not exist and reads capi.stats (SECURITY DEFINER) with pg_temp first in its path.
SET ROLE regress_sp_monitor;
CREATE TEMP TABLE destinations (name text, platform text, enabled boolean);
CREATE TEMP TABLE cursors (destination text);
CREATE TEMP TABLE batches (destination text, status text);
CREATE TEMP TABLE outbox (id bigint, event_id text);
INSERT INTO pg_temp.destinations VALUES ('sp-hijacked', 'meta', true);
INSERT INTO pg_temp.cursors VALUES ('sp-hijacked');
INSERT INTO pg_temp.batches VALUES ('sp-hijacked', 'failed');
SET search_path = pg_temp, public, pg_catalog;
SELECT string_agg(destination, ',' ORDER BY destination) AS stats_destinations FROM capi.stats;
SELECT count(*) AS delivery_rows_of_hijacked FROM capi.delivery_status WHERE destination OPERATOR(pg_catalog.=) 'sp-hijacked';
RESET search_path;
DROP TABLE pg_temp.destinations, pg_temp.cursors, pg_temp.batches, pg_temp.outbox;
RESET ROLE;
SELECT count(*) AS planted_calls_after_temp FROM public.sp_loot;

-- ---------------------------------------------------------------------------------------------------
-- 5. Errors never show a credential. PostgreSQL reports a NOT NULL or CHECK violation with the whole
--    row ("Failing row contains (...)") and a unique violation with the key; the destination's row
--    trigger makes those checks first with messages naming the column. The token is parameter $1:
--    any echo of it is flagged. As the admin who manages destinations:
SET ROLE regress_sp_admin;
SELECT statement, pg_temp.attempt(replace(statement, 'sp-y', 'sp-e' || n)) AS result
FROM unnest(ARRAY[
    -- unique name: the key only
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-meta', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-x', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text)), ('sp-x', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-meta', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text)) ON CONFLICT (name) DO UPDATE SET name = 'sp bad name', credentials = EXCLUDED.credentials$q$,
    -- what the NOT NULL and CHECK constraints would report with the whole row
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp bad name', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES (NULL, 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', NULL, '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', NULL, jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, enabled, config, credentials) VALUES ('sp-y', 'meta', NULL, '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials, created_at) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text), NULL)$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'myspace', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text))$q$,
    $q$UPDATE capi.destinations SET credentials = jsonb_build_object('access_token', $1::text), name = 'sp bad' WHERE name = 'sp-meta'$q$,
    $q$UPDATE capi.destinations SET credentials = jsonb_build_object('access_token', $1::text), config = NULL WHERE name = 'sp-meta'$q$,
    -- credentials of the wrong form: the adapters name the key, never the value
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', to_jsonb($1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_array($1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', jsonb_build_array($1::text)))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', jsonb_build_object('value', $1::text)))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('acces_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text || E'\r\nX-Injected: 1'))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', $1::text || ' ' || $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', repeat($1::text, 10000)))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-g', 'google', '{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "1"}}', jsonb_build_object('refresh_token', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-l', 'linkedin', '{"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1"]}}', jsonb_build_object('client_secret', $1::text))$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-t', 'tiktok', '{"pixel_code": "C4ABCDEF12345"}', jsonb_build_object('access_token', 7))$q$,
    -- a secret put in config, which every role may read, is refused with the key named
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', jsonb_build_object('pixel_id', '1', 'access_token', $1::text), '{"access_token": "EAAB-other"}')$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('sp-y', 'meta', jsonb_build_object('pixel_id', $1::text), '{"access_token": "EAAB-other"}')$q$,
    -- an endpoint carrying a secret in its user information or path: refused without quoting it
    $q$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', '{"access_token": "t"}', 'https://admin:' || $1::text || '@graph.facebook.com')$q$,
    $q$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('sp-y', 'meta', '{"pixel_id": "1"}', '{"access_token": "t"}', 'https://graph.facebook.com/?access_token=' || $1::text)$q$,
    -- deleting a destination whose events are undelivered
    $q$DELETE FROM capi.destinations WHERE name = 'sp-meta' AND $1::text IS NOT NULL$q$
]) WITH ORDINALITY AS t(statement, n);
RESET ROLE;
-- A writer's rejected event: the error names the field, never the raw identifier (parameter $1) it
-- carried, PostgreSQL's "Failing row contains" included (the outbox's row trigger checks NOT NULL
-- first). The unique key shows event_name and event_id only, which hold no identifier (checked).
SET ROLE regress_sp_writer;
SELECT statement, pg_temp.attempt(statement, 'Raw.Person@Example.org') AS result
FROM unnest(ARRAY[
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('sp-0', 'Lead', 'app', jsonb_build_object('email', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES (NULL, 'Lead', 'app', jsonb_build_object('email', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('sp-3', NULL, 'app', jsonb_build_object('email', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('sp-3', 'Lead', NULL, jsonb_build_object('email', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, event_time, action_source, user_data) VALUES ('sp-3', 'Lead', NULL, 'app', jsonb_build_object('email', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, event_time, action_source, user_data) VALUES ('sp-3', 'Lead', 'infinity', 'app', jsonb_build_object('email', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('sp-3', 'Lead', 'app', to_jsonb($1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('sp-3', 'Lead', 'app', jsonb_build_object('email', jsonb_build_object('x', $1::text)))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('sp-3', 'Lead', 'app', jsonb_build_object('note', $1::text))$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, event_source_url) VALUES ('sp-3', 'Lead', 'app', 'https://shop.example/?e=' || $1::text)$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ($1::text, 'Lead', 'app')$q$,
    $q$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations, user_data) VALUES ('sp-3', 'Lead', 'app', '{sp-nowhere}', jsonb_build_object('email', $1::text))$q$
]) AS statement;
RESET ROLE;

-- What was accepted (a token with a space; a token of 190,000 characters is refused: credentials above 64 kB are 54000).
SELECT name, length(credentials ->> 'access_token') AS token_length FROM capi.destinations WHERE name LIKE 'sp-%' ORDER BY name;
-- The same errors as psql shows them, DETAIL and CONTEXT included.
\set VERBOSITY default
SET ROLE regress_sp_admin;
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sp-meta', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAAB-sp-visible-only-in-the-statement"}');
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sp-other', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAAB-sp-other"}');
UPDATE capi.destinations SET name = 'sp-meta', credentials = '{"access_token": "EAAB-sp-visible-only-in-the-statement"}'
WHERE name = 'sp-other';
DELETE FROM capi.destinations WHERE name = 'sp-other';
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sp-z', 'meta', '{"pixel_id": "1", "app_secret": "EAAB-sp-visible-only-in-the-statement"}', '{"access_token": "t"}');
RESET ROLE;
\set VERBOSITY terse

-- ---------------------------------------------------------------------------------------------------
-- 6. Where an endpoint may point. Every host below is allowed by the superuser's list, so each
--    refusal is the scheme's: http:// only to loopback, https:// otherwise, nothing else.
ALTER SYSTEM SET capi.allowed_endpoint_hosts = 'proxy.example', '10.0.0.1', '169.254.169.254', '127.0.0.1',
    '[::ffff:10.0.0.1]', '[::ffff:7f00:1]', '127.0.0.1.proxy.example', 'localhost.proxy.example', '[fe80::1]';
SELECT pg_reload_conf(), pg_sleep(0.5);
SET ROLE regress_sp_admin;
SELECT replace(replace(endpoint, E'\r', '\r'), E'\n', '\n') AS endpoint,
       pg_temp.attempt(format($q$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
                                 VALUES ('sp-ep-%s', 'meta', '{"pixel_id": "1"}', '{"access_token": "t"}', %L)$q$, n, endpoint)) AS on_insert,
       pg_temp.attempt(format($q$UPDATE capi.destinations SET endpoint = %L WHERE name = 'sp-meta'$q$, endpoint)) AS on_update
FROM unnest(ARRAY[
    'file:///etc/passwd', 'file://proxy.example/etc/passwd', 'gopher://proxy.example:70/_GET', 'ftp://proxy.example/',
    'dict://proxy.example:11211/', 'ldap://proxy.example/', 'smtp://proxy.example', 'telnet://proxy.example',
    'javascript:alert(1)', 'data:text/plain,x', 'proxy.example', '//proxy.example', 'https:proxy.example',
    'https:/proxy.example', 'http://proxy.example', 'HTTP://proxy.example', 'http://10.0.0.1',
    'http://169.254.169.254', E'https://proxy.example\r\nX-Injected: 1', ' https://proxy.example',
    -- names and addresses that only look like loopback
    'http://[::ffff:10.0.0.1]', 'http://[::ffff:7f00:1]', 'http://127.0.0.1.proxy.example',
    'http://localhost.proxy.example', 'http://[fe80::1]', 'http://127.1', 'http://0177.0.0.1',
    'https://proxy.example', 'HTTPS://proxy.example', 'http://127.0.0.1:8080']) WITH ORDINALITY AS t(endpoint, n);
SELECT name, endpoint FROM capi.destinations WHERE name LIKE 'sp-ep-%' ORDER BY name;
DELETE FROM capi.destinations WHERE name LIKE 'sp-ep-%';
RESET ROLE;
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf(), pg_sleep(0.5);

-- ---------------------------------------------------------------------------------------------------
-- 7. Only admins change an endpoint (or anything else of a destination), and not beyond their grants.
CREATE TABLE pg_temp.change_paths (path text);
GRANT SELECT ON pg_temp.change_paths TO PUBLIC;
INSERT INTO pg_temp.change_paths VALUES
    ('UPDATE capi.destinations SET endpoint = ''https://graph.facebook.com'' WHERE name = ''sp-meta'''),
    ('UPDATE capi.destinations SET endpoint = NULL'),
    ('INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES (''sp-w'', ''meta'', ''{"pixel_id": "1"}'', ''{"access_token": "t"}'', ''https://graph.facebook.com'')'),
    ('DELETE FROM capi.destinations'),
    ('TRUNCATE capi.destinations'),
    ('ALTER TABLE capi.destinations DISABLE TRIGGER USER'),
    ('SELECT capi.retry_failed()'),
    ('SELECT capi.discard_failed()'),
    ('SELECT capi.correct_failed(''sp-0'', ''sp-meta'', custom_data => ''{}'')'),
    ('SELECT capi.wake_worker()'),
    ('SELECT capi.has_undelivered_events(''sp-meta'')'),
    ('SELECT capi.rebase_after_restore()'),
    ('SELECT capi.allow_outbox_correction(1)'),
    ('SELECT capi.allow_outbox_rebase(true)'),
    ('SELECT capi.lock_out_worker()'),
    ('SET capi.allowed_endpoint_hosts = ''evil.example''');
SET ROLE regress_sp_writer;
SELECT path, pg_temp.attempt(path) AS writer FROM pg_temp.change_paths;
SET ROLE regress_sp_monitor;
SELECT path, pg_temp.attempt(path) AS monitor FROM pg_temp.change_paths;
SET ROLE regress_sp_public;
SELECT path, pg_temp.attempt(path) AS plain_role FROM pg_temp.change_paths;
-- An admin may change the endpoint, but not the table's triggers nor the server's list.
SET ROLE regress_sp_admin;
SELECT pg_temp.attempt('UPDATE capi.destinations SET endpoint = ''https://graph.facebook.com'' WHERE name = ''sp-meta''') AS admin_sets_endpoint;
SELECT pg_temp.attempt('ALTER TABLE capi.destinations DISABLE TRIGGER USER') AS admin_disables_triggers;
SELECT pg_temp.attempt('SET capi.allowed_endpoint_hosts = ''evil.example''') AS admin_widens_hosts;
RESET ROLE;
SELECT name, endpoint FROM capi.destinations WHERE name LIKE 'sp-%' ORDER BY name;

-- Cleanup.
BEGIN;
SET LOCAL capi.allow_dropping_undelivered = on;
DELETE FROM capi.destinations WHERE name LIKE 'sp-%';
COMMIT;
DELETE FROM capi.outbox WHERE event_id LIKE 'sp-%';
DELETE FROM capi.rejected_duplicates;
DROP TABLE public.sp_loot;
DROP OPERATOR public.= (text, text), public.= (bigint, bigint), public.= (integer, integer),
    public.> (timestamptz, timestamptz), public.|| (text, text);
DROP FUNCTION public.sp_note(text), public.now(), public.clock_timestamp(), public.lower(text), public.length(text),
    public.jsonb_typeof(jsonb), public.array_to_string(anyarray, text), public.pg_current_xact_id(),
    public.sp_text_eq(text, text), public.sp_bigint_eq(bigint, bigint), public.sp_int_eq(integer, integer),
    public.sp_ts_gt(timestamptz, timestamptz), public.sp_text_cat(text, text);
REVOKE CREATE ON SCHEMA public FROM regress_sp_mallory;
DROP ROLE regress_sp_writer, regress_sp_monitor, regress_sp_public, regress_sp_admin, regress_sp_mallory;
