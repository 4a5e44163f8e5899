-- Part two of the demo: delivery. Variables: url (the stand-in platform), token, count.
\pset footer off
\echo
\echo '== A Meta destination (pointing at the loopback stand-in instead of graph.facebook.com)'
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta_shop', 'meta', '{"pixel_id": "1234567890", "api_version": "v25.0"}',
        jsonb_build_object('access_token', :'token'), :'url');
SELECT name, platform, enabled, config, endpoint FROM capi.destinations;

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
                          'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0'),
       jsonb_build_object('value', total, 'currency', 'USD', 'order_id', id::text)
FROM orders;
COMMIT;
\echo 'An application retry is a no-op (the platforms'' own dedup key is unique):'
INSERT INTO capi.outbox (event_id, event_name, event_source_url)
VALUES ('order-1', 'Purchase', 'https://shop.example/checkout') ON CONFLICT DO NOTHING;

\echo
\echo '== Raw PII never rests in the outbox: user_data holds hashes'
SELECT event_id, left(user_data::text, 140) || '...' AS stored_user_data FROM capi.outbox ORDER BY id LIMIT 1;
SELECT count(*) AS rows_with_raw_email FROM capi.outbox WHERE user_data::text ILIKE '%example.com%';
