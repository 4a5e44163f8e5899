-- capi.destinations (0.3.0, in development): checked when saved; credentials hidden from other roles.
ALTER EXTENSION pg_capi UPDATE TO '0.3.0';

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
-- platforms without a delivery adapter yet are refused rather than silently never delivered
INSERT INTO capi.destinations (name, platform, config) VALUES ('tt', 'tiktok', '{}');
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

-- back to the default version for the tests that follow
DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi;
