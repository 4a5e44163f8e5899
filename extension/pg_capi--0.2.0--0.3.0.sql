-- pg_capi 0.2.0 -> 0.3.0: the transactional outbox, destinations, delivery state for the background
-- worker, capi.delivery_status, capi.retry_failed and capi.preview. Design: docs/architecture.md.
\echo Use "ALTER EXTENSION pg_capi UPDATE TO '0.3.0'" to load this file. \quit

-- What applications insert, in the same transaction as the order. Append-only: the row trigger
-- validates each row and replaces user_data by its hashed form, and refuses UPDATE.
CREATE TABLE capi.outbox (
    id bigint GENERATED ALWAYS AS IDENTITY,
    txid xid8 NOT NULL DEFAULT pg_current_xact_id(),  -- set by the trigger: the delivery cursor's key
    event_id text NOT NULL,
    event_name text NOT NULL,
    event_time timestamptz NOT NULL DEFAULT now(),
    action_source text NOT NULL DEFAULT 'website',
    event_source_url text,
    user_data jsonb,
    custom_data jsonb,
    consent jsonb,
    destinations text[],
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT outbox_pkey PRIMARY KEY (id),
    -- The platforms' own deduplication key: an application retry with ON CONFLICT DO NOTHING is a no-op.
    CONSTRAINT outbox_event_key UNIQUE (event_name, event_id)
);
CREATE INDEX outbox_txid_id ON capi.outbox (txid, id);
COMMENT ON TABLE capi.outbox IS
    'Conversions to deliver: insert in the same transaction as the order; identifiers are hashed on INSERT';

CREATE FUNCTION capi.outbox_row_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'capi_outbox_row_trigger'
    LANGUAGE C;
CREATE TRIGGER outbox_validate_and_hash
    BEFORE INSERT OR UPDATE ON capi.outbox
    FOR EACH ROW EXECUTE FUNCTION capi.outbox_row_trigger();

-- Ad-platform accounts to deliver to. Credentials are readable only by the owner and capi_admin.
-- The extension's roles (cluster-wide, so they may exist already): capi_admin manages destinations
-- and reads delivery state; capi_writer only inserts into the outbox.
DO $$
DECLARE
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY['capi_admin', 'capi_writer'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = role_name) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
        END IF;
    END LOOP;
END
$$;

CREATE TABLE capi.destinations (
    name text PRIMARY KEY CHECK (name ~ '^[A-Za-z0-9_.-]{1,63}$'),
    platform text NOT NULL
        CHECK (platform IN ('meta', 'google', 'tiktok', 'linkedin', 'snap', 'reddit', 'pinterest')),
    enabled boolean NOT NULL DEFAULT true,
    config jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(config) = 'object'),
    credentials jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(credentials) = 'object'),
    -- NULL: the platform's real base URL; else replaces scheme, host and port (proxies, tests)
    endpoint text,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE capi.destinations IS
    'Ad-platform accounts to deliver conversions to; credentials are readable only by capi_admin';
REVOKE ALL ON capi.destinations FROM PUBLIC;
GRANT SELECT (name, platform, enabled, config, endpoint, created_at) ON capi.destinations TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON capi.destinations TO capi_admin;

CREATE FUNCTION capi.destinations_row_trigger() RETURNS trigger
    AS 'MODULE_PATHNAME', 'capi_destinations_row_trigger'
    LANGUAGE C;
CREATE TRIGGER destinations_validate
    BEFORE INSERT OR UPDATE ON capi.destinations
    FOR EACH ROW EXECUTE FUNCTION capi.destinations_row_trigger();

CREATE FUNCTION capi.preview(event_id text, destination text) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'capi_preview'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION capi.preview(text, text) IS
    'The exact request body the destination would receive for the outbox events with this event_id (credentials redacted)';

-- Applications insert through capi_writer; it cannot read credentials or delivery internals.
GRANT INSERT ON capi.outbox TO capi_writer, capi_admin;
GRANT SELECT ON capi.outbox TO capi_admin;

-- Delivery state. The outbox is append-only: each destination reads it through a cursor made of
-- transaction snapshots (as PgQ does), so that a row whose transaction commits late is never
-- skipped. Only requests (one row per batch read) and events that left their batch (failed,
-- requeued) get rows of their own.
CREATE TABLE capi.cursors (
    destination text PRIMARY KEY REFERENCES capi.destinations (name) ON UPDATE CASCADE ON DELETE CASCADE,
    origin pg_snapshot NOT NULL,        -- rows visible here predate the destination: not for it
    window_start pg_snapshot NOT NULL,  -- every row visible here is handled
    window_end pg_snapshot,             -- the window being delivered (NULL: none)
    done_txid xid8,                     -- in that window, rows up to (done_txid, done_id) are handled
    done_id bigint,
    paused_until timestamptz,           -- invalid credentials or account: sending is paused
    pause_reason text,
    updated_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE capi.cursors IS 'Delivery position of each destination in capi.outbox (worker state)';

CREATE TABLE capi.batches (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    destination text NOT NULL REFERENCES capi.destinations (name) ON UPDATE CASCADE ON DELETE CASCADE,
    window_start pg_snapshot NOT NULL,
    window_end pg_snapshot NOT NULL,
    first_txid xid8 NOT NULL,
    first_id bigint NOT NULL,
    last_txid xid8 NOT NULL,
    last_id bigint NOT NULL,
    events integer NOT NULL,
    status text NOT NULL CHECK (status IN ('in_flight', 'retrying', 'delivered', 'abandoned')),
    attempts integer NOT NULL DEFAULT 0,
    failed_events integer NOT NULL DEFAULT 0,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    next_attempt_at timestamptz,
    delivered_at timestamptz,
    last_error text,
    trace_id text
);
CREATE INDEX batches_range ON capi.batches (destination, last_txid, last_id);
COMMENT ON TABLE capi.batches IS
    'One row per batch of outbox rows read for a destination: the lease while in flight, then its outcome';

CREATE TABLE capi.event_deliveries (
    destination text NOT NULL REFERENCES capi.destinations (name) ON UPDATE CASCADE ON DELETE CASCADE,
    outbox_id bigint NOT NULL,
    event_id text NOT NULL,
    event_name text NOT NULL,
    status text NOT NULL CHECK (status IN ('retrying', 'in_flight', 'delivered', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    last_attempt_at timestamptz,
    delivered_at timestamptz,
    last_error text,
    trace_id text,
    PRIMARY KEY (destination, outbox_id)
);
CREATE INDEX event_deliveries_due ON capi.event_deliveries (next_attempt_at) WHERE status = 'retrying';
CREATE INDEX event_deliveries_outbox ON capi.event_deliveries (outbox_id);
COMMENT ON TABLE capi.event_deliveries IS
    'Events that left their batch: failed for good, or requeued by capi.retry_failed()';

-- A new destination receives the events committed after it was created.
CREATE FUNCTION capi.destinations_start_cursor() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    INSERT INTO capi.cursors (destination, origin, window_start)
    VALUES (NEW.name, pg_current_snapshot(), pg_current_snapshot());
    RETURN NULL;
END
$$;
CREATE TRIGGER destinations_start_cursor
    AFTER INSERT ON capi.destinations
    FOR EACH ROW EXECUTE FUNCTION capi.destinations_start_cursor();

-- Wakes the delivery worker when the calling transaction commits (outbox rows, destination changes
-- and requeued events do so already).
CREATE FUNCTION capi.wake_worker() RETURNS void
    AS 'MODULE_PATHNAME', 'capi_wake_worker'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION capi.wake_worker() IS 'Wake the delivery worker when this transaction commits';
REVOKE ALL ON FUNCTION capi.wake_worker() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.wake_worker() TO capi_admin;

CREATE FUNCTION capi.destinations_changed() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM capi.wake_worker();
    RETURN NULL;
END
$$;
CREATE TRIGGER destinations_changed
    AFTER INSERT OR UPDATE OR DELETE ON capi.destinations
    FOR EACH STATEMENT EXECUTE FUNCTION capi.destinations_changed();

CREATE VIEW capi.delivery_status AS
SELECT o.event_id,
       o.event_name,
       c.destination,
       CASE
           WHEN e.status IS NOT NULL THEN e.status
           WHEN b.status IN ('in_flight', 'retrying', 'delivered') THEN b.status
           ELSE 'pending'
       END AS status,
       CASE WHEN e.status IS NOT NULL THEN e.attempts ELSE coalesce(b.attempts, 0) END AS attempts,
       CASE WHEN e.status IS NOT NULL THEN e.last_error ELSE b.last_error END AS last_error,
       CASE WHEN e.status IS NOT NULL THEN e.last_attempt_at ELSE b.last_attempt_at END AS last_attempt_at,
       CASE WHEN e.status IS NOT NULL THEN e.delivered_at ELSE b.delivered_at END AS delivered_at,
       CASE WHEN e.status IS NOT NULL THEN e.trace_id ELSE b.trace_id END AS trace_id,
       CASE WHEN e.status IS NOT NULL THEN e.next_attempt_at ELSE b.next_attempt_at END AS next_attempt_at,
       o.id AS outbox_id,
       o.event_time,
       o.created_at
FROM capi.outbox o
JOIN capi.cursors c
    ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
   AND NOT pg_visible_in_snapshot(o.txid, c.origin)
LEFT JOIN capi.event_deliveries e ON e.destination = c.destination AND e.outbox_id = o.id
LEFT JOIN LATERAL (
    SELECT b.status, b.attempts, b.last_error, b.last_attempt_at, b.delivered_at, b.trace_id, b.next_attempt_at
    FROM capi.batches b
    WHERE b.destination = c.destination
      AND (b.last_txid, b.last_id) >= (o.txid, o.id)
      AND (b.first_txid, b.first_id) <= (o.txid, o.id)
      AND b.status <> 'abandoned'  -- a worker's lease that ended with it: the rows were read again
      AND pg_visible_in_snapshot(o.txid, b.window_end)
      AND NOT pg_visible_in_snapshot(o.txid, b.window_start)
    -- Batches of a window do not overlap: the first one ending at or after the row is its batch.
    ORDER BY b.last_txid, b.last_id
    LIMIT 1
) b ON e.status IS NULL;
COMMENT ON VIEW capi.delivery_status IS
    'One row per (outbox event, destination): pending, in_flight, retrying, delivered or failed';

-- Requeues failed deliveries (of one destination, and/or failed since a moment); returns how many.
CREATE FUNCTION capi.retry_failed(destination text DEFAULT NULL, since timestamptz DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    requeued bigint;
BEGIN
    IF destination IS NOT NULL
       AND NOT EXISTS (SELECT FROM capi.destinations d WHERE d.name = retry_failed.destination) THEN
        RAISE EXCEPTION 'destination "%" does not exist', destination USING ERRCODE = 'undefined_object';
    END IF;
    UPDATE capi.event_deliveries e
       SET status = 'retrying', attempts = 0, next_attempt_at = now()
     WHERE e.status = 'failed'
       AND (retry_failed.destination IS NULL OR e.destination = retry_failed.destination)
       AND (retry_failed.since IS NULL OR e.last_attempt_at >= retry_failed.since);
    GET DIAGNOSTICS requeued = ROW_COUNT;
    IF requeued > 0 THEN
        PERFORM capi.wake_worker();
    END IF;
    RETURN requeued;
END
$$;
COMMENT ON FUNCTION capi.retry_failed(text, timestamptz) IS
    'Requeue failed deliveries (all, one destination''s, or those failed since a moment); returns the count';

REVOKE ALL ON capi.cursors, capi.batches, capi.event_deliveries FROM PUBLIC;
GRANT SELECT ON capi.cursors, capi.batches, capi.event_deliveries, capi.delivery_status TO capi_admin;
REVOKE ALL ON FUNCTION capi.retry_failed(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.retry_failed(text, timestamptz) TO capi_admin;
