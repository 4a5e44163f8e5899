-- pg_capi 0.6.0 -> 0.7.0: identity descriptions (issue 12), operations fixes (issue 13), schema
-- descriptions and role hygiene (issue 15). 0.6.0 is released: its script is never edited again.

-- ==== issue 12: identity ====
-- The identity functions' region takes country codes and names, or ZZ, and refuses anything else; the
-- digest of the empty string is no identifier (docs/normalization.md). Only their descriptions change.
COMMENT ON FUNCTION capi.normalize(text, text, text, text) IS
    'Normalize an identifier (email, phone, first_name, ...) as the platform requires; NULL when it cannot be normalized. region: a country code or name (NULL or blank: capi.default_region; ZZ: none), anything else is error 22023';
COMMENT ON FUNCTION capi.hash(text, text, text, text) IS
    'Lowercase hex SHA-256 of capi.normalize(...); an existing SHA-256 hex digest is returned lowercased, not hashed again, except the digest of the empty string (NULL); region as in capi.normalize';
COMMENT ON FUNCTION capi.user_data(jsonb, text, text) IS
    'The platform''s user-identifier object built from raw or hashed identifiers, with the platform''s key names; region as in capi.normalize';
-- ==== end issue 12: identity ====

-- ==== issue 13: operations ====
-- What paused a destination is a fact the worker stores with the pause, not a prefix of its text
-- (capi.stats read the state circuit_open from pause_reason LIKE 'circuit open %' in 0.6.0):
--   platform       the platform refused the credentials, the token grant, the account or the API version,
--                  or its token endpoint kept failing (a person must fix the destination: an UPDATE of
--                  it, e.g. a new token, ends the pause at once);
--   configuration  this server refuses to send: the credential file is unusable, the endpoint is not in
--                  capi.allowed_endpoint_hosts, or the destination cannot be built;
--   circuit        transient failures in a row opened the circuit: one-event probes until it answers.
-- NULL when not paused (or paused by hand, which capi.stats reads as paused).
ALTER TABLE capi.cursors ADD COLUMN paused_by text
    CHECK (paused_by IN ('platform', 'configuration', 'circuit'));
COMMENT ON COLUMN capi.cursors.paused_by IS
    'What paused the destination: platform (it refused the credentials, token grant, account or API '
    'version, or its token endpoint kept failing), '
    'configuration (unusable credential file, endpoint not in capi.allowed_endpoint_hosts, destination '
    'cannot be built) or circuit (transient failures in a row); written by the worker with paused_until, '
    'NULL when not paused';
-- Pauses stored by 0.6.0 workers, told apart by their text once (the worker rewrites them when it
-- resumes or pauses again).
UPDATE capi.cursors
   SET paused_by = CASE
           WHEN pause_reason LIKE 'circuit open %' THEN 'circuit'
           WHEN pause_reason LIKE '%credential file%' OR pause_reason LIKE '%capi.allowed_endpoint_hosts%'
                OR pause_reason LIKE '%endpoint override refused%' THEN 'configuration'
           ELSE 'platform'
       END
 WHERE paused_until IS NOT NULL;

-- capi.stats: the state circuit_open from capi.cursors.paused_by (the rest as in 0.6.0).
CREATE OR REPLACE FUNCTION capi.destination_stats()
    RETURNS TABLE (destination text, platform text, state text, reason text,
                   pending bigint, in_flight bigint, retrying bigint, failed bigint,
                   delivered_last_hour bigint, failed_last_hour bigint, oldest_pending_age interval,
                   last_delivered_at timestamptz, last_error text, last_error_at timestamptz,
                   events_per_second double precision, worker_pid integer, worker_database text)
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    SET enable_hashjoin = off
    SET enable_mergejoin = off
    SET jit = off
    AS $$
#variable_conflict use_column
DECLARE
    worker record;
    not_running text;
    d record;
    newest_id bigint;
    read_txid xid8;
    read_id bigint;
    first_unread bigint;
    late_first bigint;
    -- Where each destination has read to, and the first row it has not (destinations by name).
    names text[] := '{}';
    origins pg_snapshot[] := '{}';
    window_starts pg_snapshot[] := '{}';
    window_ends pg_snapshot[] := '{}';
    read_txids xid8[] := '{}';
    read_ids bigint[] := '{}';
    firsts bigint[] := '{}';
    common_first bigint;
    shared integer[] := '{}';
    i integer;
    estimate record;
    unread_of jsonb := '{}';
    oldest_unread timestamptz;
    oldest_claimed timestamptz;
    oldest_requeued timestamptz;
    open_first_id bigint;
    open_in_flight bigint;
    open_retrying bigint;
    open_error text;
    open_error_at timestamptz;
    requeued_in_flight bigint;
    requeued_retrying bigint;
    failed_error text;
    failed_error_at timestamptz;
    retrying_error text;
    retrying_error_at timestamptz;
    recent bigint;
    recent_start timestamptz := date_trunc('minute', now()) - interval '4 minutes';
BEGIN
    SELECT * INTO worker FROM capi.worker_status();
    IF worker.pid IS NULL OR worker.database IS DISTINCT FROM current_database() OR NOT worker.delivering THEN
        not_running := coalesce(array_to_string(capi.setup_warnings(), '; '), '');
        IF not_running = '' THEN
            not_running := CASE
                WHEN worker.pid IS NULL THEN
                    'no pg_capi worker process is running (the launcher starts one within 5 s; see the server log)'
                WHEN worker.database IS DISTINCT FROM current_database() THEN
                    format('the worker delivers the database "%s" (capi.database)', worker.database)
                ELSE 'the worker is waiting instead of delivering (the server log says why, e.g. '
                     '"run ALTER EXTENSION pg_capi UPDATE")'
            END;
        END IF;
    END IF;
    newest_id := (SELECT o.id FROM capi.outbox o ORDER BY o.id DESC LIMIT 1);

    -- 1. Pending: the events committed for a destination that the worker has not read. Where it has
    -- read to in its open window: its last batch there (or the acknowledged position).
    FOR d IN
        SELECT dst.name, c.origin, c.window_start, c.window_end, c.done_txid, c.done_id
        FROM capi.destinations dst JOIN capi.cursors c ON c.destination = dst.name
        ORDER BY dst.name
    LOOP
        read_txid := NULL;
        read_id := NULL;
        IF d.window_end IS NOT NULL THEN
            SELECT b.last_txid, b.last_id INTO read_txid, read_id
              FROM capi.batches b
             WHERE b.destination = d.name
               AND b.last_txid >= pg_snapshot_xmin(d.window_start)
               AND b.status <> 'abandoned'
               AND pg_visible_in_snapshot(b.last_txid, d.window_end)
               AND NOT pg_visible_in_snapshot(b.last_txid, d.window_start)
             ORDER BY b.last_txid DESC, b.last_id DESC LIMIT 1;
            IF d.done_txid IS NOT NULL
               AND (read_txid IS NULL OR (d.done_txid, d.done_id) > (read_txid, read_id)) THEN
                read_txid := d.done_txid;
                read_id := d.done_id;
            END IF;
        END IF;
        -- The first unread row in cursor order, by the (txid, id) index with one lower bound (as the
        -- worker reads), and the rows of the transactions that were running at window_start.
        IF read_txid IS NOT NULL AND read_txid >= pg_snapshot_xmax(d.window_start) THEN
            first_unread := (SELECT o.id FROM capi.outbox o WHERE (o.txid, o.id) > (read_txid, read_id)
                              ORDER BY o.txid, o.id LIMIT 1);
        ELSE
            first_unread := (SELECT o.id FROM capi.outbox o WHERE o.txid >= pg_snapshot_xmax(d.window_start)
                              ORDER BY o.txid, o.id LIMIT 1);
        END IF;
        late_first := (SELECT o.id FROM capi.outbox o
                        WHERE o.txid = ANY (ARRAY(SELECT pg_snapshot_xip(d.window_start)))
                          AND (read_txid IS NULL OR (o.txid, o.id) > (read_txid, read_id))
                        ORDER BY o.txid, o.id LIMIT 1);
        names := names || d.name;
        origins := origins || d.origin;
        window_starts := window_starts || d.window_start;
        window_ends := window_ends || d.window_end;
        read_txids := read_txids || read_txid;
        read_ids := read_ids || read_id;
        firsts := firsts || least(first_unread, late_first);
    END LOOP;
    -- One sample serves every destination whose backlog spans at least a quarter of the longest
    -- (destinations that stopped at about the same time: the cost does not grow with their number);
    -- the others, caught up or nearly, get their own (all their ids when there are at most 2,000).
    common_first := (SELECT min(f) FROM unnest(firsts) f);
    FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
        IF firsts[i] IS NULL THEN
            CONTINUE;
        ELSIF (newest_id - firsts[i] + 1) * 4 >= newest_id - common_first + 1 THEN
            shared := shared || i;
        ELSE
            FOR estimate IN
                SELECT * FROM capi.estimate_unread(firsts[i], newest_id, names[i:i], origins[i:i],
                                                   window_starts[i:i], window_ends[i:i], read_txids[i:i],
                                                   read_ids[i:i])
            LOOP
                unread_of := unread_of || jsonb_build_object(estimate.destination,
                                                             jsonb_build_array(estimate.unread, estimate.oldest));
            END LOOP;
        END IF;
    END LOOP;
    IF array_length(shared, 1) > 0 THEN
        FOR estimate IN
            SELECT * FROM capi.estimate_unread(
                common_first, newest_id,
                ARRAY(SELECT names[j] FROM unnest(shared) j), ARRAY(SELECT origins[j] FROM unnest(shared) j),
                ARRAY(SELECT window_starts[j] FROM unnest(shared) j),
                ARRAY(SELECT window_ends[j] FROM unnest(shared) j),
                ARRAY(SELECT read_txids[j] FROM unnest(shared) j), ARRAY(SELECT read_ids[j] FROM unnest(shared) j))
        LOOP
            unread_of := unread_of || jsonb_build_object(estimate.destination,
                                                         jsonb_build_array(estimate.unread, estimate.oldest));
        END LOOP;
    END IF;

    -- 2. Everything else, and the rows.
    worker_pid := worker.pid;
    worker_database := worker.database;
    FOR d IN
        SELECT dst.name, dst.platform, dst.enabled, c.window_start, c.paused_until, c.pause_reason,
               c.paused_by
        FROM capi.destinations dst JOIN capi.cursors c ON c.destination = dst.name
        ORDER BY dst.name
    LOOP
        destination := d.name;
        platform := d.platform;
        reason := NULL;
        IF NOT d.enabled THEN
            state := 'disabled';
            reason := 'capi.destinations.enabled = false';
        ELSIF not_running IS NOT NULL THEN
            state := 'worker_not_running';
            reason := not_running;
        ELSIF d.paused_until > now() THEN
            -- capi.cursors.paused_by says what paused it (the worker writes it with the pause)
            state := CASE WHEN d.paused_by = 'circuit' THEN 'circuit_open' ELSE 'paused' END;
            reason := d.pause_reason;
        ELSE
            state := 'active';
        END IF;
        pending := coalesce((unread_of -> d.name ->> 0)::bigint, 0);
        oldest_unread := (unread_of -> d.name ->> 1)::timestamptz;

        -- The open window's batches: claimed events being sent or waiting for a resend. Only they
        -- can end at or after the xmin of window_start (the batches_range index).
        SELECT coalesce(sum(b.events) FILTER (WHERE b.status = 'in_flight'), 0),
               coalesce(sum(b.events) FILTER (WHERE b.status = 'retrying'), 0),
               (array_agg(b.first_id ORDER BY b.first_txid, b.first_id))[1],
               (array_agg(b.last_error ORDER BY b.last_attempt_at DESC)
                    FILTER (WHERE b.status = 'retrying' AND b.last_error IS NOT NULL))[1],
               max(b.last_attempt_at) FILTER (WHERE b.status = 'retrying' AND b.last_error IS NOT NULL)
          INTO open_in_flight, open_retrying, open_first_id, open_error, open_error_at
          FROM capi.batches b
         WHERE b.destination = d.name
           AND b.last_txid >= pg_snapshot_xmin(d.window_start)
           AND b.status IN ('in_flight', 'retrying');
        oldest_claimed := (SELECT o.created_at FROM capi.outbox o WHERE o.id = open_first_id);

        -- Events with rows of their own that are not settled (event_deliveries_unsettled).
        SELECT count(*) FILTER (WHERE e.status = 'failed'),
               count(*) FILTER (WHERE e.status = 'in_flight'),
               count(*) FILTER (WHERE e.status = 'retrying')
          INTO failed, requeued_in_flight, requeued_retrying
          FROM capi.event_deliveries e
         WHERE e.destination = d.name AND e.status IN ('failed', 'retrying', 'in_flight');
        in_flight := open_in_flight + requeued_in_flight;
        retrying := open_retrying + requeued_retrying;
        oldest_requeued := NULL;
        IF requeued_in_flight + requeued_retrying > 0 THEN
            oldest_requeued := (SELECT min(o.created_at)
                                  FROM capi.event_deliveries e JOIN capi.outbox o ON o.id = e.outbox_id
                                 WHERE e.destination = d.name AND e.status IN ('retrying', 'in_flight'));
        END IF;
        oldest_pending_age := now() - least(oldest_unread, oldest_claimed, oldest_requeued);

        SELECT e.last_error, e.last_attempt_at INTO failed_error, failed_error_at
          FROM capi.event_deliveries e
         WHERE e.destination = d.name AND e.status = 'failed' AND e.last_attempt_at IS NOT NULL
         ORDER BY e.last_attempt_at DESC LIMIT 1;
        SELECT e.last_error, e.last_attempt_at INTO retrying_error, retrying_error_at
          FROM capi.event_deliveries e
         WHERE e.destination = d.name AND e.status = 'retrying' AND e.last_error IS NOT NULL
           AND e.last_attempt_at IS NOT NULL
         ORDER BY e.last_attempt_at DESC LIMIT 1;
        last_error := NULL;
        last_error_at := NULL;
        IF open_error_at IS NOT NULL THEN
            last_error := open_error;
            last_error_at := open_error_at;
        END IF;
        IF failed_error_at IS NOT NULL AND (last_error_at IS NULL OR failed_error_at > last_error_at) THEN
            last_error := failed_error;
            last_error_at := failed_error_at;
        END IF;
        IF retrying_error_at IS NOT NULL AND (last_error_at IS NULL OR retrying_error_at > last_error_at) THEN
            last_error := retrying_error;
            last_error_at := retrying_error_at;
        END IF;

        -- Settled events, from the worker's per-minute counters.
        SELECT coalesce(sum(c.delivered) FILTER (WHERE c.minute >= now() - interval '1 hour'), 0),
               coalesce(sum(c.failed) FILTER (WHERE c.minute >= now() - interval '1 hour'), 0),
               coalesce(sum(c.delivered) FILTER (WHERE c.minute >= recent_start), 0)
          INTO delivered_last_hour, failed_last_hour, recent
          FROM capi.delivery_counts c
         WHERE c.destination = d.name AND c.minute >= date_trunc('minute', now()) - interval '1 hour';
        events_per_second := recent / extract(epoch FROM now() - recent_start)::double precision;
        last_delivered_at := (SELECT c.last_delivered_at FROM capi.delivery_counts c
                               WHERE c.destination = d.name AND c.last_delivered_at IS NOT NULL
                               ORDER BY c.minute DESC LIMIT 1);
        RETURN NEXT;
    END LOOP;
END
$$;

COMMENT ON COLUMN capi.stats.state IS
    'disabled (enabled = false), worker_not_running (no worker delivers this database), circuit_open '
    '(capi.cursors.paused_by = circuit: transient failures in a row, one-event probes only), paused (refused '
    'credentials or account, endpoint no longer allowed, unusable credential file) or active; checked in '
    'this order';

-- capi.delivery_status: an event the destination's cursor has passed, without a row of its own or a
-- batch, is delivered. The purge deletes settled batches after capi.delivered_retention, but keeps the
-- outbox row while another destination has not passed it: the event read 'pending' there (0.6.0).
-- Columns and their order are unchanged.
CREATE OR REPLACE VIEW capi.delivery_status AS
SELECT o.event_id,
       o.event_name,
       c.destination,
       CASE
           -- settled: the event's own row, else its batch's outcome (a partial batch's failed events
           -- have rows of their own, so the others were delivered)
           WHEN e.status IN ('delivered', 'failed', 'skipped', 'discarded') THEN e.status
           WHEN e.status IS NULL AND b.status IN ('delivered', 'partial') THEN 'delivered'
           WHEN e.status IS NULL AND b.status = 'failed' THEN 'failed'
           -- passed by the cursor with neither a row of its own nor a batch: its batch row was purged
           -- (capi.delivered_retention) while the outbox row stays for another destination
           WHEN e.status IS NULL AND b.status IS NULL AND h.passed THEN 'delivered'
           -- waiting: a destination that is paused sends nothing; a disabled one takes nothing new
           WHEN c.paused_until > pg_catalog.now() THEN 'paused'
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'disabled'
           WHEN e.status IS NOT NULL THEN e.status
           WHEN b.status IN ('in_flight', 'retrying') THEN b.status
           ELSE 'pending'
       END AS status,
       CASE WHEN e.status IS NOT NULL THEN e.attempts ELSE coalesce(b.attempts, 0) END AS attempts,
       CASE WHEN e.status IS NOT NULL THEN e.last_error ELSE b.last_error END AS last_error,
       CASE WHEN e.status IS NOT NULL THEN e.last_attempt_at ELSE b.last_attempt_at END AS last_attempt_at,
       CASE WHEN e.status IS NOT NULL THEN e.delivered_at ELSE b.delivered_at END AS delivered_at,
       CASE WHEN e.status IS NOT NULL THEN e.trace_id ELSE b.trace_id END AS trace_id,
       CASE
           WHEN e.status IN ('delivered', 'failed', 'skipped', 'discarded')
                OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
                OR (e.status IS NULL AND b.status IS NULL AND h.passed)
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.paused_until
           WHEN e.status IS NOT NULL THEN e.next_attempt_at
           ELSE b.next_attempt_at
       END AS next_attempt_at,
       o.id AS outbox_id,
       o.event_time,
       o.created_at,
       CASE
           WHEN e.status = 'skipped' THEN e.last_error
           WHEN e.status = 'discarded' THEN 'discarded by ' || coalesce(e.discarded_by, 'unknown')
           WHEN e.status IN ('delivered', 'failed')
                OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
                OR (e.status IS NULL AND b.status IS NULL AND h.passed)
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.pause_reason
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'destination disabled (capi.destinations.enabled = false)'
       END AS reason,
       CASE WHEN e.status IS NOT NULL THEN e.previous_error ELSE b.previous_error END AS previous_error,
       CASE WHEN e.status IN ('failed', 'discarded', 'retrying', 'in_flight') THEN e.failure_kind END
           AS failure_kind
FROM capi.outbox o
JOIN capi.cursors c
    ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
   AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
JOIN capi.destinations d ON d.name = c.destination
-- Whether the destination's cursor has passed the event: every row visible in window_start is handled,
-- and so are the open window's rows up to (done_txid, done_id). Failed, skipped and requeued events have
-- rows of their own; a passed event without one was delivered.
CROSS JOIN LATERAL (
    SELECT pg_catalog.pg_visible_in_snapshot(o.txid, c.window_start)
           OR coalesce(c.window_end IS NOT NULL AND pg_catalog.pg_visible_in_snapshot(o.txid, c.window_end)
                       AND (o.txid, o.id) <= (c.done_txid, c.done_id), false) AS passed
) h
LEFT JOIN capi.event_deliveries e ON e.destination = c.destination AND e.outbox_id = o.id
LEFT JOIN LATERAL (
    SELECT b.status, b.attempts, b.last_error, b.last_attempt_at, b.delivered_at, b.trace_id, b.next_attempt_at,
           b.previous_error
    FROM capi.batches b
    WHERE b.destination = c.destination
      AND (b.last_txid, b.last_id) >= (o.txid, o.id)
      AND (b.first_txid, b.first_id) <= (o.txid, o.id)
      AND b.status <> 'abandoned'  -- a worker's lease that ended with it: the rows were read again
      AND pg_catalog.pg_visible_in_snapshot(o.txid, b.window_end)
      AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, b.window_start)
    -- Batches of a window do not overlap: the first one ending at or after the row is its batch.
    ORDER BY b.last_txid, b.last_id
    LIMIT 1
) b ON e.status IS NULL;

COMMENT ON VIEW capi.delivery_status IS
    'One row per (outbox event, destination): pending, in_flight, retrying, paused, disabled, delivered, '
    'failed, skipped or discarded (reason says why); failure_kind says why an event failed. Reads every '
    'retained outbox row: for looking events up, not for counting (capi.stats counts)';
-- ==== end issue 13: operations ====

-- ==== issue 15: maintainability ====
-- Roles that exist already. The roles are cluster-wide: the scripts above create each one only when
-- no role of its name exists. Before 0.7.0 such a role was adopted silently (capi_worker only when it
-- could not log in and had no attribute or member), so whoever had created capi_admin beforehand, and
-- could still log in as it or grant it, got every destination's credentials. Now a fresh install
-- (CREATE EXTENSION) adopts a role that existed before it only when it is what pg_capi makes and
-- nobody else controls it (docs/security.md "Roles that exist already"):
--   * it carries pg_capi's mark, a comment starting 'pg_capi: ' (set below on every install and
--     update: an install in another database of the cluster, or before a DROP EXTENSION, made it);
--   * it cannot log in and has no attribute (superuser, createrole, createdb, replication, bypassrls);
--   * no role that is not a superuser holds ADMIN OPTION on it (from PostgreSQL 16 a non-superuser
--     that creates a role holds it implicitly, so this also catches a role made by such a role).
-- Else CREATE EXTENSION fails (42710) naming each role and why, unless the superuser who installs has
-- checked them and says so: SET capi.adopt_existing_roles = on. ALTER EXTENSION UPDATE adopts what an
-- earlier version adopted already (refusing it now would only block the update) and marks it.
--
-- Which roles this CREATE EXTENSION made: their pg_authid row was written by the same (sub)transaction
-- as the extension's pg_extension row (xmin). A fresh install, as opposed to an update: capi.sha256_hex,
-- the 0.1.0 script's only object, was created in that (sub)transaction too (no script alters it: a
-- later one must not, or must find another witness).
DO $$
DECLARE
    extension_xmin xid := (SELECT e.xmin FROM pg_catalog.pg_extension e WHERE e.extname = 'pg_capi');
    installing boolean;
    adopt boolean := coalesce(nullif(pg_catalog.current_setting('capi.adopt_existing_roles', true), '')::boolean,
                              false);
    r record;
    problems text[] := '{}';
BEGIN
    installing := (SELECT p.xmin = extension_xmin FROM pg_catalog.pg_proc p
                   WHERE p.oid = 'capi.sha256_hex(text)'::pg_catalog.regprocedure);
    IF NOT installing THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT a.rolname,
               a.xmin = extension_xmin AS created_here,
               coalesce(pg_catalog.shobj_description(a.oid, 'pg_authid') LIKE 'pg_capi: %', false) AS marked,
               pg_catalog.concat_ws(', ',
                   CASE WHEN a.rolsuper THEN 'SUPERUSER' END, CASE WHEN a.rolcanlogin THEN 'LOGIN' END,
                   CASE WHEN a.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN a.rolcreatedb THEN 'CREATEDB' END,
                   CASE WHEN a.rolreplication THEN 'REPLICATION' END,
                   CASE WHEN a.rolbypassrls THEN 'BYPASSRLS' END) AS attributes,
               (SELECT pg_catalog.string_agg(DISTINCT pg_catalog.quote_ident(h.rolname), ', ')
                  FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_authid h ON h.oid = m.member
                 WHERE m.roleid = a.oid AND m.admin_option AND NOT h.rolsuper) AS administrators
        FROM pg_catalog.pg_authid a
        WHERE a.rolname IN ('capi_admin', 'capi_writer', 'capi_worker', 'capi_monitor')
        ORDER BY a.rolname
    LOOP
        CONTINUE WHEN r.created_here;
        IF NOT r.marked THEN
            problems := problems || pg_catalog.format('%s was not created by pg_capi (no "pg_capi: " comment)',
                                                      r.rolname);
        END IF;
        IF r.attributes <> '' THEN
            problems := problems || pg_catalog.format('%s has %s', r.rolname, r.attributes);
        END IF;
        IF r.administrators IS NOT NULL THEN
            problems := problems || pg_catalog.format('%s can be granted by %s (ADMIN OPTION)', r.rolname,
                                                      r.administrators);
        END IF;
    END LOOP;
    IF pg_catalog.cardinality(problems) > 0 AND adopt THEN
        RAISE WARNING 'pg_capi: adopting existing roles as capi.adopt_existing_roles says, although %',
                      pg_catalog.array_to_string(problems, '; ');
    ELSIF pg_catalog.cardinality(problems) > 0 THEN
        RAISE EXCEPTION 'pg_capi will not adopt existing roles it cannot trust'
            USING ERRCODE = 'duplicate_object',
                  DETAIL = pg_catalog.array_to_string(problems, '; ') || '.',
                  HINT = 'Whoever controls these roles would get pg_capi''s rights (capi_admin and capi_worker read '
                         'every destination''s credentials). Drop them and create the extension again, or, '
                         'once you have checked who can log in as or be granted them: SET '
                         'capi.adopt_existing_roles = on, then CREATE EXTENSION pg_capi (docs/security.md).';
    END IF;
END
$$;
-- pg_capi's mark, on the roles 0.3.0 created without one.
COMMENT ON ROLE capi_admin IS
    'pg_capi: operators; manages capi.destinations (credentials included), reads the outbox and delivery '
    'state, retries, corrects and discards failed events (NOLOGIN: grant it to operators'' roles)';
COMMENT ON ROLE capi_writer IS
    'pg_capi: applications; inserts into capi.outbox (the columns an application owns) and reads back only '
    'the rows of its own open transaction (NOLOGIN: grant it to applications'' roles)';

-- Every object says what it is (\d+, \df+); sql/comments.sql fails on one that does not.
COMMENT ON SCHEMA capi IS
    'pg_capi: identifier normalization and hashing, the conversions outbox, ad-platform destinations and '
    'their delivery state (README.md, docs/)';

-- capi.outbox
COMMENT ON COLUMN capi.outbox.id IS
    'Identity assigned on INSERT (writers cannot choose it); the delivery cursor orders rows by (txid, id)';
COMMENT ON COLUMN capi.outbox.txid IS
    'Id of the inserting transaction, set by the INSERT trigger: the delivery cursors compare it with their '
    'snapshots, so that a row whose transaction commits late is never skipped';
COMMENT ON COLUMN capi.outbox.event_id IS
    'The application''s id of the event (e.g. order-1042); with event_name the platforms'' deduplication key '
    '(UNIQUE: ON CONFLICT DO NOTHING makes a retried INSERT a no-op)';
COMMENT ON COLUMN capi.outbox.event_name IS
    'Standard (Purchase, Lead, ...: exact case) or custom event name; mapped per platform (config.event_map)';
COMMENT ON COLUMN capi.outbox.event_time IS
    'When the conversion happened (default now()); at most 10 minutes ahead and 366 days back';
COMMENT ON COLUMN capi.outbox.action_source IS
    'Where the conversion happened: website (default), app, email, phone_call, chat, physical_store, '
    'system_generated, business_messaging or other';
COMMENT ON COLUMN capi.outbox.event_source_url IS
    'URL of the page where the event happened (Meta requires it for website events); at most 8 kB';
COMMENT ON COLUMN capi.outbox.user_data IS
    'Identifiers as stored: normalized and SHA-256 hashed by the INSERT trigger (raw personal data never rests '
    'here); what platforms take plain (IP address, user agent, click and browser ids, coarse location) is kept plain';
COMMENT ON COLUMN capi.outbox.custom_data IS
    'Event parameters (value, currency, order_id, contents, ...); no personal data (the INSERT refuses it)';
COMMENT ON COLUMN capi.outbox.consent IS
    'The person''s consent: ad_user_data, ad_personalization (granted or denied), ldu, opt_out; enforced on '
    'every platform (README.md "Consent")';
COMMENT ON COLUMN capi.outbox.destinations IS
    'Names of the destinations to send to; NULL = every destination (the inserting role may send to)';
COMMENT ON COLUMN capi.outbox.created_at IS
    'Start of the inserting transaction, set by the INSERT trigger; the retention purge counts from it';

-- capi.destinations
COMMENT ON COLUMN capi.destinations.name IS 'The destination''s name (1 to 63 of A-Z a-z 0-9 _ . -)';
COMMENT ON COLUMN capi.destinations.platform IS
    'meta, google, tiktok, linkedin, snap, reddit or pinterest';
COMMENT ON COLUMN capi.destinations.enabled IS
    'false: the worker reads no new events for it (batches already sent finish); its events read disabled';
COMMENT ON COLUMN capi.destinations.config IS
    'The platform''s account settings (pixel_id, api_version, event_map, test_event_code, ...), checked when '
    'saved; no secrets';
COMMENT ON COLUMN capi.destinations.credentials IS
    'Tokens or OAuth client credentials (a value may instead name a file in capi.credentials_directory: '
    '{"file": "<name>"}); readable only by capi_admin and the worker, never logged, never in an error';
COMMENT ON COLUMN capi.destinations.endpoint IS
    'NULL: the platform''s own API host; else replaces its scheme, host and port (a proxy), within '
    'capi.allowed_endpoint_hosts';
COMMENT ON COLUMN capi.destinations.created_at IS
    'When the destination was added: it receives the events committed after that';

-- capi.cursors (worker state)
COMMENT ON COLUMN capi.cursors.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.cursors.origin IS
    'Snapshot at the destination''s creation: outbox rows visible in it predate the destination and are not '
    'for it';
COMMENT ON COLUMN capi.cursors.window_start IS
    'Every outbox row visible in this snapshot is handled (delivered, failed, skipped or requeued)';
COMMENT ON COLUMN capi.cursors.window_end IS
    'The window being delivered: rows visible here and not in window_start (NULL: no open window)';
COMMENT ON COLUMN capi.cursors.done_txid IS
    'In the open window, rows up to (done_txid, done_id) in (txid, id) order are acknowledged';
COMMENT ON COLUMN capi.cursors.done_id IS 'See done_txid';
COMMENT ON COLUMN capi.cursors.paused_until IS
    'Sending is paused until then (refused credentials or account, circuit open, endpoint not allowed, '
    'unusable credential file; paused_by says which); NULL when not paused. An UPDATE of the destination ends it';
COMMENT ON COLUMN capi.cursors.pause_reason IS
    'Why it is paused, in the platform''s or the check''s words (secrets redacted); NULL when not paused';
COMMENT ON COLUMN capi.cursors.updated_at IS 'When the worker last wrote this row';

-- capi.batches
COMMENT ON COLUMN capi.batches.id IS 'The batch''s id, in the order batches were read';
COMMENT ON COLUMN capi.batches.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.batches.window_start IS 'The cursor''s window_start when the batch was read';
COMMENT ON COLUMN capi.batches.window_end IS 'The window the batch was read from (the cursor''s window_end)';
COMMENT ON COLUMN capi.batches.first_txid IS
    'The batch holds the window''s rows from (first_txid, first_id) to (last_txid, last_id) for this destination';
COMMENT ON COLUMN capi.batches.first_id IS 'See first_txid';
COMMENT ON COLUMN capi.batches.last_txid IS 'See first_txid';
COMMENT ON COLUMN capi.batches.last_id IS 'See first_txid';
COMMENT ON COLUMN capi.batches.events IS 'Number of events in the batch';
COMMENT ON COLUMN capi.batches.attempts IS 'Requests sent for it so far';
COMMENT ON COLUMN capi.batches.failed_events IS
    'Events of the batch that failed for good, each with its own capi.event_deliveries row';
COMMENT ON COLUMN capi.batches.claimed_at IS
    'When the worker read it; settled batches are purged capi.delivered_retention after this';
COMMENT ON COLUMN capi.batches.last_attempt_at IS 'When it was last sent';
COMMENT ON COLUMN capi.batches.next_attempt_at IS 'When a retrying batch is sent again';
COMMENT ON COLUMN capi.batches.delivered_at IS 'When it settled (delivered, partial, failed or skipped)';
COMMENT ON COLUMN capi.batches.trace_id IS 'The platform''s request id for support (Meta fbtrace_id)';

-- capi.event_deliveries
COMMENT ON COLUMN capi.event_deliveries.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.event_deliveries.outbox_id IS 'capi.outbox.id (the row is deleted with the outbox row)';
COMMENT ON COLUMN capi.event_deliveries.event_id IS 'capi.outbox.event_id';
COMMENT ON COLUMN capi.event_deliveries.event_name IS 'capi.outbox.event_name';
COMMENT ON COLUMN capi.event_deliveries.attempts IS 'Requests that carried the event';
COMMENT ON COLUMN capi.event_deliveries.next_attempt_at IS 'When a retrying event is sent again';
COMMENT ON COLUMN capi.event_deliveries.last_attempt_at IS 'When it was last sent or failed';
COMMENT ON COLUMN capi.event_deliveries.delivered_at IS 'When the platform accepted it (requeued events)';
COMMENT ON COLUMN capi.event_deliveries.trace_id IS 'The platform''s request id for support (Meta fbtrace_id)';

-- capi.corrections
COMMENT ON COLUMN capi.corrections.id IS 'The correction''s id (returned by capi.correct_failed())';
COMMENT ON COLUMN capi.corrections.outbox_id IS 'capi.outbox.id of the corrected event (kept after it is purged)';
COMMENT ON COLUMN capi.corrections.event_id IS 'capi.outbox.event_id';
COMMENT ON COLUMN capi.corrections.event_name IS 'capi.outbox.event_name';
COMMENT ON COLUMN capi.corrections.destination IS 'The destination the corrected event was resent to';
COMMENT ON COLUMN capi.corrections.previous_custom_data IS 'custom_data before the correction, when it changed';
COMMENT ON COLUMN capi.corrections.previous_event_source_url IS
    'event_source_url before the correction, when it changed';
COMMENT ON COLUMN capi.corrections.previous_error IS 'The error the event had failed with';
COMMENT ON COLUMN capi.corrections.previous_failure_kind IS 'Its failure_kind: transient, permanent or local';
COMMENT ON COLUMN capi.corrections.corrected_at IS 'When capi.correct_failed() ran';
COMMENT ON COLUMN capi.corrections.corrected_by IS 'The session user that called it';

-- capi.cluster_identity, capi.delivery_counts, capi.rejected_duplicates
COMMENT ON COLUMN capi.cluster_identity.singleton IS 'Always true: the table has one row';
COMMENT ON COLUMN capi.delivery_counts.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.rejected_duplicates.destination IS 'A destination of the rejected event';
COMMENT ON COLUMN capi.rejected_duplicates.event_name IS 'event_name of the rejected INSERT';
COMMENT ON COLUMN capi.rejected_duplicates.event_id IS 'event_id of the rejected INSERT (already taken)';
COMMENT ON COLUMN capi.rejected_duplicates.rejected_at IS 'When the INSERT was rejected';

-- capi.delivery_status
COMMENT ON COLUMN capi.delivery_status.event_id IS 'capi.outbox.event_id';
COMMENT ON COLUMN capi.delivery_status.event_name IS 'capi.outbox.event_name';
COMMENT ON COLUMN capi.delivery_status.destination IS 'A destination the event is for';
COMMENT ON COLUMN capi.delivery_status.status IS
    'pending, in_flight, retrying, paused, disabled, delivered, failed, skipped or discarded (README.md '
    '"Every state")';
COMMENT ON COLUMN capi.delivery_status.attempts IS
    'Requests that carried the event (0 when not sent yet, or when its purged batch no longer says)';
COMMENT ON COLUMN capi.delivery_status.last_error IS
    'Why it failed, is retrying or was skipped; NULL once delivered';
COMMENT ON COLUMN capi.delivery_status.last_attempt_at IS 'When it was last sent';
COMMENT ON COLUMN capi.delivery_status.delivered_at IS
    'When the platform accepted it (NULL when its batch was purged after capi.delivered_retention)';
COMMENT ON COLUMN capi.delivery_status.trace_id IS 'The platform''s request id for support (Meta fbtrace_id)';
COMMENT ON COLUMN capi.delivery_status.next_attempt_at IS
    'When it is sent next (a retry, or the end of a pause); NULL once settled';
COMMENT ON COLUMN capi.delivery_status.outbox_id IS 'capi.outbox.id';
COMMENT ON COLUMN capi.delivery_status.event_time IS 'capi.outbox.event_time';
COMMENT ON COLUMN capi.delivery_status.created_at IS 'capi.outbox.created_at';
COMMENT ON COLUMN capi.delivery_status.reason IS
    'Why it waits or was put aside: the pause reason, disabled, the skip reason, or who discarded it';
COMMENT ON COLUMN capi.delivery_status.previous_error IS 'The error of an earlier attempt (history)';
COMMENT ON COLUMN capi.delivery_status.failure_kind IS
    'For failed, discarded or requeued events: transient, permanent (refused by the platform) or local '
    '(refused before sending)';

-- capi.match_quality_report (coverage: share of the events with a usable value; NULL where the platform
-- takes no such key)
COMMENT ON COLUMN capi.match_quality_report.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.match_quality_report.platform IS 'capi.destinations.platform';
COMMENT ON COLUMN capi.match_quality_report.event_name IS 'capi.outbox.event_name';
COMMENT ON COLUMN capi.match_quality_report.day IS 'UTC day of the INSERT (filter on it: indexed)';
COMMENT ON COLUMN capi.match_quality_report.events IS 'Events of that destination, name and day still in the outbox';
COMMENT ON COLUMN capi.match_quality_report.em IS 'Coverage of email';
COMMENT ON COLUMN capi.match_quality_report.ph IS 'Coverage of phone';
COMMENT ON COLUMN capi.match_quality_report.fn IS 'Coverage of first name';
COMMENT ON COLUMN capi.match_quality_report.ln IS 'Coverage of last name';
COMMENT ON COLUMN capi.match_quality_report.ct IS 'Coverage of city';
COMMENT ON COLUMN capi.match_quality_report.st IS 'Coverage of state or region';
COMMENT ON COLUMN capi.match_quality_report.zp IS 'Coverage of postal code';
COMMENT ON COLUMN capi.match_quality_report.country IS 'Coverage of country';
COMMENT ON COLUMN capi.match_quality_report.ge IS 'Coverage of gender';
COMMENT ON COLUMN capi.match_quality_report.db IS 'Coverage of date of birth';
COMMENT ON COLUMN capi.match_quality_report.external_id IS 'Coverage of external_id';
COMMENT ON COLUMN capi.match_quality_report.ip IS 'Coverage of client IP address';
COMMENT ON COLUMN capi.match_quality_report.ua IS 'Coverage of client user agent';
COMMENT ON COLUMN capi.match_quality_report.click_id IS
    'Coverage of the platform''s own click id (Meta fbc, Google gclid/gbraid/wbraid, ...: docs/match-quality.md)';
COMMENT ON COLUMN capi.match_quality_report.browser_id IS
    'Coverage of the platform''s own browser id (Meta fbp, TikTok ttp, ...: docs/match-quality.md)';
COMMENT ON COLUMN capi.match_quality_report.unusable_share IS
    'Of the identifiers given for keys the platform takes, the share that could not be used';
COMMENT ON COLUMN capi.match_quality_report.estimated_score IS
    'Mean estimated match score, 0 to 10 (docs/match-quality.md)';
COMMENT ON COLUMN capi.match_quality_report.below_6 IS 'estimated_score is below 6 (matching is poor)';

-- capi.dedup_audit
COMMENT ON COLUMN capi.dedup_audit.destination IS 'capi.destinations.name';
COMMENT ON COLUMN capi.dedup_audit.day IS 'UTC day of the INSERT or of the rejection';
COMMENT ON COLUMN capi.dedup_audit.events IS 'Events inserted for the destination that day (still in the outbox)';
COMMENT ON COLUMN capi.dedup_audit.rejected_duplicates IS
    'INSERTs rejected that day as duplicates of a taken (event_name, event_id) (ON CONFLICT DO NOTHING)';
COMMENT ON COLUMN capi.dedup_audit.duplicate_share IS 'rejected_duplicates / (events + rejected_duplicates)';
COMMENT ON COLUMN capi.dedup_audit.event_ids_fit IS
    'Events whose id is fit for deduplication against the browser pixel (Google: custom_data.order_id when set)';
COMMENT ON COLUMN capi.dedup_audit.event_id_fit_share IS 'event_ids_fit / events';
COMMENT ON COLUMN capi.dedup_audit.event_id_problems IS
    'Why the other ids are unfit (capi.event_id_problem(): blank, placeholder, small_number, ...)';

-- Sequences, trigger functions, indexes
COMMENT ON SEQUENCE capi.outbox_id_seq IS 'Identity of capi.outbox.id (pg_dump keeps its position)';
COMMENT ON SEQUENCE capi.batches_id_seq IS 'Identity of capi.batches.id (pg_dump keeps its position)';
COMMENT ON SEQUENCE capi.corrections_id_seq IS 'Identity of capi.corrections.id (pg_dump keeps its position)';
COMMENT ON FUNCTION capi.outbox_row_trigger() IS
    'BEFORE INSERT OR UPDATE on capi.outbox: validates the row, hashes user_data, sets txid, created_at and '
    'unusable_identifiers, records rejected duplicates; refuses UPDATE except for capi.correct_failed() and the '
    'rebase';
COMMENT ON FUNCTION capi.destinations_row_trigger() IS
    'BEFORE INSERT OR UPDATE on capi.destinations: checks config, credentials and the endpoint with the '
    'platform''s adapter, and a new or changed endpoint against capi.allowed_endpoint_hosts; messages never '
    'quote a credential';
COMMENT ON FUNCTION capi.destinations_start_cursor() IS
    'AFTER INSERT on capi.destinations: starts the destination''s cursor at the current snapshot (it receives '
    'the events committed after it was created)';
COMMENT ON FUNCTION capi.destinations_changed() IS
    'AFTER each statement on capi.destinations and capi.cluster_identity: wakes the worker and makes every '
    'session read the destinations again';
COMMENT ON FUNCTION capi.outbox_forget_deliveries() IS
    'AFTER DELETE on capi.outbox: deletes the deleted rows'' capi.event_deliveries rows';
COMMENT ON INDEX capi.outbox_txid_id IS 'The delivery cursor''s order: the worker reads new rows by (txid, id)';
COMMENT ON INDEX capi.outbox_created_day IS
    'UTC day of INSERT: capi.match_quality_report and capi.dedup_audit read only the days asked for';
COMMENT ON INDEX capi.batches_range IS
    'A destination''s batches by their last row: the open window''s batches, and an event''s batch';
COMMENT ON INDEX capi.event_deliveries_due IS 'Retrying events by when they are due (the worker''s requeue reads)';
COMMENT ON INDEX capi.event_deliveries_outbox IS
    'Deletes an outbox row''s delivery rows with it (capi.outbox_forget_deliveries)';
COMMENT ON INDEX capi.corrections_outbox IS 'The corrections of an outbox row';
COMMENT ON INDEX capi.rejected_duplicates_day IS
    'UTC day of rejection: capi.dedup_audit''s day filter and the purge';
-- ==== end issue 15: maintainability ====

-- ==== issue 14: bad inputs ====
-- ==== end issue 14: bad inputs ====

-- ==== issue 14: security ====
-- ==== end issue 14: security ====
