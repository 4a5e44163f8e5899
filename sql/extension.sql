-- The extension lives in the fixed schema capi and cannot be relocated.
SELECT extname, extrelocatable, nspname
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE extname = 'pg_capi';
CREATE SCHEMA elsewhere;
ALTER EXTENSION pg_capi SET SCHEMA elsewhere;
DROP SCHEMA elsewhere;
