-- README.md "Applications", run as an application's role (a capi_writer member), never as a
-- superuser: the dedup example with ON CONFLICT, an ORM's RETURNING, and what stays out of reach.
-- A writer sees only the rows its own open transaction inserted (docs/security.md).
\set VERBOSITY terse
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('regress-writer-meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAAB-writer-token"}');
CREATE TABLE public.orders (id integer PRIMARY KEY, total numeric NOT NULL);
CREATE ROLE regress_capi_shop_app LOGIN IN ROLE capi_writer;
CREATE ROLE regress_capi_blog_app LOGIN IN ROLE capi_writer;
GRANT INSERT ON public.orders TO regress_capi_shop_app;

-- The README's example, verbatim but for the order's own INSERT.
SET ROLE regress_capi_shop_app;
BEGIN;
INSERT INTO orders VALUES (1042, 49.90);                  -- your own order
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('order-1042', 'Purchase', 'https://shop.example/checkout',
        '{"email": "John_Smith@gmail.com", "phone": "(650) 555-1212",
          "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0",
          "fbp": "fb.1.1558571054389.1098115397"}',
        '{"value": 49.90, "currency": "EUR", "order_id": "1042"}')
ON CONFLICT (event_name, event_id) DO NOTHING;            -- a retry of the same order is a no-op
-- Within its transaction the writer sees what it inserted (hashed), as RETURNING would show it.
SELECT event_id, event_name, user_data->'email' AS email, user_data::text ~* 'smith|650' AS raw_pii_stored
FROM capi.outbox;
COMMIT;                                                   -- the worker is woken by this commit

-- A retry of the same order is a no-op (RETURNING shows that nothing was inserted).
BEGIN;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('order-1042', 'Purchase', 'https://shop.example/checkout',
        '{"email": "John_Smith@gmail.com", "phone": "(650) 555-1212",
          "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0",
          "fbp": "fb.1.1558571054389.1098115397"}',
        '{"value": 49.90, "currency": "EUR", "order_id": "1042"}')
ON CONFLICT (event_name, event_id) DO NOTHING
RETURNING id, event_id;
COMMIT;

-- An ORM's INSERT ... RETURNING id, event_id (Django, Rails, SQLAlchemy, Hibernate) ...
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('order-1043', 'Purchase', 'https://shop.example/checkout',
        '{"email": "jane@example.com", "client_user_agent": "Mozilla/5.0"}',
        '{"value": 12.00, "currency": "EUR"}')
RETURNING id, event_id \gset returned_
SELECT :returned_id > 0 AS id_returned, :'returned_event_id' AS event_id;
-- ... and RETURNING * (Sequelize, Prisma, JDBC's generated keys), here through a CTE.
WITH inserted AS (
    INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
    VALUES ('order-1044', 'Purchase', 'https://shop.example/checkout',
            '{"email": "joe@example.com", "client_user_agent": "Mozilla/5.0"}',
            '{"value": 3.50, "currency": "EUR"}')
    RETURNING *)
SELECT event_id, txid = pg_current_xact_id() AS own_txid, created_at = now() AS own_start,
       user_data::text ~* 'joe@' AS raw_pii_stored
FROM inserted;

-- After its commit, not even the writer's own events are visible: nothing to read back.
SELECT count(*) AS visible_rows FROM capi.outbox;
SELECT event_id FROM capi.outbox WHERE event_id = 'order-1042';
-- Nor their statistics (pg_stats hides the columns of a table whose row security applies).
RESET ROLE;
ANALYZE capi.outbox;
SET ROLE regress_capi_shop_app;
SELECT count(*) AS visible_statistics FROM pg_stats WHERE schemaname = 'capi' AND tablename = 'outbox';

-- Another application: isolated from the shop's events.
SET ROLE regress_capi_blog_app;
BEGIN;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('blog-1', 'Lead', 'https://blog.example/signup', '{"email": "reader@example.com", "client_user_agent": "Mozilla/5.0"}')
ON CONFLICT (event_name, event_id) DO NOTHING RETURNING event_id;
-- The shop's key: a silent no-op; the shop's row is neither returned nor readable.
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('order-1042', 'Purchase', 'https://blog.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "EUR"}')
ON CONFLICT (event_name, event_id) DO NOTHING RETURNING id, event_id, user_data;
SELECT event_id FROM capi.outbox ORDER BY event_id;
SELECT count(*) AS shop_rows_visible FROM capi.outbox WHERE event_id LIKE 'order-%';
COMMIT;
-- Without ON CONFLICT, the unique key refuses the taken key (the DETAIL names only the writer's values).
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('order-1042', 'Purchase', 'https://blog.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "EUR"}');

-- What stays denied to a writer.
INSERT INTO capi.outbox (event_id, event_name) VALUES ('order-1042', 'Purchase')
ON CONFLICT (event_name, event_id) DO UPDATE SET event_id = 'taken';
UPDATE capi.outbox SET event_time = now() WHERE event_id = 'order-1042';
DELETE FROM capi.outbox WHERE event_id = 'order-1042';
TRUNCATE capi.outbox;
BEGIN;
LOCK TABLE capi.outbox IN ACCESS SHARE MODE;
ROLLBACK;
SELECT credentials FROM capi.destinations;
SELECT count(*) FROM capi.delivery_status;
SELECT capi.preview('order-1042', 'regress-writer-meta');
-- SET ROLE capi_writer shares nothing between applications: visibility follows the transaction,
-- not the role that inserted.
SET ROLE regress_capi_blog_app;
SET ROLE capi_writer;
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('blog-2', 'Lead', 'https://blog.example/', '{"client_user_agent": "Mozilla/5.0"}');
RESET ROLE;
SET ROLE regress_capi_shop_app;
SET ROLE capi_writer;
SELECT count(*) AS visible_rows FROM capi.outbox;
RESET ROLE;

-- As the table owner: every event is there, once.
SELECT event_id, event_name FROM capi.outbox ORDER BY event_id;
SELECT id, total FROM public.orders;
-- capi_admin (and the worker's capi_worker) read every row.
SET ROLE capi_admin;
SELECT count(*) AS admin_visible_rows FROM capi.outbox;
SET ROLE capi_worker;
SELECT count(*) AS worker_visible_rows FROM capi.outbox;
RESET ROLE;

DELETE FROM capi.outbox;
DELETE FROM capi.destinations WHERE name = 'regress-writer-meta';
DROP TABLE public.orders;
DROP ROLE regress_capi_shop_app, regress_capi_blog_app;
