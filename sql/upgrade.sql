-- ALTER EXTENSION pg_capi UPDATE from the first release yields exactly what a fresh install has.
CREATE TEMP VIEW capi_objects AS
SELECT pg_describe_object(d.classid, d.objid, d.objsubid) AS object,
       coalesce(p.provolatile::text || p.proisstrict::text || p.proparallel::text
                || pg_get_function_arguments(p.oid) || pg_get_function_result(p.oid) || p.prosrc, '') AS definition
FROM pg_depend d
LEFT JOIN pg_proc p ON d.classid = 'pg_proc'::regclass AND p.oid = d.objid
WHERE d.refclassid = 'pg_extension'::regclass
  AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pg_capi')
  AND d.deptype = 'e';

CREATE TEMP TABLE fresh_install AS SELECT * FROM capi_objects;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_capi') AS at_default
FROM pg_extension WHERE extname = 'pg_capi';

DROP EXTENSION pg_capi;
CREATE EXTENSION pg_capi VERSION '0.1.0';
SELECT object FROM capi_objects ORDER BY object;
SELECT capi.sha256_hex('john_smith@gmail.com');

ALTER EXTENSION pg_capi UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'pg_capi') AS at_default
FROM pg_extension WHERE extname = 'pg_capi';
-- no difference in either direction
(SELECT * FROM fresh_install EXCEPT SELECT * FROM capi_objects)
UNION ALL
(SELECT * FROM capi_objects EXCEPT SELECT * FROM fresh_install);
SELECT count(*) > 1 AS has_objects FROM capi_objects;
