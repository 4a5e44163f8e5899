-- pg_capi 0.5.0 -> 0.6.0: backups that restore safely (issue 11), identity on real-world data
-- (issue 12), health and match quality in SQL (issue 13).

-- ==== issue 11: backups (pg_extension_config_dump, restore across clusters) ====

-- ==== end issue 11: backups ====

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

-- ==== issue 13: health (capi.stats, capi_monitor) ====

-- ==== end issue 13: health ====

-- ==== issue 13: match quality (capi.match_quality, capi.match_quality_report, dedup audit) ====

-- ==== end issue 13: match quality ====
