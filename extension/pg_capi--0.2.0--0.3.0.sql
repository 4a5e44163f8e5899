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
