-- capi.normalize / capi.hash: the SQL surface, published digests, NULL rules and errors.
\pset null '<null>'

-- Published digests (Meta customer information parameters, Google Data Manager, Reddit)
SELECT capi.hash('email', '  John_Smith@gmail.com ') = '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f' AS meta_email;
SELECT capi.hash('phone', '(650)555-1212', 'meta', 'US') = 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176' AS meta_phone;
SELECT capi.hash('fn', 'Mary') = '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec' AS meta_first_name;
SELECT capi.hash('first_name', '정') = '8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14' AS meta_hangul;
SELECT capi.hash('first_name', 'Valéry') = '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c' AS meta_nfc;
-- the same name typed in decomposed form (e + combining acute) hashes the same
SELECT capi.hash('first_name', U&'Vale\0301ry') = capi.hash('first_name', 'Valéry') AS nfd_is_nfc;
SELECT capi.hash('db', '2/16/1997') = '01acdbf6ec7b4f478a225f1a246e5d6767eeab1a7ffa17f025265b5b94f40f0c' AS meta_dob;
SELECT capi.hash('country', 'United States') = '79adb2a2fce5c6ba215fe5f27f532d4e7edbac4b6a5e09e1ef3a08084a904621' AS meta_country;
SELECT capi.hash('email', 'cloudy.sanfrancisco+shopping@gmail.com', 'google') = '223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4' AS google_gmail;
SELECT capi.hash('phone', '(800)555-0100', 'google') = 'fb4f73a6ec5fdb7077d564cdd22c3554b43ce49168550c3b12c547b78c517b30' AS google_phone;
SELECT capi.hash('email', 'Al.ice$+Apple@Example.Com', 'reddit') = 'ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976' AS reddit_email;

-- Normalized forms per platform
SELECT p AS platform,
       capi.normalize('email', 'J.Doe+ads@GMail.com', p) AS email,
       capi.normalize('phone', '+44 (0)20 7946 0958', p) AS phone
FROM unnest(ARRAY['meta', 'google', 'tiktok', 'snap', 'reddit', 'pinterest']) AS p;
SELECT capi.normalize('state', 'California'), capi.normalize('st', ' new york '),
       capi.normalize('country', 'DEU'), capi.normalize('zip', '94035-1234'),
       capi.normalize('gender', 'Female'), capi.normalize('ge', 'male'),
       capi.normalize('date_of_birth', '1997-02-16'), capi.normalize('city', 'New York');

-- Region: national numbers are read with the region argument, else capi.default_region
SELECT capi.normalize('phone', '020 7946 0958', 'meta', 'GB') AS gb_number;
SELECT capi.normalize('phone', '020 7946 0958', 'meta') AS read_as_us;
SET capi.default_region = 'gb';
SELECT capi.normalize('phone', '020 7946 0958', 'meta') AS read_with_setting;
RESET capi.default_region;
SET capi.default_region = 'XX';

-- Already hashed input is lowercased, never hashed again
SELECT capi.hash('email', ' 62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F ');

-- NULL, empty and values that cannot be normalized give NULL, never a hash of ''
SELECT capi.hash('email', NULL) AS null_value, capi.hash('email', '') AS empty,
       capi.hash('email', '   ') AS blank, capi.hash('email', 'not-an-email') AS bad_email,
       capi.hash('phone', '12') AS bad_phone, capi.hash('country', 'Atlantis') AS bad_country,
       capi.hash(NULL, 'x') AS null_field;

-- Unknown names are errors (SQLSTATE 22023) naming the valid ones
\set VERBOSITY default
SELECT capi.hash('emial', 'a@b.com');
SELECT capi.hash('email', 'a@b.com', 'facebook');
SELECT capi.normalize('phone', '+16505551212', 'linkedin');
\set VERBOSITY sqlstate
SELECT capi.hash('emial', 'a@b.com');

-- Function properties
SELECT proname, provolatile, proparallel
FROM pg_proc WHERE pronamespace = 'capi'::regnamespace AND proname IN ('normalize', 'hash', 'user_data')
ORDER BY proname;

-- Any role may call the identity functions
CREATE ROLE capi_test_analyst LOGIN;
SET ROLE capi_test_analyst;
SELECT capi.hash('email', 'John_Smith@gmail.com') = capi.sha256_hex('john_smith@gmail.com') AS analyst_can_hash;
RESET ROLE;
DROP ROLE capi_test_analyst;
