-- capi.sha256_hex: published digests, NULL handling, and function properties.
SELECT capi.sha256_hex('');
SELECT capi.sha256_hex('john_smith@gmail.com');
SELECT capi.sha256_hex('16505551212');
-- UTF-8 bytes are hashed (NFC 'valéry' from Meta's customer-information-parameters page)
SELECT capi.sha256_hex(U&'val\00E9ry');
SELECT capi.sha256_hex('정');
-- agrees with PostgreSQL's own sha256() on arbitrary input
SELECT count(*) AS mismatches
FROM generate_series(1, 500) AS i
WHERE capi.sha256_hex(repeat(md5(i::text), i % 7))
      <> encode(sha256(convert_to(repeat(md5(i::text), i % 7), 'UTF8')), 'hex');
SELECT capi.sha256_hex(NULL) IS NULL AS strict_null;
SELECT provolatile, proisstrict, proparallel
FROM pg_proc WHERE oid = 'capi.sha256_hex(text)'::regprocedure;
