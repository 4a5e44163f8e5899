-- Baseline for bench/drain_bench.sh: the simplest outbox drain a DBA would write without pg_capi.
--
-- The issue describes it as "a SQL procedure that takes 1,000 rows at a time, builds Meta's body with
-- json_agg and sha256, hands it to pg_net's async http_post, deletes the rows". pg_net is not packaged
-- in Debian and cannot be fetched here, so the request is sent with what stock PostgreSQL has:
-- COPY (SELECT body) TO PROGRAM 'curl ...' -- one synchronous curl process per 1,000 events. Everything
-- else is as described: raw identifiers in a plain table, hashed in SQL while building the body.
--
-- mode -- how the request is sent, and what happens when it fails:
--   'ignore' (default) -- synchronous curl; its exit status is ignored and the rows are deleted anyway.
--            This is what the pg_net procedure does on failure: http_post only queues the request and
--            returns an id, the rows are deleted in the same transaction, and the outcome lands in
--            net._http_response, which the simple procedure never reads. A failed request loses its
--            1,000 events.
--   'async'  -- as 'ignore', but the body is written to a file and curl sends it in the background, so that
--            building the next body overlaps sending this one: closer to pg_net's asynchronous
--            http_post (whose background worker sends while the procedure goes on). Failures are not
--            even observable.
--   'abort'  -- synchronous curl -f; a transport error or an HTTP error status makes COPY fail, the
--            batch's transaction rolls back (rows kept) and the CALL ends with the error; the caller
--            CALLs again. Nothing is lost, but a request that reached the server and lost its reply
--            is sent twice (duplicates). This is not what the pg_net procedure does.
--   'pg_net' -- the issue's baseline itself: net.http_post queues the body and pg_net's background
--            worker sends it; a failure lands in net._http_response, never read (as 'ignore'). Only
--            where pg_net is installed (it is not packaged in Debian 12).
-- Needs a superuser (COPY TO PROGRAM); the program runs as the server's OS user.

CREATE TABLE baseline_outbox (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id text NOT NULL,
    event_name text NOT NULL,
    event_time timestamptz NOT NULL DEFAULT now(),
    action_source text NOT NULL DEFAULT 'website',
    event_source_url text,
    email text,  -- raw identifiers: hashed when the request body is built
    phone text,
    client_ip_address text,
    client_user_agent text,
    custom_data jsonb
);

-- The benchmark's events, raw, identical for the baseline and for capi.outbox: prefix || i as event_id.
CREATE FUNCTION bench_raw_events(prefix text, n int)
RETURNS TABLE (event_id text, event_name text, event_source_url text, email text, phone text,
               client_ip_address text, client_user_agent text, custom_data jsonb)
LANGUAGE sql AS $$
    SELECT prefix || i, 'Purchase', 'https://shop.example/p/' || (i % 5000),
           '  Customer.' || i || '@Example.com ', '+1 (650) 555-' || lpad((i % 10000)::text, 4, '0'),
           '203.0.113.' || (1 + i % 250),
           'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36',
           jsonb_build_object('value', 10 + i % 90, 'currency', 'USD', 'order_id', 'o-' || i)
    FROM generate_series(1, n) AS i
$$;

CREATE PROCEDURE baseline_drain(url text, batch_size int DEFAULT 1000, mode text DEFAULT 'ignore')
LANGUAGE plpgsql AS $proc$
DECLARE
    program text;
    lo bigint;
    hi bigint;
    body text;
BEGIN
    program := 'curl -sS -o /dev/null -H ''Content-Type: application/json'' --data-binary @- ';
    CASE mode
        WHEN 'ignore' THEN program := program || quote_literal(url) || ' || true';
        WHEN 'abort' THEN program := program || '-f ' || quote_literal(url);
        -- the body goes to a file (cat starts much faster than curl), curl sends it in the background
        -- (only the last command is asynchronous: sh gives an asynchronous command /dev/null as stdin)
        WHEN 'async' THEN program := 'f=${TMPDIR:-/tmp}/baseline_body.$$; cat >"$f"; { '
            || replace(program, '@-', '@"$f"') || quote_literal(url) || '; rm -f "$f"; } >/dev/null 2>&1 &';
        -- the issue's own baseline: pg_net's asynchronous http_post (only where pg_net is installed;
        -- bench/drain_bench.sh preloads it then and runs this mode, and says it skipped it otherwise)
        WHEN 'pg_net' THEN NULL;
        ELSE RAISE EXCEPTION 'mode must be ignore, async, abort or pg_net';
    END CASE;
    LOOP
        SELECT min(id), max(id) INTO lo, hi
        FROM (SELECT id FROM baseline_outbox ORDER BY id LIMIT batch_size) AS next_batch;
        EXIT WHEN lo IS NULL;

        SELECT json_build_object('data', json_agg(json_build_object(
                   'event_name', event_name,
                   'event_time', extract(epoch FROM event_time)::bigint,
                   'event_id', event_id,
                   'action_source', action_source,
                   'event_source_url', event_source_url,
                   'user_data', json_strip_nulls(json_build_object(
                       'em', CASE WHEN email IS NOT NULL THEN json_build_array(
                                  encode(sha256(convert_to(lower(btrim(email)), 'UTF8')), 'hex')) END,
                       'ph', CASE WHEN phone IS NOT NULL THEN json_build_array(
                                  encode(sha256(convert_to(regexp_replace(phone, '\D', '', 'g'), 'UTF8')), 'hex')) END,
                       'client_ip_address', client_ip_address,
                       'client_user_agent', client_user_agent)),
                   'custom_data', custom_data) ORDER BY id))::text
        INTO body
        FROM baseline_outbox WHERE id BETWEEN lo AND hi;

        -- CSV with a quote and a delimiter that never occur in JSON text: the body goes out verbatim
        -- (text format would double backslashes).
        IF mode = 'pg_net' THEN
            -- queued in net.http_request_queue; pg_net's background worker sends it
            EXECUTE 'SELECT net.http_post(url := $1, body := $2::jsonb)' USING url, body;
        ELSE
            EXECUTE format('COPY (SELECT %L) TO PROGRAM %L WITH (FORMAT csv, QUOTE E''\x01'', DELIMITER E''\x02'')',
                           body, program);
        END IF;
        DELETE FROM baseline_outbox WHERE id BETWEEN lo AND hi;
        COMMIT;
    END LOOP;
END
$proc$;
