-- pg_capi 0.5.0 -> 0.6.0: backups that restore safely (issue 11), identity on real-world data
-- (issue 12), health and match quality in SQL (issue 13).

-- ==== issue 11: backups (pg_extension_config_dump, restore across clusters) ====

-- ==== end issue 11: backups ====

-- ==== issue 12: identity ====

-- ==== end issue 12: identity ====

-- ==== issue 13: health (capi.stats, capi_monitor) ====

-- ==== end issue 13: health ====

-- ==== issue 13: match quality (capi.match_quality, capi.match_quality_report, dedup audit) ====
-- Match quality before and after sending (docs/match-quality.md): capi.match_quality() estimates a
-- platform's 0-10 match score of one event's identifiers; capi.match_quality_report shows coverage and
-- the estimated score per destination, event name and day from what the outbox keeps (digests, no raw
-- PII); capi.dedup_audit counts the duplicate inserts ON CONFLICT DO NOTHING silently rejected and the
-- event ids fit for deduplication against the browser pixel.

-- What an INSERT could not use. The outbox keeps only the identifiers it could normalize, so a failed
-- one would leave no trace: the row trigger records the user_data keys given with a value of which no
-- platform can use any (an email that is no address, an invalid IP, the SHA-256 of ""). NULL when none
-- (no storage cost on the common row). Set by the trigger on INSERT and correction, whatever the
-- statement says; writers cannot insert it (their INSERT grant names columns) but may read it on their
-- own rows (RETURNING *, the 0.4.0 row policy).
ALTER TABLE capi.outbox ADD COLUMN unusable_identifiers text[];
COMMENT ON COLUMN capi.outbox.unusable_identifiers IS
    'user_data keys given with a value no platform can use (not normalizable, invalid IP, SHA-256 of ""), '
    'set by the INSERT trigger; NULL when none';
GRANT SELECT (unusable_identifiers) ON capi.outbox TO capi_writer;

-- The report views group by the UTC day a row was inserted; a time-bounded WHERE on day reads only
-- those days through this index (one more btree entry per INSERT: docs/match-quality.md "Cost").
CREATE INDEX outbox_created_day ON capi.outbox (((created_at AT TIME ZONE 'UTC')::date));

CREATE FUNCTION capi.match_quality(user_data jsonb, platform text DEFAULT 'meta') RETURNS jsonb
    AS 'MODULE_PATHNAME', 'capi_match_quality'
    LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_quality(jsonb, text) IS
    'Estimated 0-10 match score of raw or hashed identifiers for a platform, each identifier''s status and '
    'contribution, and what to add or fix to raise it (docs/match-quality.md)';

-- The per-row functions of the views (also usable on their own). They run no SQL.
CREATE FUNCTION capi.match_keys(user_data jsonb, unusable_identifiers text[], platform text) RETURNS bigint
    AS 'MODULE_PATHNAME', 'capi_match_keys'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_keys(jsonb, text[], text) IS
    'Which match keys a stored identity bag carries for a platform: bits 0-14 usable (em ph fn ln ct st zp '
    'country ge db external_id ip ua click_id browser_id), bits 16-30 given but unusable, bits 32-39 and '
    '40-47 their counts';
CREATE FUNCTION capi.match_score(match_keys bigint, platform text) RETURNS real
    AS 'MODULE_PATHNAME', 'capi_match_score'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_score(bigint, text) IS
    'Estimated 0-10 match score of the usable keys in a capi.match_keys() value';
CREATE FUNCTION capi.match_keys_used(platform text) RETURNS integer
    AS 'MODULE_PATHNAME', 'capi_match_keys_used'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION capi.match_keys_used(text) IS
    'The match keys (capi.match_keys() bits 0-14) a platform is sent from the outbox';
CREATE FUNCTION capi.event_id_problem(event_id text, event_time timestamptz) RETURNS text
    AS 'MODULE_PATHNAME', 'capi_event_id_problem'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION capi.event_id_problem(text, timestamptz) IS
    'Why an event id is unfit for deduplication against the browser pixel (blank, whitespace, placeholder, '
    'template, small_number, timestamp); NULL when fit';

CREATE VIEW capi.match_quality_report AS
SELECT r.destination,
       r.platform,
       r.event_name,
       r.day,
       pg_catalog.count(*) AS events,
       -- coverage: the share of events carrying a usable value; NULL where the platform takes no such key
       CASE WHEN capi.match_keys_used(r.platform) & 1 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 1 <> 0)::numeric / pg_catalog.count(*), 3) END AS em,
       CASE WHEN capi.match_keys_used(r.platform) & 2 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 2 <> 0)::numeric / pg_catalog.count(*), 3) END AS ph,
       CASE WHEN capi.match_keys_used(r.platform) & 4 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 4 <> 0)::numeric / pg_catalog.count(*), 3) END AS fn,
       CASE WHEN capi.match_keys_used(r.platform) & 8 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 8 <> 0)::numeric / pg_catalog.count(*), 3) END AS ln,
       CASE WHEN capi.match_keys_used(r.platform) & 16 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 16 <> 0)::numeric / pg_catalog.count(*), 3) END AS ct,
       CASE WHEN capi.match_keys_used(r.platform) & 32 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 32 <> 0)::numeric / pg_catalog.count(*), 3) END AS st,
       CASE WHEN capi.match_keys_used(r.platform) & 64 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 64 <> 0)::numeric / pg_catalog.count(*), 3) END AS zp,
       CASE WHEN capi.match_keys_used(r.platform) & 128 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 128 <> 0)::numeric / pg_catalog.count(*), 3) END AS country,
       CASE WHEN capi.match_keys_used(r.platform) & 256 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 256 <> 0)::numeric / pg_catalog.count(*), 3) END AS ge,
       CASE WHEN capi.match_keys_used(r.platform) & 512 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 512 <> 0)::numeric / pg_catalog.count(*), 3) END AS db,
       CASE WHEN capi.match_keys_used(r.platform) & 1024 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 1024 <> 0)::numeric / pg_catalog.count(*), 3) END AS external_id,
       CASE WHEN capi.match_keys_used(r.platform) & 2048 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 2048 <> 0)::numeric / pg_catalog.count(*), 3) END AS ip,
       CASE WHEN capi.match_keys_used(r.platform) & 4096 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 4096 <> 0)::numeric / pg_catalog.count(*), 3) END AS ua,
       CASE WHEN capi.match_keys_used(r.platform) & 8192 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 8192 <> 0)::numeric / pg_catalog.count(*), 3) END AS click_id,
       CASE WHEN capi.match_keys_used(r.platform) & 16384 <> 0
            THEN pg_catalog.round(pg_catalog.count(*) FILTER (WHERE r.keys & 16384 <> 0)::numeric / pg_catalog.count(*), 3) END AS browser_id,
       -- of the identifiers given for the keys the platform takes, the share that could not be used
       pg_catalog.round(pg_catalog.sum((r.keys >> 40) & 255)::numeric
             / NULLIF(pg_catalog.sum(((r.keys >> 32) & 255) + ((r.keys >> 40) & 255)), 0), 3) AS unusable_share,
       pg_catalog.round(pg_catalog.avg(capi.match_score(r.keys, r.platform))::numeric, 1) AS estimated_score,
       pg_catalog.round(pg_catalog.avg(capi.match_score(r.keys, r.platform))::numeric, 1) < 6 AS below_6
FROM (
    SELECT d.name AS destination,
           d.platform,
           o.event_name,
           (o.created_at AT TIME ZONE 'UTC')::date AS day,
           k.keys
    FROM capi.outbox o
    JOIN capi.cursors c
        ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
       AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
    JOIN capi.destinations d ON d.name = c.destination
    -- In FROM, so that it runs once per row and destination: as an output column of this subquery it
    -- would be copied into each of the aggregates above and run twenty times.
    CROSS JOIN LATERAL capi.match_keys(o.user_data, o.unusable_identifiers, d.platform) AS k(keys)
) r
GROUP BY r.destination, r.platform, r.event_name, r.day;
COMMENT ON VIEW capi.match_quality_report IS
    'Per destination, event name and UTC day of INSERT: events, coverage of each match key (NULL: not used by '
    'the platform), share of given identifiers that were unusable, the mean estimated match score and '
    'whether it is below 6. Filter on day: an index serves it (docs/match-quality.md)';

-- Rejected duplicate inserts: the INSERT trigger records a row here for each destination of an event
-- whose (event_name, event_id) is already taken (ON CONFLICT DO NOTHING then skips it silently). It
-- is written in the inserting statement, so a plain INSERT that fails with 23505 leaves nothing, and
-- only by the trigger (as the table's owner): no role may write it. Purged with the delivered events
-- (capi.delivered_retention, whole UTC days).
CREATE TABLE capi.rejected_duplicates (
    destination text NOT NULL REFERENCES capi.destinations (name) ON UPDATE CASCADE ON DELETE CASCADE,
    event_name text NOT NULL,
    event_id text NOT NULL,
    rejected_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX rejected_duplicates_day ON capi.rejected_duplicates (((rejected_at AT TIME ZONE 'UTC')::date));
COMMENT ON TABLE capi.rejected_duplicates IS
    'One row per destination of each INSERT into capi.outbox rejected as a duplicate of a taken '
    '(event_name, event_id) (ON CONFLICT DO NOTHING); written by the INSERT trigger, purged after '
    'capi.delivered_retention';
REVOKE ALL ON capi.rejected_duplicates FROM PUBLIC;
GRANT SELECT ON capi.rejected_duplicates TO capi_admin;
GRANT SELECT, DELETE ON capi.rejected_duplicates TO capi_worker;

CREATE VIEW capi.dedup_audit AS
SELECT a.destination,
       a.day,
       pg_catalog.sum(a.events)::bigint AS events,
       pg_catalog.sum(a.rejected)::bigint AS rejected_duplicates,
       pg_catalog.round(pg_catalog.sum(a.rejected)::numeric / NULLIF(pg_catalog.sum(a.events) + pg_catalog.sum(a.rejected), 0), 4)
           AS duplicate_share,
       pg_catalog.sum(a.fit)::bigint AS event_ids_fit,
       pg_catalog.round(pg_catalog.sum(a.fit)::numeric / NULLIF(pg_catalog.sum(a.events), 0), 4) AS event_id_fit_share,
       pg_catalog.array_agg(DISTINCT a.problem) FILTER (WHERE a.problem IS NOT NULL) AS event_id_problems
FROM (
    SELECT e.destination, e.day, 1 AS events, 0 AS rejected, CASE WHEN e.problem IS NULL THEN 1 ELSE 0 END AS fit,
           e.problem
    FROM (
        SELECT c.destination,
               (o.created_at AT TIME ZONE 'UTC')::date AS day,
               p.problem
        FROM capi.outbox o
        JOIN capi.cursors c
            ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
           AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
        JOIN capi.destinations d ON d.name = c.destination
        -- the platform's deduplication key: Google's transaction id is custom_data.order_id when set
        -- (in FROM: evaluated once per row and destination)
        CROSS JOIN LATERAL capi.event_id_problem(CASE WHEN d.platform = 'google'
                                                      THEN coalesce(o.custom_data ->> 'order_id', o.event_id)
                                                      ELSE o.event_id END,
                                                 o.event_time) AS p(problem)
    ) e
    UNION ALL
    SELECT r.destination, (r.rejected_at AT TIME ZONE 'UTC')::date, 0, 1, 0, NULL
    FROM capi.rejected_duplicates r
) a
GROUP BY a.destination, a.day;
COMMENT ON VIEW capi.dedup_audit IS
    'Per destination and UTC day: events inserted, duplicate inserts rejected (ON CONFLICT DO NOTHING), '
    'their share of all attempts, and the events whose id is fit for deduplication against the browser '
    'pixel, with the problems of the others (docs/match-quality.md)';

-- Aggregates only, never an identifier or a credential: operators read them; writers do not (they
-- would see other applications' traffic).
REVOKE ALL ON capi.match_quality_report, capi.dedup_audit FROM PUBLIC;
GRANT SELECT ON capi.match_quality_report, capi.dedup_audit TO capi_admin;
-- capi_monitor: GRANT SELECT ON capi.match_quality_report TO capi_monitor;
-- capi_monitor: GRANT SELECT ON capi.dedup_audit TO capi_monitor;
-- (The functions above are executable by PUBLIC, capi_monitor included: they read only their arguments.)

-- ==== end issue 13: match quality ====
