-- capi.user_data: each platform's user object, hashed where it wants hashes, plain where plain.
\pset null '<null>'
\set ids '{"email": ["John_Smith@gmail.com", "john_smith@gmail.com "], "phone": "(650) 555-1212", "first_name": "Mary", "last_name": "O''Brien", "city": "New York", "state": "New York", "zip": "10001-1234", "country": "United States", "gender": "F", "date_of_birth": "1997-02-16", "external_id": "CUST-1", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0", "fbc": "fb.1.1554763741205.AbCdEf", "fbp": "fb.1.1558571054389.1098115397", "ttclid": "tt-1", "li_fat_id": "li-1", "sc_click_id": "sc-1", "rdt_uuid": "rdt-1", "epik": "ep-1"}'

SELECT jsonb_pretty(capi.user_data(:'ids', 'meta'));
SELECT jsonb_pretty(capi.user_data(:'ids', 'google'));
SELECT jsonb_pretty(capi.user_data(:'ids', 'tiktok'));
SELECT jsonb_pretty(capi.user_data(:'ids', 'linkedin'));
SELECT jsonb_pretty(capi.user_data(:'ids', 'snap'));
SELECT jsonb_pretty(capi.user_data(:'ids', 'reddit'));
SELECT jsonb_pretty(capi.user_data(:'ids', 'pinterest'));

-- Meta's short keys are accepted; duplicates and values that cannot be normalized are dropped
SELECT capi.user_data('{"em": ["a@example.com", "A@Example.com", "nope"], "ph": null, "client_ip_address": "999.1.1.1"}');
-- already hashed values pass through (lowercased)
SELECT capi.user_data('{"email": "62A14E44F765419D10FEA99367361A727C12365E2520F32218D505ED9AA0F62F"}');
SELECT capi.user_data('{}', 'tiktok'), capi.user_data('{}', 'linkedin');

-- Errors (22023)
\set VERBOSITY default
SELECT capi.user_data('[1, 2]');
SELECT capi.user_data('{"emial": "a@b.com"}');
SELECT capi.user_data('{"email": {"x": 1}}');
SELECT capi.user_data('{}', 'myspace');
