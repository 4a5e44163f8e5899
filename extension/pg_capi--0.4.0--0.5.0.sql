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
