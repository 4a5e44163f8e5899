-- pg_capi 0.4.0 -> 0.5.0: six more platforms (issue 9). Events a destination does not send by
-- design are 'skipped', with the reason: consent (ad_user_data denied), or an event name the
-- platform has no mapping for. A skipped event is settled: it is never retried, never counts as a
-- failure, and does not keep its outbox row from being purged.
ALTER TABLE capi.event_deliveries DROP CONSTRAINT event_deliveries_status_check;
ALTER TABLE capi.event_deliveries ADD CONSTRAINT event_deliveries_status_check
    CHECK (status IN ('retrying', 'in_flight', 'delivered', 'failed', 'skipped'));
COMMENT ON COLUMN capi.event_deliveries.status IS
    'retrying, in_flight, delivered, failed (last_error says why) or skipped (not sent by design: '
    'last_error says why, e.g. consent or no mapping for the event name)';

ALTER TABLE capi.batches DROP CONSTRAINT batches_status_check;
ALTER TABLE capi.batches ADD CONSTRAINT batches_status_check
    CHECK (status IN ('in_flight', 'retrying', 'delivered', 'partial', 'failed', 'skipped', 'abandoned'));
ALTER TABLE capi.batches ADD COLUMN skipped_events integer NOT NULL DEFAULT 0;
COMMENT ON COLUMN capi.batches.status IS
    'in_flight, retrying, delivered (every event sent was accepted; skipped_events were not sent by '
    'design), partial (failed_events failed), failed (every event sent failed), skipped (no event was '
    'sent, by design), abandoned (a lease of a stopped worker: its events were read again)';
COMMENT ON COLUMN capi.batches.skipped_events IS
    'Events of the batch not sent by design (consent, no mapping), each with its own capi.event_deliveries row';

-- capi.delivery_status shows skipped events with their reason: it is defined once, below, with the
-- statuses of issue 11 (discarded).

-- ==== issue 11: cred_files (credential files; refuse deleting a destination with undelivered events) ====
-- Deleting a destination cascades to its cursor, batches and capi.event_deliveries rows: its
-- undelivered events would never be delivered and would vanish from capi.delivery_status. So a DELETE
-- is refused (55006) while the destination has any: disable it instead, or deliver or discard them
-- first; SET LOCAL capi.allow_dropping_undelivered = on lets that one transaction drop them.
--
-- Exact and cheap, without the capi.delivery_status view (which reads the whole outbox): an event is
-- undelivered for a destination when it is
--   * not read yet: an outbox row for it after its cursor (not visible in window_start, nor in origin,
--     and not among the rows of the open window already claimed, up to done_txid/done_id). Only rows
--     with txid >= xmin(window_start) can be such rows, so the (txid, id) index bounds the search to
--     the rows committed since the cursor;
--   * claimed into a batch still being sent or waiting for a resend (in_flight, retrying): only the
--     open window's batches can be, and they end at or after xmin(window_start) (batches_range index);
--   * or has a capi.event_deliveries row that is not delivered or skipped (failed, requeued).
CREATE FUNCTION capi.has_undelivered_events(destination text) RETURNS boolean
    LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    c capi.cursors%ROWTYPE;
BEGIN
    IF EXISTS (SELECT FROM capi.event_deliveries e JOIN capi.outbox o ON o.id = e.outbox_id
               WHERE e.destination = has_undelivered_events.destination
                 AND e.status NOT IN ('delivered', 'skipped', 'discarded')) THEN
        RETURN true;
    END IF;
    SELECT * INTO c FROM capi.cursors WHERE capi.cursors.destination = has_undelivered_events.destination;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT FROM capi.batches b
               WHERE b.destination = has_undelivered_events.destination
                 AND b.last_txid >= pg_snapshot_xmin(c.window_start)
                 AND b.status IN ('in_flight', 'retrying')) THEN
        RETURN true;
    END IF;
    RETURN EXISTS (
        SELECT FROM capi.outbox o
        WHERE o.txid >= pg_snapshot_xmin(c.window_start)
          AND NOT pg_visible_in_snapshot(o.txid, c.window_start)
          AND NOT pg_visible_in_snapshot(o.txid, c.origin)
          AND (o.destinations IS NULL OR has_undelivered_events.destination = ANY (o.destinations))
          AND NOT coalesce(c.window_end IS NOT NULL AND pg_visible_in_snapshot(o.txid, c.window_end)
                           AND (o.txid, o.id) <= (c.done_txid, c.done_id), false));
END
$$;
COMMENT ON FUNCTION capi.has_undelivered_events(text) IS
    'True when the destination has events that are not delivered or skipped (pending, in flight, retrying, '
    'paused, disabled or failed): what refuses its DELETE. Uses indexes, not capi.delivery_status';
REVOKE ALL ON FUNCTION capi.has_undelivered_events(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.has_undelivered_events(text) TO capi_admin;

CREATE FUNCTION capi.destinations_refuse_undelivered_delete() RETURNS trigger
    LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT coalesce(nullif(current_setting('capi.allow_dropping_undelivered', true), '')::boolean, false)
       AND capi.has_undelivered_events(OLD.name) THEN
        RAISE EXCEPTION 'destination "%" has undelivered events', OLD.name
            USING ERRCODE = 'object_in_use',
                  DETAIL = 'Deleting it would drop them: they would never be delivered and would no longer '
                           'appear in capi.delivery_status.',
                  HINT = pg_catalog.format(
                      'Disable it instead (UPDATE capi.destinations SET enabled = false WHERE name = %L), '
                      'or let its events be delivered, or discard its failed ones first; to drop them anyway: '
                      'SET LOCAL capi.allow_dropping_undelivered = on in the same transaction.', OLD.name);
    END IF;
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION capi.destinations_refuse_undelivered_delete() IS
    'BEFORE DELETE on capi.destinations: refuses (55006) to delete a destination with undelivered events, '
    'unless capi.allow_dropping_undelivered is on';
REVOKE ALL ON FUNCTION capi.destinations_refuse_undelivered_delete() FROM PUBLIC;
CREATE TRIGGER destinations_refuse_undelivered_delete
    BEFORE DELETE ON capi.destinations
    FOR EACH ROW EXECUTE FUNCTION capi.destinations_refuse_undelivered_delete();
-- ==== issue 11: failed events can be fixed or put away ====
-- A failed event can be corrected and resent under the same event_id (capi.correct_failed, audited in
-- capi.corrections), discarded (capi.discard_failed, or by the worker after capi.failed_retention), and
-- capi.retry_failed leaves the failures that would fail again alone unless asked. The worker records
-- why an event failed in failure_kind.
ALTER TABLE capi.event_deliveries DROP CONSTRAINT event_deliveries_status_check;
ALTER TABLE capi.event_deliveries ADD CONSTRAINT event_deliveries_status_check
    CHECK (status IN ('retrying', 'in_flight', 'delivered', 'failed', 'skipped', 'discarded'));
ALTER TABLE capi.event_deliveries
    ADD COLUMN failure_kind text CHECK (failure_kind IN ('transient', 'permanent', 'local')),
    ADD COLUMN discarded_at timestamptz,
    ADD COLUMN discarded_by text;
COMMENT ON COLUMN capi.event_deliveries.status IS
    'retrying, in_flight, delivered, failed (last_error says why), skipped (not sent by design: '
    'last_error says why, e.g. consent or no mapping for the event name) or discarded (a failed event '
    'put away by capi.discard_failed() or capi.failed_retention: never retried, purgeable; last_error kept)';
COMMENT ON COLUMN capi.event_deliveries.failure_kind IS
    'Why it failed (kept while requeued): transient (gave up after transient errors, or aged out while '
    'being retried), permanent (the platform refused the event), local (refused before sending: '
    'unreadable, cannot be built, refused by the platform''s preflight such as too old); NULL when not '
    'failed or failed before 0.5.0';
COMMENT ON COLUMN capi.event_deliveries.discarded_at IS 'When a failed event was discarded';
COMMENT ON COLUMN capi.event_deliveries.discarded_by IS
    'Who discarded it: the session user that called capi.discard_failed(), or capi.failed_retention';

-- Audit of capi.correct_failed(): what was replaced, when, by whom. Previous values of the non-PII
-- columns are kept; of user_data (hashed identifiers) only a digest. Rows outlive the outbox row.
CREATE TABLE capi.corrections (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outbox_id bigint NOT NULL,
    event_id text NOT NULL,
    event_name text NOT NULL,
    destination text NOT NULL,
    changed_columns text[] NOT NULL,
    previous_custom_data jsonb,
    previous_event_source_url text,
    previous_user_data_sha256 text,
    previous_error text,
    previous_failure_kind text,
    corrected_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
    corrected_by text NOT NULL DEFAULT session_user
);
CREATE INDEX corrections_outbox ON capi.corrections (outbox_id);
COMMENT ON TABLE capi.corrections IS
    'One row per capi.correct_failed() call: the event, the destination it was resent to, the columns '
    'whose stored value changed, their previous values (user_data: SHA-256 of the stored hashed '
    'identifiers, never the values), the failure corrected, when and by which session user';
COMMENT ON COLUMN capi.corrections.changed_columns IS
    'Columns of capi.outbox whose stored value changed (user_data compared after hashing); the previous_* '
    'columns hold the previous values of these columns only';
COMMENT ON COLUMN capi.corrections.previous_user_data_sha256 IS
    'sha256_hex of the previous stored user_data (jsonb text of the hashed identifiers) when it changed';
REVOKE ALL ON capi.corrections FROM PUBLIC;
GRANT SELECT ON capi.corrections TO capi_admin;

-- The one door through the outbox's append-only rule: the row trigger accepts one UPDATE of this row
-- in this transaction (and validates and hashes it as an INSERT). Only the owner may call it.
CREATE FUNCTION capi.allow_outbox_correction(outbox_id bigint) RETURNS void
    AS 'MODULE_PATHNAME', 'capi_allow_outbox_correction'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION capi.allow_outbox_correction(bigint) IS
    'Internal (capi.correct_failed): let the outbox trigger accept one correction of this row in this transaction';
REVOKE ALL ON FUNCTION capi.allow_outbox_correction(bigint) FROM PUBLIC;

-- Corrects a failed event and resends it to one destination under the same event_id. NULL keeps a
-- column. user_data is hashed by the outbox trigger exactly as on INSERT (raw identifiers never rest).
CREATE FUNCTION capi.correct_failed(event_id text, destination text, user_data jsonb DEFAULT NULL,
                                    custom_data jsonb DEFAULT NULL, event_source_url text DEFAULT NULL,
                                    event_name text DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    matches bigint;
    old_row capi.outbox;
    new_row capi.outbox;
    delivery capi.event_deliveries;
    current_status text;
    changed text[] := '{}';
    correction_id bigint;
BEGIN
    IF correct_failed.event_id IS NULL OR correct_failed.destination IS NULL THEN
        RAISE EXCEPTION 'event_id and destination are required' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF correct_failed.user_data IS NULL AND correct_failed.custom_data IS NULL
       AND correct_failed.event_source_url IS NULL THEN
        RAISE EXCEPTION 'nothing to correct'
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass user_data, custom_data or event_source_url (NULL keeps a column); '
                         'capi.retry_failed() resends an event unchanged.';
    END IF;
    IF NOT EXISTS (SELECT FROM capi.destinations d WHERE d.name = correct_failed.destination) THEN
        RAISE EXCEPTION 'destination "%" does not exist', correct_failed.destination
            USING ERRCODE = 'undefined_object';
    END IF;
    SELECT count(*) INTO matches FROM capi.outbox o
     WHERE o.event_id = correct_failed.event_id
       AND (correct_failed.event_name IS NULL OR o.event_name = correct_failed.event_name);
    IF matches = 0 THEN
        RAISE EXCEPTION 'no event with event_id "%"%', correct_failed.event_id,
                        CASE WHEN correct_failed.event_name IS NOT NULL
                             THEN format(' and event_name "%s"', correct_failed.event_name) ELSE '' END
            USING ERRCODE = 'no_data_found',
                  HINT = 'capi.delivery_status lists the events still in capi.outbox (delivered and '
                         'discarded ones are purged after capi.delivered_retention).';
    ELSIF matches > 1 THEN
        RAISE EXCEPTION 'event_id "%" names % events', correct_failed.event_id, matches
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Pass event_name too.';
    END IF;
    SELECT o.* INTO old_row FROM capi.outbox o
     WHERE o.event_id = correct_failed.event_id
       AND (correct_failed.event_name IS NULL OR o.event_name = correct_failed.event_name)
     FOR UPDATE;
    SELECT e.* INTO delivery FROM capi.event_deliveries e
     WHERE e.destination = correct_failed.destination AND e.outbox_id = old_row.id
     FOR UPDATE;
    IF delivery.status IS DISTINCT FROM 'failed' THEN
        SELECT s.status INTO current_status FROM capi.delivery_status s
         WHERE s.outbox_id = old_row.id AND s.destination = correct_failed.destination;
        RAISE EXCEPTION 'event "%" has not failed at destination "%" (status: %)',
                        correct_failed.event_id, correct_failed.destination,
                        coalesce(current_status, 'not for this destination')
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = CASE coalesce(current_status, '')
                      WHEN 'delivered' THEN 'The platform has it: a changed event needs a new event_id.'
                      WHEN 'discarded' THEN 'It was discarded; only failed events can be corrected.'
                      WHEN '' THEN 'The event''s destinations do not include this destination.'
                      ELSE 'Only failed events can be corrected; this one is still being delivered.'
                  END;
    END IF;

    PERFORM capi.allow_outbox_correction(old_row.id);
    UPDATE capi.outbox o
       SET user_data = coalesce(correct_failed.user_data, o.user_data),
           custom_data = coalesce(correct_failed.custom_data, o.custom_data),
           event_source_url = coalesce(correct_failed.event_source_url, o.event_source_url)
     WHERE o.id = old_row.id
    RETURNING o.* INTO new_row;

    IF new_row.user_data IS DISTINCT FROM old_row.user_data THEN
        changed := changed || 'user_data'::text;
    END IF;
    IF new_row.custom_data IS DISTINCT FROM old_row.custom_data THEN
        changed := changed || 'custom_data'::text;
    END IF;
    IF new_row.event_source_url IS DISTINCT FROM old_row.event_source_url THEN
        changed := changed || 'event_source_url'::text;
    END IF;
    INSERT INTO capi.corrections (outbox_id, event_id, event_name, destination, changed_columns,
                                  previous_custom_data, previous_event_source_url, previous_user_data_sha256,
                                  previous_error, previous_failure_kind)
    VALUES (old_row.id, old_row.event_id, old_row.event_name, correct_failed.destination, changed,
            CASE WHEN 'custom_data' = ANY (changed) THEN old_row.custom_data END,
            CASE WHEN 'event_source_url' = ANY (changed) THEN old_row.event_source_url END,
            CASE WHEN 'user_data' = ANY (changed) AND old_row.user_data IS NOT NULL
                 THEN capi.sha256_hex(old_row.user_data::text) END,
            delivery.last_error, delivery.failure_kind)
    RETURNING id INTO correction_id;

    UPDATE capi.event_deliveries e
       SET status = 'retrying', attempts = 0, next_attempt_at = now()
     WHERE e.destination = correct_failed.destination AND e.outbox_id = old_row.id;
    PERFORM capi.wake_worker();
    RETURN correction_id;
END
$$;
COMMENT ON FUNCTION capi.correct_failed(text, text, jsonb, jsonb, text, text) IS
    'Correct a failed event (user_data hashed as on INSERT, custom_data, event_source_url; NULL keeps a '
    'column) and resend it to the destination under the same event_id; audited in capi.corrections; '
    'returns the correction''s id';
REVOKE ALL ON FUNCTION capi.correct_failed(text, text, jsonb, jsonb, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.correct_failed(text, text, jsonb, jsonb, text, text) TO capi_admin;

-- Puts failed events away: never retried, settled, purged with the delivered ones.
CREATE FUNCTION capi.discard_failed(destination text DEFAULT NULL, since timestamptz DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    discarded bigint;
BEGIN
    IF destination IS NOT NULL
       AND NOT EXISTS (SELECT FROM capi.destinations d WHERE d.name = discard_failed.destination) THEN
        RAISE EXCEPTION 'destination "%" does not exist', destination USING ERRCODE = 'undefined_object';
    END IF;
    UPDATE capi.event_deliveries e
       SET status = 'discarded', discarded_at = now(), discarded_by = session_user::text, next_attempt_at = NULL
     WHERE e.status = 'failed'
       AND (discard_failed.destination IS NULL OR e.destination = discard_failed.destination)
       AND (discard_failed.since IS NULL OR e.last_attempt_at >= discard_failed.since);
    GET DIAGNOSTICS discarded = ROW_COUNT;
    RETURN discarded;
END
$$;
COMMENT ON FUNCTION capi.discard_failed(text, timestamptz) IS
    'Discard failed deliveries (all, one destination''s, or those failed since a moment): never retried, '
    'purgeable; records who and when in capi.event_deliveries; returns the count';
REVOKE ALL ON FUNCTION capi.discard_failed(text, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.discard_failed(text, timestamptz) TO capi_admin;

-- retry_failed leaves the failures that would fail again (permanent, local) alone unless asked; the
-- 0- to 2-argument calls keep working. Failures recorded before 0.5.0 (failure_kind NULL) are retried.
DROP FUNCTION capi.retry_failed(text, timestamptz);
CREATE FUNCTION capi.retry_failed(destination text DEFAULT NULL, since timestamptz DEFAULT NULL,
                                  include_permanent boolean DEFAULT false)
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
       AND (retry_failed.since IS NULL OR e.last_attempt_at >= retry_failed.since)
       AND (coalesce(retry_failed.include_permanent, false)
            OR e.failure_kind IS NULL OR e.failure_kind = 'transient');
    GET DIAGNOSTICS requeued = ROW_COUNT;
    IF requeued > 0 THEN
        PERFORM capi.wake_worker();
    END IF;
    RETURN requeued;
END
$$;
COMMENT ON FUNCTION capi.retry_failed(text, timestamptz, boolean) IS
    'Requeue failed deliveries (all, one destination''s, or those failed since a moment); permanent and '
    'local failures (failure_kind) only with include_permanent; returns the count';
REVOKE ALL ON FUNCTION capi.retry_failed(text, timestamptz, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION capi.retry_failed(text, timestamptz, boolean) TO capi_admin;

CREATE OR REPLACE VIEW capi.delivery_status AS
SELECT o.event_id,
       o.event_name,
       c.destination,
       CASE
           -- settled: the event's own row, else its batch's outcome (a partial batch's failed events
           -- have rows of their own, so the others were delivered)
           WHEN e.status IN ('delivered', 'failed', 'skipped', 'discarded') THEN e.status
           WHEN e.status IS NULL AND b.status IN ('delivered', 'partial') THEN 'delivered'
           WHEN e.status IS NULL AND b.status = 'failed' THEN 'failed'
           -- waiting: a destination that is paused sends nothing; a disabled one takes nothing new
           WHEN c.paused_until > pg_catalog.now() THEN 'paused'
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'disabled'
           WHEN e.status IS NOT NULL THEN e.status
           WHEN b.status IN ('in_flight', 'retrying') THEN b.status
           ELSE 'pending'
       END AS status,
       CASE WHEN e.status IS NOT NULL THEN e.attempts ELSE coalesce(b.attempts, 0) END AS attempts,
       CASE WHEN e.status IS NOT NULL THEN e.last_error ELSE b.last_error END AS last_error,
       CASE WHEN e.status IS NOT NULL THEN e.last_attempt_at ELSE b.last_attempt_at END AS last_attempt_at,
       CASE WHEN e.status IS NOT NULL THEN e.delivered_at ELSE b.delivered_at END AS delivered_at,
       CASE WHEN e.status IS NOT NULL THEN e.trace_id ELSE b.trace_id END AS trace_id,
       CASE
           WHEN e.status IN ('delivered', 'failed', 'skipped', 'discarded')
                OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.paused_until
           WHEN e.status IS NOT NULL THEN e.next_attempt_at
           ELSE b.next_attempt_at
       END AS next_attempt_at,
       o.id AS outbox_id,
       o.event_time,
       o.created_at,
       CASE
           WHEN e.status = 'skipped' THEN e.last_error
           WHEN e.status = 'discarded' THEN 'discarded by ' || coalesce(e.discarded_by, 'unknown')
           WHEN e.status IN ('delivered', 'failed')
                OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.pause_reason
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'destination disabled (capi.destinations.enabled = false)'
       END AS reason,
       CASE WHEN e.status IS NOT NULL THEN e.previous_error ELSE b.previous_error END AS previous_error,
       CASE WHEN e.status IN ('failed', 'discarded', 'retrying', 'in_flight') THEN e.failure_kind END
           AS failure_kind
FROM capi.outbox o
JOIN capi.cursors c
    ON (o.destinations IS NULL OR c.destination = ANY (o.destinations))
   AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, c.origin)
JOIN capi.destinations d ON d.name = c.destination
LEFT JOIN capi.event_deliveries e ON e.destination = c.destination AND e.outbox_id = o.id
LEFT JOIN LATERAL (
    SELECT b.status, b.attempts, b.last_error, b.last_attempt_at, b.delivered_at, b.trace_id, b.next_attempt_at,
           b.previous_error
    FROM capi.batches b
    WHERE b.destination = c.destination
      AND (b.last_txid, b.last_id) >= (o.txid, o.id)
      AND (b.first_txid, b.first_id) <= (o.txid, o.id)
      AND b.status <> 'abandoned'  -- a worker's lease that ended with it: the rows were read again
      AND pg_catalog.pg_visible_in_snapshot(o.txid, b.window_end)
      AND NOT pg_catalog.pg_visible_in_snapshot(o.txid, b.window_start)
    -- Batches of a window do not overlap: the first one ending at or after the row is its batch.
    ORDER BY b.last_txid, b.last_id
    LIMIT 1
) b ON e.status IS NULL;
COMMENT ON VIEW capi.delivery_status IS
    'One row per (outbox event, destination): pending, in_flight, retrying, paused, disabled, delivered, '
    'failed, skipped or discarded (reason says why); failure_kind says why an event failed';
