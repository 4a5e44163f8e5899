-- Every object of the extension says what it is (issue 15): \d+ and \df+ are how a DBA reads a schema.
-- Lists what has no COMMENT: the schema, every table, view and sequence, every column of a table or
-- view, every function (trigger functions included), every type, and every index that does not back a
-- constraint (a primary key or unique index is described by its columns). A new object without a
-- comment makes this test fail.
CREATE TEMP VIEW undescribed AS
WITH ext AS (
    SELECT e.oid, e.extnamespace FROM pg_extension e WHERE e.extname = 'pg_capi'
), members AS (
    SELECT d.classid, d.objid FROM pg_depend d, ext
    WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e'
), relations AS (
    -- the extension's tables and views, and the sequences and indexes that belong to its tables
    SELECT m.objid AS oid FROM members m WHERE m.classid = 'pg_class'::regclass
    UNION
    SELECT d.objid FROM pg_depend d
    JOIN members m ON m.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
                  AND d.refobjid = m.objid
    WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
), objects AS (
    SELECT 'pg_class'::regclass AS classoid, c.oid AS objoid, 0 AS objsubid
    FROM relations r JOIN pg_class c ON c.oid = r.oid
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'i', 'f')
      AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conindid = c.oid)
    UNION ALL
    SELECT 'pg_class'::regclass, a.attrelid, a.attnum
    FROM relations r JOIN pg_class c ON c.oid = r.oid JOIN pg_attribute a ON a.attrelid = c.oid
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped
    UNION ALL
    SELECT m.classid, m.objid, 0 FROM members m WHERE m.classid IN ('pg_proc'::regclass, 'pg_type'::regclass)
    UNION ALL
    SELECT 'pg_namespace'::regclass, ext.extnamespace, 0 FROM ext
)
SELECT pg_describe_object(o.classoid, o.objoid, o.objsubid) AS object
FROM objects o
WHERE NOT EXISTS (SELECT FROM pg_description d
                  WHERE d.classoid = o.classoid AND d.objoid = o.objoid AND d.objsubid = o.objsubid
                    AND d.description <> '');

-- The query sees what it must: the extension has objects of each kind it checks.
WITH ext AS (SELECT oid FROM pg_extension WHERE extname = 'pg_capi')
SELECT count(*) FILTER (WHERE d.classid = 'pg_class'::regclass) > 10 AS relations,
       count(*) FILTER (WHERE d.classid = 'pg_proc'::regclass) > 20 AS functions
FROM pg_depend d, ext
WHERE d.refclassid = 'pg_extension'::regclass AND d.refobjid = ext.oid AND d.deptype = 'e';
-- A table without comments is caught (this one, then its column, then nothing).
CREATE TABLE capi.comment_probe (probe_column integer);
ALTER EXTENSION pg_capi ADD TABLE capi.comment_probe;
SELECT * FROM undescribed WHERE object LIKE '%comment_probe%' ORDER BY object;
COMMENT ON TABLE capi.comment_probe IS 'probe';
SELECT * FROM undescribed WHERE object LIKE '%comment_probe%' ORDER BY object;
COMMENT ON COLUMN capi.comment_probe.probe_column IS 'probe';
SELECT * FROM undescribed WHERE object LIKE '%comment_probe%' ORDER BY object;
ALTER EXTENSION pg_capi DROP TABLE capi.comment_probe;
DROP TABLE capi.comment_probe;

-- Nothing of the extension is left undescribed.
SELECT * FROM undescribed ORDER BY object;

-- The roles the extension uses carry its mark (docs/security.md "Roles that exist already").
SELECT r.rolname, d.description LIKE 'pg_capi: %' AS marked
FROM pg_roles r LEFT JOIN pg_shdescription d ON d.classoid = 'pg_authid'::regclass AND d.objoid = r.oid
WHERE r.rolname IN ('capi_admin', 'capi_writer', 'capi_worker', 'capi_monitor')
ORDER BY r.rolname;
