-- capi.destinations: checked when saved; credentials hidden from other roles.

-- Endpoints beyond a platform's own hosts need a superuser's capi.allowed_endpoint_hosts entry
-- (endpoints.sql); the one here is loopback.
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1';
SELECT pg_reload_conf(), pg_sleep(0.5);

INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta-shop', 'meta', '{"pixel_id": "1234567890", "api_version": "v25.0"}',
        '{"access_token": "EAAtesttoken-not-real"}', 'http://127.0.0.1:8080');
SELECT name, platform, enabled, config, endpoint FROM capi.destinations;

\set VERBOSITY default
-- bad settings are refused when saved, and messages never quote the token
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('meta-bad', 'meta', '{"pixel_id": "not-digits"}', '{"access_token": "EAAtesttoken-not-real"}');
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('meta-notoken', 'meta', '{"pixel_id": "1234567890"}', '{}');
-- http:// only to loopback; no paths in an endpoint override
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta-http', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "t"}', 'http://example.com');
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta-path', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "t"}', 'https://proxy.example/v1');
UPDATE capi.destinations SET config = '{"pixel_id": ""}' WHERE name = 'meta-shop';
-- every platform's adapter checks its settings when saved (22023, naming the key, never a secret)
\set VERBOSITY default
INSERT INTO capi.destinations (name, platform, config) VALUES ('g', 'google', '{}');
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('g', 'google', '{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "1"}}', '{"refresh_token": "1//secret-refresh"}');
INSERT INTO capi.destinations (name, platform, config) VALUES ('t', 'tiktok', '{}');
INSERT INTO capi.destinations (name, platform, config) VALUES ('l', 'linkedin', '{"api_version": "2026-07"}');
INSERT INTO capi.destinations (name, platform, config) VALUES ('s', 'snap', '{}');
INSERT INTO capi.destinations (name, platform, config) VALUES ('r', 'reddit', '{"pixel_id": "a2_x", "max_requests_per_second": 0}');
INSERT INTO capi.destinations (name, platform, config) VALUES ('p', 'pinterest', '{"ad_account_id": "1", "event_map": {"Purchase": 7}}');
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('p', 'pinterest', '{"ad_account_id": "549755885175", "denied_ad_user_data": "send_without_identifiers"}', '{"access_token": "pina-ok"}');
SELECT name, platform, config FROM capi.destinations WHERE name = 'p';
INSERT INTO capi.destinations (name, platform) VALUES ('x', 'myspace');

-- credentials: readable by capi_admin members only
CREATE ROLE capi_test_writer LOGIN;
SET ROLE capi_test_writer;
SELECT name, platform FROM capi.destinations;
SELECT credentials FROM capi.destinations;
RESET ROLE;
GRANT capi_admin TO capi_test_writer;
SET ROLE capi_test_writer;
SELECT credentials->>'access_token' <> '' AS admin_reads_token FROM capi.destinations;
RESET ROLE;
DROP ROLE capi_test_writer;

-- capi.preview: the exact body the destination would receive, credentials redacted
INSERT INTO capi.outbox (event_id, event_name, event_time, action_source, user_data, custom_data)
VALUES ('order-9', 'Purchase', now() - interval '1 minute', 'system_generated',
        '{"email": "John_Smith@gmail.com", "fbp": "fb.1.1558571054389.1098115397"}', '{"value": 9.5, "currency": "EUR"}');
SELECT body->>'access_token' AS access_token,
       jsonb_array_length(body->'data') AS events,
       body->'data'->0->>'event_name' AS event_name,
       body->'data'->0->'user_data' AS user_data,
       body->'data'->0->'custom_data' AS custom_data,
       (body->'data'->0->>'event_time')::bigint = extract(epoch FROM date_trunc('second', e.event_time))::bigint AS seconds,
       body::text LIKE '%EAAtesttoken%' AS token_shown
FROM capi.preview('order-9', 'meta-shop') AS body, capi.outbox e WHERE e.event_id = 'order-9';
SELECT capi.preview('no-such-event', 'meta-shop');
SELECT capi.preview('order-9', 'no-such-destination');

-- back to the default version and settings for the tests that follow
ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
