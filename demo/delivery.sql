-- Part two of the demo: delivery. Variables: url (the stand-in platforms), count.
\pset footer off
\echo
\echo '== Seven platforms, eight destinations (Google twice: Data Manager and the Ads API), all pointing'
\echo '   at the loopback stand-in instead of the real APIs (production leaves endpoint NULL)'
\ir all_platforms.sql
SELECT name, platform, config FROM capi.destinations ORDER BY name;

\echo
\echo '== The shop: orders and their conversions are written in the same transaction'
CREATE TABLE orders (id bigint PRIMARY KEY, email text, phone text, total numeric);
BEGIN;
INSERT INTO orders
SELECT g, 'Customer.' || g || '@Example.com', '+1 (650) 555-' || lpad((g % 10000)::text, 4, '0'), 20 + g % 80
FROM generate_series(1, :count) g;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT 'order-' || id, 'Purchase', 'https://shop.example/checkout',
       jsonb_build_object('email', email, 'phone', phone, 'first_name', 'Mary', 'country', 'US',
                          'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0',
                          'gclid', 'Cj0KCQ-demo-' || id),
       jsonb_build_object('value', total, 'currency', 'USD', 'order_id', id::text)
FROM orders;
COMMIT;
\echo 'An application retry is a no-op (the platforms'' own dedup key is unique):'
INSERT INTO capi.outbox (event_id, event_name, event_source_url)
VALUES ('order-1', 'Purchase', 'https://shop.example/checkout') ON CONFLICT DO NOTHING;
\echo 'Consent is enforced: a person who denied ad_user_data reaches Google as DENIED without identifiers,'
\echo 'and no other platform:'
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, consent)
VALUES ('order-denied', 'Purchase', 'https://shop.example/checkout',
        '{"email": "private@example.com", "client_user_agent": "Mozilla/5.0", "gclid": "Cj0KCQ-denied"}',
        '{"value": 10, "currency": "USD", "order_id": "denied"}', '{"ad_user_data": "denied"}');

\echo
\echo '== Raw PII never rests in the outbox: user_data holds hashes'
SELECT event_id, left(user_data::text, 140) || '...' AS stored_user_data FROM capi.outbox ORDER BY id LIMIT 1;
SELECT count(*) AS rows_with_raw_email FROM capi.outbox WHERE user_data::text ILIKE '%example.com%';
