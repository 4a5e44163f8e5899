-- A role that exists before CREATE EXTENSION is not adopted silently (issue 15). Roles are cluster-wide:
-- capi_admin, capi_writer, capi_worker and capi_monitor survive DROP EXTENSION and serve installs in
-- other databases. A fresh install adopts one only when it carries pg_capi's mark (a comment starting
-- 'pg_capi: '), cannot log in, has no attribute and no non-superuser holds ADMIN OPTION on it; else it
-- fails (42710) unless capi.adopt_existing_roles is on. An update adopts what the version it updates
-- had adopted. docs/security.md "Roles that exist already".
CREATE FUNCTION pg_temp.marks() RETURNS TABLE (rolname name, marked boolean, rolcanlogin boolean)
    LANGUAGE sql AS $$
SELECT r.rolname, coalesce(shobj_description(r.oid, 'pg_authid') LIKE 'pg_capi: %', false), r.rolcanlogin
FROM pg_roles r WHERE r.rolname IN ('capi_admin', 'capi_writer', 'capi_worker', 'capi_monitor')
ORDER BY r.rolname
$$;
-- Installed by pg_regress: every role carries the mark.
SELECT * FROM pg_temp.marks();
DROP EXTENSION pg_capi;

-- Reinstalled (as in another database of the cluster): the marked roles are adopted.
CREATE EXTENSION pg_capi;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_capi') AS installed
FROM pg_extension WHERE extname = 'pg_capi';
DROP EXTENSION pg_capi;

-- Someone else's capi_admin (no mark), a capi_monitor that can log in, and a capi_writer a
-- non-superuser may grant: refused, each named with why. (A capi_worker that can log in or has members
-- is refused by the 0.4.0 script already, before this check.)
COMMENT ON ROLE capi_admin IS 'created by hand';
ALTER ROLE capi_monitor LOGIN;
CREATE ROLE capi_squatter;
GRANT capi_writer TO capi_squatter WITH ADMIN OPTION;
CREATE EXTENSION pg_capi;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'pg_capi';
-- One problem left: still refused.
ALTER ROLE capi_monitor NOLOGIN;
REVOKE capi_writer FROM capi_squatter;
CREATE EXTENSION pg_capi;
SELECT count(*) AS installed FROM pg_extension WHERE extname = 'pg_capi';

-- The DBA has checked them and says so: adopted, with a warning naming what was wrong, and marked.
ALTER ROLE capi_monitor LOGIN;
SET capi.adopt_existing_roles = on;
CREATE EXTENSION pg_capi;
RESET capi.adopt_existing_roles;
SELECT * FROM pg_temp.marks();
ALTER ROLE capi_monitor NOLOGIN;

-- An update never refuses: the version it updates adopted the roles already. It marks them.
DROP EXTENSION pg_capi;
COMMENT ON ROLE capi_admin IS 'created by hand';
CREATE EXTENSION pg_capi VERSION '0.6.0';
ALTER EXTENSION pg_capi UPDATE;
SELECT * FROM pg_temp.marks();

-- A role the install creates itself is its own, also inside a savepoint.
DROP EXTENSION pg_capi;
DROP ROLE capi_monitor;
BEGIN;
SAVEPOINT before_install;
CREATE EXTENSION pg_capi;
RELEASE SAVEPOINT before_install;
COMMIT;
SELECT * FROM pg_temp.marks();
-- Only superusers may turn the check off.
CREATE ROLE capi_adopt_probe;
SET ROLE capi_adopt_probe;
SET capi.adopt_existing_roles = on;
RESET ROLE;
DROP ROLE capi_adopt_probe, capi_squatter;
