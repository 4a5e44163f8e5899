-- pg_capi demo, run by scripts/demo in a throwaway cluster with pg_capi preloaded.
\pset footer off
\pset null '(null)'
\echo
\echo '== pg_capi is preloaded and installed'
SHOW shared_preload_libraries;
CREATE EXTENSION pg_capi;
SELECT extname, extversion FROM pg_extension WHERE extname = 'pg_capi';

\echo
\echo '== SHA-256 of identifiers, checked against the digests the platforms publish'
SELECT input,
       capi.sha256_hex(input) AS sha256,
       capi.sha256_hex(input) = expected AS matches_published
FROM (VALUES
    ('john_smith@gmail.com', '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f'),
    ('16505551212',          'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176'),
    ('valéry',               '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c')
) AS published(input, expected);

\echo
\echo '== The same customer, normalized as each platform requires'
SELECT p AS platform,
       capi.normalize('email', '  J.Doe+ads@GMail.com ', p) AS email,
       capi.normalize('phone', '(650) 555-1212', p)          AS phone
FROM unnest(ARRAY['meta', 'google', 'tiktok', 'snap', 'reddit', 'pinterest']) AS p;

\echo
\echo '== Names, places, dates (Unicode NFC and case mapping through ICU)'
SELECT capi.normalize('first_name', 'Valéry') AS first_name,
       capi.normalize('last_name', 'O''Brien-Smith') AS last_name,
       capi.normalize('city', 'São Paulo') AS city,
       capi.normalize('state', 'California') AS state,
       capi.normalize('country', 'United Kingdom') AS country,
       capi.normalize('zip', '94035-1234') AS zip,
       capi.normalize('date_of_birth', 'Feb 16, 1997') AS date_of_birth;

\echo
\echo '== What cannot be matched is NULL, never the hash of an empty string'
SELECT capi.hash('email', 'not an email') AS bad_email, capi.hash('phone', '12') AS bad_phone,
       capi.hash('country', 'Atlantis') AS bad_country;

\echo
\echo '== A Meta user_data object built from raw identifiers'
SELECT jsonb_pretty(capi.user_data('{"email": "John_Smith@gmail.com", "phone": "+1 650 555 1212",
                                     "first_name": "Mary", "country": "United States",
                                     "client_ip_address": "203.0.113.7", "fbp": "fb.1.1558571054389.1098115397"}'));
