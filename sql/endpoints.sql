-- capi.allowed_endpoint_hosts: a destination's endpoint may point beyond its platform's own hosts
-- only where a superuser allows it (the worker checks again before each request: TAP 095).
\set VERBOSITY default
SHOW capi.allowed_endpoint_hosts;

-- The platform's own host needs no entry.
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-own', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://Graph.Facebook.com');

-- Any other host is refused without an entry, loopback and cloud metadata included.
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-loop', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://127.0.0.1:8080');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-meta', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://169.254.169.254');
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-near', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://evil.graph.facebook.com');

-- Hosts with more than one reading are refused (22023), whatever the setting says.
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-user', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://graph.facebook.com@evil.example');
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-dot', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://graph.facebook.com.');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-int', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://2130706433:8080');
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-hex', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://0x7f.1:8080');
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-pct', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://gr%61ph.facebook.com');

-- A superuser allows hosts (a reload applies the setting; the sleep lets this session see it).
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '127.0.0.1:8080', 'localhost';
SELECT pg_reload_conf(), pg_sleep(0.5);
SHOW capi.allowed_endpoint_hosts;
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-loop', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://127.0.0.1:8080'),
       ('ep-name', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://LOCALHOST:9');
-- The entry names a port: another port is refused.
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-port', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://127.0.0.1:8081');
-- Still only http:// to loopback.
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-http', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'http://example.com');
SELECT name, endpoint FROM capi.destinations ORDER BY name;

-- Narrowed: a destination the setting no longer allows can still be updated (e.g. disabled; the
-- worker pauses it), but its endpoint cannot be set to another host the setting does not allow.
ALTER SYSTEM SET capi.allowed_endpoint_hosts = 'localhost';
SELECT pg_reload_conf(), pg_sleep(0.5);
UPDATE capi.destinations SET enabled = false WHERE name = 'ep-loop';
UPDATE capi.destinations SET endpoint = 'http://127.0.0.2:8080' WHERE name = 'ep-loop';
UPDATE capi.destinations SET endpoint = NULL WHERE name = 'ep-loop';

-- Values that do not parse are refused.
ALTER SYSTEM SET capi.allowed_endpoint_hosts = '*.example.com';
ALTER SYSTEM SET capi.allowed_endpoint_hosts = 'https://proxy.example';

-- Only a superuser decides: not capi_admin.
CREATE ROLE capi_test_admin LOGIN;
GRANT capi_admin TO capi_test_admin;
SET ROLE capi_test_admin;
SET capi.allowed_endpoint_hosts = 'evil.example';
SELECT set_config('capi.allowed_endpoint_hosts', 'evil.example', false);
ALTER SYSTEM SET capi.allowed_endpoint_hosts = 'evil.example';
\echo :LAST_ERROR_SQLSTATE
SHOW capi.allowed_endpoint_hosts;
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('ep-admin', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-endpoint-secret"}', 'https://evil.example');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
DROP ROLE capi_test_admin;

ALTER SYSTEM RESET capi.allowed_endpoint_hosts;
SELECT pg_reload_conf();
DELETE FROM capi.destinations;
