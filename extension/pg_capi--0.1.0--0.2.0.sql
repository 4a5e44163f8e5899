-- pg_capi 0.1.0 -> 0.2.0: identifier normalization and hashing per platform.
\echo Use "ALTER EXTENSION pg_capi UPDATE TO '0.2.0'" to load this file. \quit

-- STABLE, not IMMUTABLE: a NULL region means the setting capi.default_region.
CREATE FUNCTION capi.normalize(field text, value text, platform text DEFAULT 'meta', region text DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'capi_normalize'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.normalize(text, text, text, text) IS
    'Normalize an identifier (email, phone, first_name, ...) as the platform requires; NULL when it cannot be normalized';

CREATE FUNCTION capi.hash(field text, value text, platform text DEFAULT 'meta', region text DEFAULT NULL)
    RETURNS text
    AS 'MODULE_PATHNAME', 'capi_hash'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.hash(text, text, text, text) IS
    'Lowercase hex SHA-256 of capi.normalize(...); an existing SHA-256 hex digest is returned lowercased, not hashed again';

CREATE FUNCTION capi.user_data(identifiers jsonb, platform text DEFAULT 'meta', region text DEFAULT NULL)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'capi_user_data'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.user_data(jsonb, text, text) IS
    'The platform''s user-identifier object built from raw or hashed identifiers, with the platform''s key names';

-- Analysts are ordinary roles: the identity functions are theirs to call (EXECUTE is PUBLIC's by default).
GRANT USAGE ON SCHEMA capi TO PUBLIC;
