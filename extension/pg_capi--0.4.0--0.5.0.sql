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

CREATE OR REPLACE VIEW capi.delivery_status AS
SELECT o.event_id,
       o.event_name,
       c.destination,
       CASE
           -- settled: the event's own row, else its batch's outcome (a partial batch's failed events
           -- have rows of their own, so the others were delivered)
           WHEN e.status IN ('delivered', 'failed', 'skipped') THEN e.status
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
           WHEN e.status IN ('delivered', 'failed', 'skipped')
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
           WHEN e.status IN ('delivered', 'failed')
                OR (e.status IS NULL AND b.status IN ('delivered', 'partial', 'failed'))
               THEN NULL
           WHEN c.paused_until > pg_catalog.now() THEN c.pause_reason
           WHEN NOT d.enabled AND (e.status = 'retrying' OR (e.status IS NULL AND b.status IS NULL))
               THEN 'destination disabled (capi.destinations.enabled = false)'
       END AS reason,
       CASE WHEN e.status IS NOT NULL THEN e.previous_error ELSE b.previous_error END AS previous_error
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
    'failed or skipped (reason says why)';

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
                 AND e.status NOT IN ('delivered', 'skipped')) THEN
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
