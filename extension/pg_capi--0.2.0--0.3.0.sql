-- pg_capi 0.2.0 -> 0.3.0 (IN DEVELOPMENT, not the default version yet): the transactional outbox.
-- Delivery (destinations, worker, delivery_status) is being built; see docs/architecture.md.
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
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'capi_admin') THEN
        CREATE ROLE capi_admin NOLOGIN;
    END IF;
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
