-- pg_capi 0.1.0: the first release. Never edit a released script: add pg_capi--A--B.sql instead.
\echo Use "CREATE EXTENSION pg_capi" to load this file. \quit

CREATE FUNCTION capi.sha256_hex(input text) RETURNS text
    AS 'MODULE_PATHNAME', 'capi_sha256_hex'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.sha256_hex(text) IS
    'Lowercase hex SHA-256 of the UTF-8 bytes of the input (OpenSSL)';
