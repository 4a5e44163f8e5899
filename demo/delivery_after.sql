\pset footer off
\echo
\echo '== Delivery state is plain SQL'
SELECT destination, status, count(*), max(attempts) AS max_attempts FROM capi.delivery_status GROUP BY 1, 2;
SELECT id, events, status, attempts, trace_id, delivered_at - claimed_at AS send_time
FROM capi.batches ORDER BY id LIMIT 5;
