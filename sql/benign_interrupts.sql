-- Interrupts that cancel nothing (here a memory-context log request, which sets PostgreSQL's
-- InterruptPending as a sinval catch-up or a proc-signal barrier does) must not cancel pg_capi's work:
-- the core stops only for a cancel, a statement_timeout or a terminate. Each row below asks for one
-- while its user_data is being hashed; before the fix the INSERT failed with "canceling statement
-- due to an interrupt".
SET client_min_messages = warning;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT 'benign-' || g, 'Lead', 'https://shop.example/p',
       jsonb_build_object('email', CASE WHEN pg_log_backend_memory_contexts(pg_backend_pid())
                                        THEN 'Customer' || g || '@Example.com' END,
                          'phone', '+1 650 555 0101', 'client_user_agent', 'Mozilla/5.0'),
       '{}'
FROM generate_series(1, 5) g;
SELECT count(*) AS inserted,
       count(*) FILTER (WHERE user_data->'email'->>0 = encode(sha256(convert_to('customer' || substr(event_id, 8) || '@example.com', 'UTF8')), 'hex')) AS hashed_as_usual
FROM capi.outbox WHERE event_id LIKE 'benign-%';
SELECT count(capi.hash('email', CASE WHEN pg_log_backend_memory_contexts(pg_backend_pid()) THEN 'a@b.com' END)) AS hashed
FROM generate_series(1, 5);
-- A real cancel still stops it: statement_timeout.
SET statement_timeout = '1ms';
SELECT count(capi.hash('email', 'Customer' || g || '@Example.com')) FROM generate_series(1, 10000000) g;
RESET statement_timeout;
DELETE FROM capi.outbox WHERE event_id LIKE 'benign-%';
