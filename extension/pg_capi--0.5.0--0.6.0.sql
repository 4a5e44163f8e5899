-- pg_capi 0.5.0 -> 0.6.0: backups that restore safely (issue 11), identity on real-world data
-- (issue 12), health and match quality in SQL (issue 13).

-- ==== issue 11: backups (pg_extension_config_dump, restore across clusters) ====

-- ==== end issue 11: backups ====

-- ==== issue 12: identity ====

-- ==== end issue 12: identity ====

-- ==== issue 13: health (capi.stats, capi_monitor) ====

-- ==== end issue 13: health ====

-- ==== issue 13: match quality (capi.match_quality, capi.match_quality_report, dedup audit) ====

-- ==== end issue 13: match quality ====

-- ==== issue 13: dry run ====
-- capi.dry_run sends a destination's next pending events (not yet read by the worker) to the
-- platform's test or validate mode and returns its verdict per event, writing nothing: the worker
-- delivers the same events normally afterwards. It reads the destination's credentials (and credential
-- files), so it is for capi_admin only. LinkedIn has no test mode: refused (0A000). Design and each
-- platform's mode: README "Try before sending".
CREATE FUNCTION capi.dry_run(destination text, n integer DEFAULT 10, test_code text DEFAULT NULL)
    RETURNS TABLE (outbox_id bigint, event_id text, event_name text, accepted boolean, verdict text,
                   message text)
    LANGUAGE c VOLATILE CALLED ON NULL INPUT
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'capi_dry_run';
COMMENT ON FUNCTION capi.dry_run(text, integer, text) IS
    'Sends the destination''s next n pending events (1 to 1000) to the platform''s test or validate mode '
    '(Meta/TikTok test_event_code and Reddit test_id: test_code or the config''s; Google validateOnly, Snap '
    '/events/validate, Pinterest ?test=true) and returns one row per event: accepted, verdict (accepted, '
    'rejected, invalid, skipped, error) and the platform''s message, credentials redacted. Changes no '
    'delivery state. LinkedIn has no test mode (0A000)';
REVOKE ALL ON FUNCTION capi.dry_run(text, integer, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.dry_run(text, integer, text) TO capi_admin;
-- ==== end issue 13: dry run ====
