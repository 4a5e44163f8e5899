-- Input bounds (issue 8): values no identifier can be normalize to NULL at once, user_data is
-- bounded (22023 naming the key, never a value), Unicode format characters are stripped, and a
-- pending cancel stops the core's loops.
\pset null '<null>'

-- 100 MB values: NULL in milliseconds. The timeout is far above that and far below the minutes
-- such calls took before (ignoring cancel and statement_timeout), so slowness shows as an error here.
SET statement_timeout = '5s';
SELECT capi.normalize('phone', repeat('9999999999', 10 * 1024 * 1024)) AS phone_100mb;
SELECT capi.hash('phone', repeat('9999999999', 10 * 1024 * 1024), 'google') AS phone_100mb;
SELECT capi.hash('email', repeat('aaaaaaaaaa', 10 * 1024 * 1024) || '@example.com') AS email_100mb;
SELECT capi.normalize('first_name', repeat('Valéry', 15 * 1024 * 1024)) AS name_100mb;
SELECT capi.normalize('city', repeat('São Paulo ', 10 * 1024 * 1024), 'google') AS city_100mb;
RESET statement_timeout;

-- The limits (bytes as given, surrounding white space included): phone 128, email 512 (and the
-- address itself at most 254 octets, RFC 5321), names/city/state/street 512, country 256,
-- zip/gender/date_of_birth 128, external_id 1024.
SELECT capi.normalize('phone', '+1 650 555 1212' || repeat(' ', 128 - 15)) AS phone_128,
       capi.normalize('phone', '+1 650 555 1212' || repeat(' ', 129 - 15)) AS phone_129;
SELECT capi.normalize('email', repeat('a', 242) || '@example.com') AS email_254,
       capi.normalize('email', repeat('a', 243) || '@example.com') AS email_255;
SELECT capi.normalize('first_name', repeat('a', 512)) = repeat('a', 512) AS name_512,
       capi.normalize('first_name', repeat('a', 513)) AS name_513;
-- an already hashed value with white space around it fits every field
SELECT capi.hash('zip', '   62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F   ') AS hashed_zip;

-- Unicode format characters (category Cf: bidi marks and isolates, zero-width characters, BOM) are
-- stripped before normalizing, so they never change a hash.
SELECT capi.normalize('email', E'\u200FJohn_Smith@gmail.com') AS rlm_email,
       capi.hash('email', E'\u202AJohn_Smith@gmail.com\u202C') = capi.hash('email', 'John_Smith@gmail.com') AS same_hash,
       capi.normalize('first_name', E'\uFEFFVal\u200Déry\u2060') AS zw_name,
       capi.normalize('phone', E'\u2066+1 650 555 1212\u2069') AS isolated_phone;
SELECT capi.hash('email', E'\uFEFF62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f') AS bom_hash;

-- user_data: at most 32 values per key, at most 1 MiB of JSON, numbers within 64-bit integers and
-- doubles (22023); values too long for their field are dropped like other unusable values.
\set VERBOSITY default
SELECT capi.user_data(jsonb_build_object('email', (SELECT jsonb_agg('user' || i || '@example.com') FROM generate_series(1, 33) i)));
SELECT capi.user_data(jsonb_build_object('em', (SELECT jsonb_agg('user' || i || '@example.com') FROM generate_series(1, 20) i),
                                         'email', (SELECT jsonb_agg('user' || i || '@example.com') FROM generate_series(21, 33) i)));
SELECT capi.user_data(jsonb_build_object('client_user_agent', repeat('x', 2 * 1024 * 1024)));
SELECT capi.user_data('{"phone": 1e400}');
SELECT capi.user_data('{"phone": 123456789012345678901234567890}');
-- 40 phones: more values than any identifier takes; 40,000: refused for its size before any parsing.
INSERT INTO capi.outbox (event_id, event_name, user_data)
SELECT 'bounds-1', 'Purchase', jsonb_build_object('phone', jsonb_agg('+1 650 555 ' || (1000 + i)))
FROM generate_series(1, 40) i;
INSERT INTO capi.outbox (event_id, event_name, user_data)
SELECT 'bounds-1', 'Purchase', jsonb_build_object('phone', jsonb_agg('+1 650 555 ' || (1000 + i)))
FROM generate_series(1, 40000) i;
\set VERBOSITY sqlstate
SELECT capi.user_data(jsonb_build_object('email', (SELECT jsonb_agg('user' || i || '@example.com') FROM generate_series(1, 33) i)));
SELECT capi.user_data('{"phone": 1e400}');
\set VERBOSITY default
SELECT capi.user_data(jsonb_build_object('email', (SELECT jsonb_agg('user' || i || '@example.com') FROM generate_series(1, 32) i))) -> 'em' ->> 31 AS thirty_second;
SELECT capi.user_data(jsonb_build_object('email', jsonb_build_array(repeat('a', 600) || '@example.com', 'a@example.com'))) AS too_long_dropped;

-- A pending cancel stops capi.user_data inside its loop over the values: the cancel arrives (a
-- signal to this very backend) before the call, and the sequence after it is never reached.
-- Without the core's poll the call would run to its end and only the executor would notice.
CREATE TEMP TABLE cancel_input AS SELECT '{"email": ["a@example.com", "b@example.com"]}'::jsonb AS identifiers;
CREATE TEMP SEQUENCE reached;
SELECT pg_cancel_backend(pg_backend_pid()) AND capi.user_data(identifiers) IS NOT NULL AND nextval('reached') > 0
FROM cancel_input;
SELECT is_called AS reached_after_user_data FROM reached;
SELECT capi.user_data(identifiers) ->> 'em' IS NOT NULL AS works_afterwards FROM cancel_input;
