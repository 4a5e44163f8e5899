-- Mistakes refused at INSERT rather than failed at delivery: what no destination of an event could
-- accept (core/outbox/destination_checks.hpp). Everything runs in one transaction that is rolled back,
-- so the destinations made here are seen by no other test.
\pset null '<null>'
\set VERBOSITY default
BEGIN;
\set ON_ERROR_ROLLBACK on
-- Generic checks apply with no destination at all.
-- Currency: an active ISO 4217 code (either case).
INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data)
VALUES ('ic-cur-1', 'Lead', 'system_generated', '{"value": 1, "currency": "XYZ"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data)
VALUES ('ic-cur-2', 'Lead', 'system_generated', '{"value": 1, "currency": "HRK"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data)
VALUES ('ic-cur-3', 'Lead', 'system_generated', '{"value": 1, "currency": "chf"}');
-- A standard name in another case; custom names stay allowed.
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('ic-name-1', 'purchase', 'system_generated');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('ic-name-2', 'ADDTOCART', 'system_generated');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('ic-name-3', 'purchase_done', 'system_generated');

-- With only Meta destinations, Meta's rules apply.
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('ic-meta', 'meta', '{"pixel_id": "111", "api_version": "v25.0"}', '{"access_token": "EAA-secret-ic"}');
-- A website event needs event_source_url and client_user_agent (23502).
INSERT INTO capi.outbox (event_id, event_name, user_data)
VALUES ('ic-web-1', 'Lead', '{"email": "a@example.com", "client_user_agent": "Mozilla/5.0"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('ic-web-2', 'Lead', 'https://shop.example/', '{"email": "a@example.com"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, event_source_url)
VALUES ('ic-web-3', 'Lead', 'https://shop.example/');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- fbc and fbp in Meta's format (22023); the value is never shown.
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('ic-fbc-1', 'Lead', 'https://shop.example/',
        '{"client_user_agent": "Mozilla/5.0", "fbc": "IwAR-secret-click-id"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('ic-fbc-2', 'Lead', 'https://shop.example/',
        '{"client_user_agent": "Mozilla/5.0", "fbp": "fb.1.secret.1098115397"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- A Purchase needs value and currency (23502).
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
VALUES ('ic-buy-1', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('ic-buy-2', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}', '{"value": 5}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('ic-buy-3', 'Purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"currency": "EUR", "value": null}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Accepted: a complete website Purchase, an app event without URL or user agent, a denied
-- ad_user_data (Meta's adapter skips those events: nothing would fail).
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('ic-ok-1', 'Purchase', 'https://shop.example/',
        '{"email": "a@example.com", "client_user_agent": "Mozilla/5.0",
          "fbc": "fb.1.1554763741205.AbCdEfGh", "fbp": "fb.1.1558571054389.1098115397"}',
        '{"value": 12.5, "currency": "eur"}');
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
VALUES ('ic-ok-2', 'Lead', 'app', '{"email": "a@example.com"}');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, consent)
VALUES ('ic-ok-3', 'Purchase', 'https://shop.example/', '{"ad_user_data": "denied"}');
-- A destination that names the mis-cased name in its config.event_map sends it: accepted.
UPDATE capi.destinations SET config = config || '{"event_map": {"purchase": "Purchase"}}' WHERE name = 'ic-meta';
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('ic-ok-4', 'purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "USD"}');
UPDATE capi.destinations SET config = config - 'event_map' WHERE name = 'ic-meta';
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('ic-name-4', 'purchase', 'https://shop.example/', '{"client_user_agent": "Mozilla/5.0"}',
        '{"value": 1, "currency": "USD"}');
\echo SQLSTATE :LAST_ERROR_SQLSTATE

-- With a Google destination too, an event Google accepts is not refused (Meta's delivery of it
-- fails, with Meta's reason, in capi.delivery_status) ...
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('ic-google', 'google', '{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "1"}}',
        '{"access_token": "ya29.secret-ic"}');
INSERT INTO capi.outbox (event_id, event_name, user_data)
VALUES ('ic-mixed-1', 'Purchase', '{"email": "a@example.com", "fbc": "not-a-click-id"}');
-- ... unless it names only Meta destinations.
INSERT INTO capi.outbox (event_id, event_name, user_data, destinations)
VALUES ('ic-mixed-2', 'Purchase', '{"email": "a@example.com"}', ARRAY['ic-meta']);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
INSERT INTO capi.outbox (event_id, event_name, user_data, destinations)
VALUES ('ic-mixed-3', 'Purchase', '{"email": "a@example.com"}', ARRAY['ic-google']);
-- The generic checks apply whatever the destinations.
INSERT INTO capi.outbox (event_id, event_name, user_data, custom_data, destinations)
VALUES ('ic-mixed-4', 'Purchase', '{"email": "a@example.com"}', '{"value": 1, "currency": "ABC"}', ARRAY['ic-google']);
\echo SQLSTATE :LAST_ERROR_SQLSTATE
-- Google's conversion_actions naming "PURCHASE" makes that name deliverable there.
UPDATE capi.destinations SET config = jsonb_set(config, '{conversion_actions,PURCHASE}', '"2"') WHERE name = 'ic-google';
INSERT INTO capi.outbox (event_id, event_name, user_data, destinations)
VALUES ('ic-mixed-5', 'PURCHASE', '{"email": "a@example.com"}', ARRAY['ic-google']);
INSERT INTO capi.outbox (event_id, event_name, user_data, destinations)
VALUES ('ic-mixed-6', 'PURCHASE', '{"email": "a@example.com"}', ARRAY['ic-meta']);
\echo SQLSTATE :LAST_ERROR_SQLSTATE

SELECT event_id, event_name, destinations FROM capi.outbox WHERE event_id LIKE 'ic-%' ORDER BY event_id;
ROLLBACK;
