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
-- ==== end issue 13: operations ====

-- ==== issue 15: maintainability ====
-- ==== end issue 15: maintainability ====

-- ==== issue 14: bad inputs ====
-- ==== end issue 14: bad inputs ====

-- ==== issue 14: security ====
-- ==== end issue 14: security ====
