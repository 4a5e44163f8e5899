-- Identity on real-world data (issue 12): the messy forms customer tables hold, region arguments
-- and capi.default_region, and the analyst query that finds what is still unusable.
\pset null '<null>'

-- Region arguments accept what capi.normalize('country', ...) accepts: codes, alpha-3, names
SELECT r AS region, capi.normalize('phone', '030 1234567', 'meta', r) AS phone
FROM unnest(ARRAY['DE', 'de', 'DEU', 'Germany', 'Deutschland', 'Bundesrepublik Deutschland']) AS r;
SELECT capi.normalize('phone', '020 7946 0958', 'google', 'United Kingdom') AS uk,
       capi.normalize('phone', '01 23 45 67 89', 'google', 'France') AS france,
       capi.normalize('phone', '06 1234 5678', 'google', 'Italia') AS italia;
-- NULL or blank: capi.default_region (US)
SELECT capi.normalize('phone', '(650) 555-1212', 'meta', NULL) AS null_region,
       capi.normalize('phone', '(650) 555-1212', 'meta', '') AS blank_region,
       capi.normalize('phone', '(650) 555-1212', 'meta', '  ') AS spaces_region;
-- ZZ: no region, only numbers written with their country code
SELECT capi.normalize('phone', '+49 30 1234567', 'meta', 'ZZ') AS international,
       capi.normalize('phone', '(650) 555-1212', 'meta', 'zz') AS national;
-- Anything else is refused (the message does not repeat the value)
\set VERBOSITY default
SELECT capi.normalize('phone', '030 1234567', 'meta', 'Atlantis');
SELECT capi.hash('zip', '10115', 'meta', 'XX');
SELECT capi.user_data('{"phone": "030 1234567"}', 'meta', 'EU');
-- capi.default_region takes the same values, stored as the code; anything else is refused
SET capi.default_region = 'XX';
SET capi.default_region = 'Narnia';
SET capi.default_region = '';
SET capi.default_region = 'Germany';
SHOW capi.default_region;
SELECT capi.normalize('phone', '030 1234567') AS read_as_german;
SET capi.default_region = 'gbr';
SHOW capi.default_region;
SET capi.default_region = 'zz';
SHOW capi.default_region;
RESET capi.default_region;
SHOW capi.default_region;
\set VERBOSITY terse

-- Phones: international prefixes the region does not use, a '+' before the prefix, a stray 0
SELECT raw, capi.normalize('phone', raw, 'google') AS e164
FROM unnest(ARRAY['0049 30 1234567', '00 44 20 7946 0958', '+0044 20 7946 0958', '+001 (616) 459-1234',
                  '001 616 459 1234', '01 (650) 555-1212', '+01 650 555 1212', 'Tel: 0033 6 12 34 56 78',
                  '011 44 20 7946 0958']) AS raw;
-- Phones: never an impossible number (no NANP area code starts with 0 or 1; E.164 has at most 15 digits;
-- a national number of another country is not read as a third country's by dropping its 0)
SELECT raw, capi.normalize('phone', raw, 'meta', region) AS e164
FROM (VALUES ('030 1234567', 'US'), ('(123) 456-7890', 'US'), ('+49 30 123456789012', 'DE'),
             ('(02) 9876 5432', 'US'), ('07911 123456', 'US'), ('(650) 555-1212', 'ZZ')) AS t(raw, region);

-- The SHA-256 of the empty string (what upstream systems send for a blank) is NULL in every field
SELECT f AS field,
       capi.hash(f, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') AS lower_case,
       capi.hash(f, ' E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855 ') AS upper_case,
       capi.normalize(f, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855') AS normalized
FROM unnest(ARRAY['email', 'phone', 'first_name', 'last_name', 'city', 'state', 'zip', 'country', 'gender',
                  'date_of_birth', 'external_id']) AS f;
SELECT capi.user_data('{"email": ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "a@example.com"],
                        "external_id": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}', 'meta')
       = capi.user_data('{"email": "a@example.com"}', 'meta') AS blank_digest_dropped;

-- Emails written as forms that still name one address
SELECT raw, capi.normalize('email', raw) AS email
FROM unnest(ARRAY['"John Smith" <John@Example.com>', 'John Smith <john@example.com>', '<john@example.com>',
                  'mailto:John@Example.com?subject=Hi', 'john@example.com (John Smith)', 'john@example.com.',
                  'ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'a <a@b.com>, c <c@d.com>']) AS raw;

-- Width and compatibility forms (NFKC): full-width names, ligatures, half-width katakana
SELECT capi.normalize('first_name', 'ＪＯＨＮ') AS fullwidth, capi.normalize('first_name', 'ﬁona') AS ligature,
       capi.normalize('last_name', 'ｽｽﾞｷ') AS halfwidth_katakana, capi.normalize('first_name', 'ＪＯＨＮ', 'linkedin') AS plain,
       capi.hash('first_name', 'ＪＯＨＮ') = capi.hash('first_name', 'John') AS same_hash;

-- States: abbreviations, the ʻokina, diacritics, "State", full-width
SELECT raw, capi.normalize('state', raw) AS meta, capi.normalize('state', raw, 'google') AS google
FROM unnest(ARRAY['Calif.', 'Tex.', 'Mass.', 'Penn.', 'N. Mex.', 'W. Va.', 'Hawaiʻi', 'Tëxas', 'New York State',
                  'Commonwealth of Massachusetts', 'Que.', 'ＴＥＸＡＳ', 'Bavaria']) AS raw;

-- Gender: salutations both ways, Meta's pronouns, words that agree
SELECT raw, capi.normalize('gender', raw) AS gender
FROM unnest(ARRAY['Herr', 'Frau', 'Monsieur', 'Madame', 'Señor', 'Señora', 'Sig.ra', 'Dhr.', 'Mevr.', 'Pan', 'Pani',
                  'he/him', 'she/her', 'Male/Female', 'x']) AS raw;

-- ZIP codes: a lost leading zero only when the region is given as US (an argument, or the setting set)
SELECT capi.normalize('zip', '2134', 'meta', 'US') AS given_us, capi.normalize('zip', '2134') AS default_us,
       capi.normalize('zip', '601', 'meta', 'Puerto Rico') AS given_pr, capi.normalize('zip', '2134', 'meta', 'AU') AS au,
       capi.normalize('zip', '94035-12') AS truncated, capi.normalize('zip', '01310-100') AS brazil_cep;
SET capi.default_region = 'US';
SELECT capi.normalize('zip', '2134') AS set_us,
       capi.user_data('{"zip": 2134}') = jsonb_build_object('zp', jsonb_build_array(capi.sha256_hex('02134')))
           AS user_data_set_us;
RESET capi.default_region;
SELECT capi.user_data('{"zip": 2134}') = jsonb_build_object('zp', jsonb_build_array(capi.sha256_hex('2134')))
           AS user_data_default;

-- The outbox INSERT reads with capi.default_region too (given when set), and drops the blank digest
BEGIN;
SET LOCAL capi.default_region = 'US';
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
VALUES ('zip-set', 'Lead', 'system_generated',
        '{"zip": 2134, "email": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}');
RESET capi.default_region;
INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
VALUES ('zip-default', 'Lead', 'system_generated', '{"zip": 2134}');
SELECT event_id, user_data->'zip' = jsonb_build_array(capi.sha256_hex('02134')) AS zip_02134,
       user_data->'zip' = jsonb_build_array(capi.sha256_hex('2134')) AS zip_2134, user_data ? 'email' AS has_email
FROM capi.outbox WHERE event_id LIKE 'zip-%' ORDER BY event_id;
ROLLBACK;

-- Dates of birth with month names in the main European languages; two-digit years stay NULL
SELECT raw, capi.normalize('date_of_birth', raw) AS dob
FROM unnest(ARRAY['16. Februar 1997', '16 février 1997', '16 de febrero de 1997', '16 febbraio 1997',
                  '16 de fevereiro de 1997', '16 februari 1997', '16 lutego 1997 r.', '16 февраля 1997 г.',
                  '16.II.1997', '１９９７年２月１６日', '16 février 97']) AS raw;

-- Countries by native and official long names; "N/A" is not Namibia
SELECT raw, capi.normalize('country', raw) AS country
FROM unnest(ARRAY['Éire', 'Bundesrepublik Deutschland', 'République française', 'Schweizerische Eidgenossenschaft',
                  'Hrvatska', 'Republic of China', 'N/A']) AS raw;

-- Why would a row not match? (the query of README.md's analyst section)
CREATE TEMP TABLE customers (id int, email text, phone text, first_name text, last_name text, city text,
                             state text, zip text, country text, gender text, date_of_birth text);
INSERT INTO customers VALUES
  (1, 'John_Smith@gmail.com', '(650) 555-1212', 'John', 'Smith', 'Palo Alto', 'Calif.', '94301', 'USA', 'Mr.', 'Feb 16, 1997'),
  (2, '"Anna Müller" <anna@example.de>', '0049 30 1234567', 'Anna', 'Müller', 'Berlin', 'Berlin', '10115', 'Deutschland', 'Frau', '16. Februar 1997'),
  (3, 'not-an-email', '030 1234567', 'Li', 'Wang', 'Beijing', NULL, NULL, 'N/A', 'x', '16/02/97'),
  (4, NULL, '(123) 456-7890', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (5, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', NULL, '!!!', 'Ng', NULL, NULL, NULL, 'Éire', 'F', NULL);
SELECT c.id, u.unusable
FROM customers AS c
CROSS JOIN LATERAL (
    SELECT capi.normalize('country', c.country, 'google') AS region) AS r
CROSS JOIN LATERAL (
    SELECT array_remove(ARRAY[
        CASE WHEN c.email IS NOT NULL AND capi.hash('email', c.email) IS NULL THEN 'email' END,
        CASE WHEN c.phone IS NOT NULL AND capi.hash('phone', c.phone, 'meta', r.region) IS NULL THEN 'phone' END,
        CASE WHEN c.first_name IS NOT NULL AND capi.hash('fn', c.first_name) IS NULL THEN 'first_name' END,
        CASE WHEN c.last_name IS NOT NULL AND capi.hash('ln', c.last_name) IS NULL THEN 'last_name' END,
        CASE WHEN c.zip IS NOT NULL AND capi.hash('zip', c.zip, 'meta', r.region) IS NULL THEN 'zip' END,
        CASE WHEN c.country IS NOT NULL AND r.region IS NULL THEN 'country' END,
        CASE WHEN c.gender IS NOT NULL AND capi.hash('gender', c.gender) IS NULL THEN 'gender' END,
        CASE WHEN c.date_of_birth IS NOT NULL
              AND capi.hash('date_of_birth', c.date_of_birth, 'meta', r.region) IS NULL THEN 'date_of_birth' END,
        CASE WHEN capi.hash('email', c.email) IS NULL AND capi.hash('phone', c.phone, 'meta', r.region) IS NULL
             THEN 'no email or phone' END], NULL) AS unusable) AS u
WHERE cardinality(u.unusable) > 0
ORDER BY c.id;

-- The functions describe the region they take
SELECT p.proname, obj_description(p.oid, 'pg_proc') LIKE '%region%' AS describes_region
FROM pg_proc AS p WHERE p.pronamespace = 'capi'::regnamespace AND p.proname IN ('normalize', 'hash', 'user_data')
ORDER BY p.proname;
