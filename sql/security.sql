-- The security model (docs/security.md): fixed search_path, the worker's role, writers' columns,
-- and which writer roles may send to which destination.
\set VERBOSITY terse

-- Every function that runs SQL has a fixed search_path; the others are C functions that run no SQL.
SELECT p.proname,
       l.lanname,
       coalesce(array_to_string(p.proconfig, ','), '(none: runs no SQL)') AS settings,
       p.prosecdef AS security_definer
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'capi'::regnamespace
ORDER BY p.proname;
SELECT p.proname AS runs_sql_without_fixed_search_path
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
WHERE p.pronamespace = 'capi'::regnamespace
  AND (l.lanname <> 'c' OR p.proname IN ('preview', 'outbox_row_trigger', 'destinations_row_trigger',
                                         'destinations_changed', 'setup_warnings', 'dry_run'))
  AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false);

-- The worker's role: no login, no attributes, and only the rights delivery needs.
SELECT rolname, rolsuper, rolcanlogin, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication
FROM pg_roles WHERE rolname = 'capi_worker';
SELECT c.relname, array_agg(a.privilege_type ORDER BY a.privilege_type) AS privileges
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.relnamespace = 'capi'::regnamespace AND a.grantee = 'capi_worker'::regrole
GROUP BY c.relname ORDER BY c.relname;

-- A planted operator and functions in public: what a role that may CREATE there (every role on
-- PostgreSQL 13/14, the database owner on 15+) could leave for a more privileged caller.
CREATE ROLE regress_capi_mallory LOGIN IN ROLE capi_writer;
GRANT CREATE ON SCHEMA public TO regress_capi_mallory;
CREATE ROLE regress_capi_operator LOGIN IN ROLE capi_admin;
SET ROLE regress_capi_mallory;
CREATE TABLE public.loot (caller name, what text);
GRANT INSERT ON public.loot TO PUBLIC;
CREATE FUNCTION public.steal(numeric, integer) RETURNS numeric LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.loot SELECT current_user, coalesce(string_agg(credentials::text, ','), 'none')
    FROM capi.destinations;
    RETURN $1 * $2::numeric;
EXCEPTION WHEN OTHERS THEN
    INSERT INTO public.loot VALUES (current_user, 'called');
    RETURN $1 * $2::numeric;
END
$$;
CREATE OPERATOR public.* (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = public.steal);
CREATE FUNCTION public.steal_bigint(bigint, integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO public.loot VALUES (current_user, 'bigint = integer');
    RETURN $1 = $2::bigint;
END
$$;
CREATE OPERATOR public.= (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = public.steal_bigint);
-- It works: an unqualified numeric * integer in the caller's search_path calls it.
SELECT 2.5 * 2 AS planted_result;
SELECT count(*) AS planted_calls FROM public.loot;
DELETE FROM public.loot;
RESET ROLE;
GRANT DELETE ON public.loot TO PUBLIC;

INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sec-meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-sec-token-0001"}');
SET ROLE regress_capi_mallory;
INSERT INTO capi.outbox (event_id, event_name, event_time, event_source_url, user_data, custom_data)
VALUES ('sec-1', 'Purchase', now() - interval '1 minute', 'https://shop.example/checkout',
        '{"email": "a@example.com", "client_user_agent": "Mozilla/5.0"}', '{"value": 10, "currency": "EUR"}');
RESET ROLE;
-- An admin previews with the default search_path ("$user", public): nothing planted is called.
SET ROLE regress_capi_operator;
SELECT jsonb_array_length(capi.preview('sec-1', 'sec-meta') -> 'data') AS previewed_events;
SELECT capi.retry_failed('sec-meta') AS requeued;
RESET ROLE;
SELECT count(*) AS planted_calls FROM public.loot;

-- Writers insert only the columns an application owns.
SET ROLE regress_capi_mallory;
INSERT INTO capi.outbox (action_source, id, event_id, event_name) OVERRIDING SYSTEM VALUE VALUES ('app', 100000, 'sec-2', 'Lead');
INSERT INTO capi.outbox (action_source, event_id, event_name, created_at) VALUES ('app', 'sec-2', 'Lead', '1970-01-01');
INSERT INTO capi.outbox (action_source, event_id, event_name, txid) VALUES ('app', 'sec-2', 'Lead', '1');
INSERT INTO capi.outbox (action_source, event_id, event_name) VALUES ('app', 'sec-2', 'Lead');
-- ... and cannot lock the outbox (column privileges do not allow LOCK TABLE in any mode).
BEGIN;
LOCK TABLE capi.outbox IN ROW EXCLUSIVE MODE;
ROLLBACK;
RESET ROLE;
SELECT event_id, created_at > now() - interval '1 hour' AS created_now FROM capi.outbox WHERE event_id = 'sec-2';

-- writer_roles: which roles' members may send to a destination.
CREATE ROLE regress_capi_shop LOGIN IN ROLE capi_writer;
CREATE ROLE regress_capi_blog LOGIN IN ROLE capi_writer;
INSERT INTO capi.destinations (name, platform, config, credentials, writer_roles)
VALUES ('sec-shop-only', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-sec-token-0002"}',
        '{regress_capi_shop}');
SELECT name, writer_roles FROM capi.destinations ORDER BY name;
SET ROLE regress_capi_shop;
INSERT INTO capi.outbox (action_source, event_id, event_name, destinations) VALUES ('app', 'shop-1', 'Lead', '{sec-shop-only}');
INSERT INTO capi.outbox (action_source, event_id, event_name) VALUES ('app', 'shop-2', 'Lead');
SET ROLE regress_capi_blog;
INSERT INTO capi.outbox (action_source, event_id, event_name, destinations) VALUES ('app', 'blog-1', 'Lead', '{sec-shop-only}');
INSERT INTO capi.outbox (action_source, event_id, event_name, destinations) VALUES ('app', 'blog-2', 'Lead', '{sec-meta,sec-shop-only}');
INSERT INTO capi.outbox (action_source, event_id, event_name) VALUES ('app', 'blog-3', 'Lead');
-- SET ROLE to the group role does not get around it: capi_writer is not a member of the shop's role.
SET ROLE capi_writer;
INSERT INTO capi.outbox (action_source, event_id, event_name, destinations) VALUES ('app', 'blog-4', 'Lead', '{sec-shop-only}');
RESET ROLE;
SELECT event_id, destinations FROM capi.outbox WHERE event_id LIKE 'shop-%' OR event_id LIKE 'blog-%'
ORDER BY event_id;
-- Back to NULL: every writer may send there again.
UPDATE capi.destinations SET writer_roles = NULL WHERE name = 'sec-shop-only';
SET ROLE regress_capi_blog;
INSERT INTO capi.outbox (action_source, event_id, event_name, destinations) VALUES ('app', 'blog-5', 'Lead', '{sec-shop-only}');
INSERT INTO capi.outbox (action_source, event_id, event_name) VALUES ('app', 'blog-6', 'Lead');
RESET ROLE;
SELECT event_id, destinations FROM capi.outbox WHERE event_id IN ('blog-5', 'blog-6') ORDER BY event_id;

-- A typo in destinations is refused (the event would otherwise reach no destination, silently).
SET ROLE regress_capi_blog;
INSERT INTO capi.outbox (action_source, event_id, event_name, destinations) VALUES ('app', 'blog-7', 'Lead', '{sec-meat}');
RESET ROLE;

-- Errors about a destination row never show the row (its credentials): the trigger checks what the
-- NOT NULL and CHECK constraints would report with "Failing row contains (...)".
\set VERBOSITY default
SET ROLE regress_capi_operator;
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('bad name!', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAAB-never-shown-1"}');
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sec-null-config', 'meta', NULL, '{"access_token": "EAAB-never-shown-2"}');
INSERT INTO capi.destinations (name, platform, enabled, config, credentials)
VALUES ('sec-null-enabled', 'meta', NULL, '{"pixel_id": "1"}', '{"access_token": "EAAB-never-shown-3"}');
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('sec-bad-platform', 'myspace', '{"pixel_id": "1"}', '{"access_token": "EAAB-never-shown-4"}');
UPDATE capi.destinations SET name = 'sec meta' WHERE name = 'sec-meta';
RESET ROLE;
\set VERBOSITY terse

DELETE FROM capi.outbox WHERE event_id LIKE 'sec-%' OR event_id LIKE 'shop-%' OR event_id LIKE 'blog-%';
DELETE FROM capi.destinations WHERE name LIKE 'sec-%';
DROP TABLE public.loot;
DROP OPERATOR public.* (numeric, integer);
DROP OPERATOR public.= (bigint, integer);
DROP FUNCTION public.steal(numeric, integer);
DROP FUNCTION public.steal_bigint(bigint, integer);
REVOKE CREATE ON SCHEMA public FROM regress_capi_mallory;
DROP ROLE regress_capi_mallory, regress_capi_operator, regress_capi_shop, regress_capi_blog;
