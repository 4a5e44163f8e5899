-- capi.outbox: dedup, hashing inside the INSERT, validation errors.
\pset null '<null>'

INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('order-1', 'Purchase', 'https://shop.example/checkout',
        '{"email": "John_Smith@gmail.com", "phone": "(650) 555-1212", "first_name": "Mary",
          "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}',
        '{"value": 12.5, "currency": "usd"}');

-- Raw PII never rests in the table: only digests (and plain network data) are stored
SELECT user_data->'email' AS email, user_data->'phone@google' AS google_phone,
       user_data->>'client_ip_address' AS ip,
       user_data::text ~* 'smith|mary|650' AS raw_pii_stored
FROM capi.outbox WHERE event_id = 'order-1';
-- txid is the inserting transaction's. Applications cannot write it (security.sql); a row that comes
-- with a txid of its own, which only the owner or a superuser can give, is a restored row and is kept
-- as it was dumped (backup_restore.sql).
BEGIN;
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('lead-1', 'Lead', 'system_generated');
SELECT txid = pg_current_xact_id() AS txid_is_inserting_transaction FROM capi.outbox WHERE event_id = 'lead-1';
COMMIT;

-- An application retry is a no-op; the same id under another event name is another event
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('order-1', 'Purchase', 'https://shop.example/checkout', '{"email": "other@example.com"}')
ON CONFLICT (event_name, event_id) DO NOTHING;
INSERT INTO capi.outbox (event_id, event_name, event_source_url) VALUES ('order-1', 'AddToCart', 'https://shop.example/cart');
SELECT event_name, user_data->'email' AS email FROM capi.outbox ORDER BY id;
INSERT INTO capi.outbox (event_id, event_name) VALUES ('order-1', 'Purchase');

-- Append-only
UPDATE capi.outbox SET event_time = now() WHERE event_id = 'order-1';

-- Structurally bad rows fail with a clear message and SQLSTATE
\set VERBOSITY default
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('e2', 'Lead', 'carrier_pigeon');
INSERT INTO capi.outbox (event_id, event_name, user_data) VALUES ('e3', 'Lead', '["a@b.com"]');
INSERT INTO capi.outbox (event_id, event_name, user_data) VALUES ('e4', 'Lead', '{"emial": "a@b.com"}');
INSERT INTO capi.outbox (event_id, event_name, custom_data) VALUES ('e5', 'Purchase', '{"value": -1, "currency": "USD"}');
INSERT INTO capi.outbox (event_id, event_name, custom_data) VALUES ('e6', 'Purchase', '{"value": 1, "currency": "dollars"}');
INSERT INTO capi.outbox (event_id, event_name) VALUES ('', 'Lead');
\set VERBOSITY sqlstate
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('e2', 'Lead', 'carrier_pigeon');
INSERT INTO capi.outbox (event_id, event_name, custom_data) VALUES ('e5', 'Purchase', '{"value": -1, "currency": "USD"}');
INSERT INTO capi.outbox (event_id, event_name, event_time) VALUES ('e7', 'Lead', now() + interval '1 day');
\set VERBOSITY default
SELECT count(*) AS rows_kept FROM capi.outbox;

-- back to the default version for the tests that follow
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
