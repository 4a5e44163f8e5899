\pset footer off
\echo
\echo '== Delivery state is plain SQL'
SELECT destination, status, count(*), max(attempts) AS max_attempts FROM capi.delivery_status GROUP BY 1, 2 ORDER BY 1, 2;
SELECT destination, status, reason FROM capi.delivery_status WHERE event_id = 'order-denied' ORDER BY 1;
SELECT destination, count(*) AS batches, max(events) AS largest, sum(skipped_events) AS skipped,
       max(delivered_at - claimed_at) AS slowest_send
FROM capi.batches GROUP BY 1 ORDER BY 1;
