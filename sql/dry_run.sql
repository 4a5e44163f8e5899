-- capi.dry_run (README "Try before sending"): who may call it, and what it refuses before sending
-- anything. The requests themselves are tested against the loopback stand-in in TAP 175_dry_run.pl.
\set VERBOSITY default

SELECT has_function_privilege('capi_admin', 'capi.dry_run(text, integer, text)', 'EXECUTE') AS admin,
       has_function_privilege('capi_writer', 'capi.dry_run(text, integer, text)', 'EXECUTE') AS writer,
       has_function_privilege('capi_worker', 'capi.dry_run(text, integer, text)', 'EXECUTE') AS worker,
       has_function_privilege('public', 'capi.dry_run(text, integer, text)', 'EXECUTE') AS public;

-- Disabled destinations, as one tries before sending. None has pending events: a destination
-- receives the events committed after it was created.
INSERT INTO capi.destinations (name, platform, enabled, config, credentials) VALUES
  ('dry_meta', 'meta', false, '{"pixel_id": "1234567890"}', '{"access_token": "EAAdry-not-real"}'),
  ('dry_snap', 'snap', false, '{"pixel_id": "a1b2c3d4"}', '{"access_token": "snap-dry-not-real"}'),
  ('dry_linkedin', 'linkedin', false, '{"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1"]}}',
   '{"access_token": "li-dry-not-real"}');

-- Nothing pending: no row, nothing sent.
SELECT * FROM capi.dry_run('dry_snap');
SELECT * FROM capi.dry_run('dry_meta', 10, 'TEST123');

-- Refused before anything is sent, never quoting a credential.
SELECT * FROM capi.dry_run('dry_linkedin');
SELECT * FROM capi.dry_run('dry_meta');
SELECT * FROM capi.dry_run('dry_meta', 10, '');
SELECT * FROM capi.dry_run('dry_snap', 10, 'TEST1');
SELECT * FROM capi.dry_run('dry_snap', 0);
SELECT * FROM capi.dry_run('dry_snap', 1001);
SELECT * FROM capi.dry_run('dry_snap', NULL);
SELECT * FROM capi.dry_run(NULL);
SELECT * FROM capi.dry_run('nowhere');
SELECT capi.dry_run('dry_snap');

-- Only capi_admin.
CREATE ROLE regress_dry_writer IN ROLE capi_writer;
SET ROLE regress_dry_writer;
SELECT * FROM capi.dry_run('dry_snap');
RESET ROLE;
DROP ROLE regress_dry_writer;

DELETE FROM capi.destinations WHERE name LIKE 'dry\_%';
