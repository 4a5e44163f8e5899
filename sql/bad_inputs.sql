-- Bad-input catalogue (issue 14): malformed inputs to capi.outbox (as an application, a member of
-- capi_writer), to capi.destinations (as a member of capi_admin) and to the SQL functions. Each row
-- of the results is one input: "SQLSTATE: message" when it is refused, or "accepted" for the
-- documented normalizations (shown afterwards). Never XX000, a crash or a hang: every group runs
-- under a statement_timeout far above what it needs, the 100 MB inputs included. All of it runs in
-- one transaction that is rolled back. Inputs already covered elsewhere (input_bounds, insert_checks,
-- outbox, destinations, endpoints, user_data, identity) are not repeated here.
\pset null '<null>'
BEGIN;
CREATE ROLE bi_app;
GRANT capi_writer TO bi_app;
CREATE ROLE bi_dba;
GRANT capi_admin TO bi_dba;
-- One input in its own subtransaction: its error as "SQLSTATE: message", or "accepted". Times and
-- second counts in event_time messages depend on now() and are masked.
CREATE FUNCTION pg_temp.try(label text, statement text) RETURNS TABLE (input text, result text)
LANGUAGE plpgsql AS $$
BEGIN
	input := label;
	BEGIN
		EXECUTE statement;
		result := 'accepted';
	EXCEPTION WHEN OTHERS THEN
		result := regexp_replace(regexp_replace(SQLSTATE || ': ' || SQLERRM,
		                                        'event_time \S+ \S+ UTC', 'event_time <time> UTC'),
		                         'is \d+ s in the future', 'is <n> s in the future');
	END;
	RETURN NEXT;
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.try(text, text) TO PUBLIC;
SET statement_timeout = '20s';

-- The destination the application's events go to (Meta: website events need event_source_url and
-- client_user_agent; standard names must be cased as Meta spells them).
SET ROLE bi_dba;
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('bi-meta', 'meta', '{"pixel_id": "1234567890", "api_version": "v25.0"}', '{"access_token": "EAA-bad-inputs"}');

-- ==== capi.outbox: event_id and event_name ====
SET ROLE bi_app;
SELECT t.* FROM (VALUES
 ('id NULL', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (NULL, 'Lead', 'app')$$),
 ('id blank', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E' \t ', 'Lead', 'app')$$),
 ('id zero-width space only', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'\u200B\u200B', 'Lead', 'app')$$),
 ('id BOM and NBSP only', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'\uFEFF\u00A0', 'Lead', 'app')$$),
 ('id CR LF header injection', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-1\r\nX-Injected: 1', 'Lead', 'app')$$),
 ('id lone LF', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-1\n', 'Lead', 'app')$$),
 ('id TAB', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order\t1', 'Lead', 'app')$$),
 ('id ESC (terminal escape)', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-\x1b[31m1', 'Lead', 'app')$$),
 ('id DEL', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-1\x7f', 'Lead', 'app')$$),
 ('id C1 NEL U+0085', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-1\u0085', 'Lead', 'app')$$),
 ('id NUL', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-1\u0000', 'Lead', 'app')$$),
 ('id bidi override U+202E', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order-\u202E1-redro', 'Lead', 'app')$$),
 ('id bidi isolate U+2066', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'\u2066order-1\u2069', 'Lead', 'app')$$),
 ('id line separator U+2028', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (E'order\u20281', 'Lead', 'app')$$),
 ('id 257 characters', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (repeat('é', 257), 'Lead', 'app')$$),
 ('id 1 MB', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (repeat('x', 1024 * 1024), 'Lead', 'app')$$),
 ('id email address', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('order-john.smith@example.com', 'Lead', 'app')$$),
 ('name NULL', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', NULL, 'app')$$),
 ('name empty', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', '', 'app')$$),
 ('name word joiner only', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', E'\u2060', 'app')$$),
 ('name 101 characters', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', repeat('L', 101), 'app')$$),
 ('name 1 MB', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', repeat('L', 1024 * 1024), 'app')$$),
 ('name CR LF', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', E'Lead\r\nSet-Cookie: a=b', 'app')$$),
 ('name bidi override', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', E'\u202EdaeL', 'app')$$),
 ('name with surrounding blanks', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', ' Lead ', 'app')$$),
 ('name email address', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'lead-from-jane@example.org', 'app')$$),
 ('name standard name in capitals', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'LEAD', 'app')$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;

-- ==== capi.outbox: 100 MB values fail at once ====
-- One statement each: the timeout, far above what each needs, makes slowness an error.
SET statement_timeout = '10s';
SELECT * FROM pg_temp.try('id 100 MB', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES (repeat(repeat('x', 1024), 100 * 1024), 'Lead', 'app')$$);
SELECT * FROM pg_temp.try('name 100 MB', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', repeat(repeat('L', 1024), 100 * 1024), 'app')$$);
SELECT * FROM pg_temp.try('action_source 100 MB', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', repeat(repeat('a', 1024), 100 * 1024))$$);
SELECT * FROM pg_temp.try('event_source_url 100 MB', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://shop.example/' || repeat(repeat('p', 1024), 100 * 1024), '{"client_user_agent": "Mozilla/5.0"}')$$);
SELECT * FROM pg_temp.try('custom_data 100 MB string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('note', repeat(repeat('n', 1024), 100 * 1024)))$$);
SELECT * FROM pg_temp.try('user_data 100 MB string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('external_id', repeat(repeat('e', 1024), 100 * 1024)))$$);
SELECT * FROM pg_temp.try('consent 100 MB string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('opt_out', repeat(repeat('f', 1024), 100 * 1024)))$$);
SELECT * FROM pg_temp.try('destinations 100 MB name', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY[repeat(repeat('d', 1024), 100 * 1024)])$$);
SET statement_timeout = '20s';

-- ==== capi.outbox: event_time and action_source ====
SELECT t.* FROM (VALUES
 ('time infinity', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', 'infinity')$$),
 ('time -infinity', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', '-infinity')$$),
 ('time NULL', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', NULL)$$),
 ('time 4713 BC', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', '4713-01-01 00:00:00+00 BC')$$),
 ('time year 294276', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', '294276-12-31 00:00:00+00')$$),
 ('time year 294277 (beyond timestamptz)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', '294277-01-01 00:00:00+00')$$),
 ('time the Unix epoch', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', 'epoch')$$),
 ('time 1 second before the epoch', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', '1969-12-31 23:59:59+00')$$),
 ('time 367 days ago', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', now() - interval '367 days')$$),
 ('time 11 minutes ahead', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', now() + interval '11 minutes')$$),
 ('time in milliseconds as seconds (year 56000)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', to_timestamp(1733000000000))$$),
 ('time month 13', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_time) VALUES ('bi-1', 'Lead', 'app', '2026-13-01')$$),
 ('action_source NULL', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', NULL)$$),
 ('action_source empty', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', '')$$),
 ('action_source capitals', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', 'APP')$$),
 ('action_source trailing blank', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', 'app ')$$),
 ('action_source CR LF', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', E'app\r\nX: 1')$$),
 ('action_source TikTok spelling', $$INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('bi-1', 'Lead', 'web')$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;

-- ==== capi.outbox: event_source_url (a website event) ====
SELECT t.* FROM (VALUES
 ('url file:///etc/passwd', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'file:///etc/passwd', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url gopher://', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'gopher://shop.example:70/1', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url javascript:', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'javascript:alert(1)', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url data:', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'data:text/html,<script>x</script>', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url scheme-relative', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', '//shop.example/checkout', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url no host', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https:///checkout', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url port only', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://:443/', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url user:password@', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://admin:hunter2@shop.example/', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url CR LF', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', E'https://shop.example/\r\nSet-Cookie: a=b', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url space', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://shop.example/my cart', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url 8193 bytes', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://shop.example/' || repeat('p', 8193 - 21), '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url percent-encoded email in query', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://shop.example/?u=jane%40example.org', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url email in fragment', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', 'https://shop.example/#jane@example.org', '{"client_user_agent": "Mozilla/5.0"}')$$),
 ('url blank (absent) on a website event', $$INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data) VALUES ('bi-1', 'Lead', '', '{"client_user_agent": "Mozilla/5.0"}')$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;

-- ==== capi.outbox: custom_data ====
SELECT t.* FROM (VALUES
 ('custom_data array', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '[1, 2]')$$),
 ('custom_data string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '"{\"value\": 1}"')$$),
 ('custom_data number', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '42')$$),
 ('custom_data boolean', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', 'true')$$),
 ('custom_data not JSON', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{value: 1}')$$),
 ('value NaN', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": NaN, "currency": "USD"}')$$),
 ('value Infinity', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": Infinity, "currency": "USD"}')$$),
 ('value "NaN" as text', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": "NaN", "currency": "USD"}')$$),
 ('value NaN through to_jsonb', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('value', 'NaN'::numeric, 'currency', 'USD'))$$),
 ('value Infinity through to_jsonb', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('value', 'Infinity'::float8, 'currency', 'USD'))$$),
 ('value 1e400', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1e400, "currency": "USD"}')$$),
 ('value 1e-400 (accepted: a non-negative number)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-tiny', 'Lead', 'app', '{"value": 1e-400, "currency": "USD"}')$$),
 ('value string "12.50"', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": "12.50", "currency": "USD"}')$$),
 ('value -0.01', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": -0.01, "currency": "USD"}')$$),
 ('value given twice, last negative', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "value": -1, "currency": "USD"}')$$),
 ('currency XXX (no currency)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "currency": "XXX"}')$$),
 ('currency BTC', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "currency": "BTC"}')$$),
 ('currency numeric code 840', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "currency": 840}')$$),
 ('currency empty', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "currency": ""}')$$),
 ('currency with blank', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "currency": "USD "}')$$),
 ('currency symbol', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"value": 1, "currency": "€"}')$$),
 ('currency 1 kB with CR LF', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('value', 1, 'currency', E'USD\r\n' || repeat('x', 1024)))$$),
 ('contents object', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": {"id": "SKU-1"}}')$$),
 ('contents of numbers', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [1, 2]}')$$),
 ('contents item empty', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{}]}')$$),
 ('contents quantity -1', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "SKU-1", "quantity": -1}]}')$$),
 ('contents quantity 1.5', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "SKU-1", "quantity": 1.5}]}')$$),
 ('contents quantity 1e300', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "SKU-1", "quantity": 1e300}]}')$$),
 ('contents item_price "free"', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "SKU-1", "item_price": "free"}]}')$$),
 ('contents id blank', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "  "}]}')$$),
 ('contents delivery_category unknown', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "SKU-1", "delivery_category": "drone"}]}')$$),
 ('num_items negative', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"num_items": -3}')$$),
 ('num_items text', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"num_items": "3"}')$$),
 ('content_ids a string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"content_ids": "SKU-1"}')$$),
 ('content_ids of objects', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"content_ids": [{"id": "SKU-1"}]}')$$),
 ('order_id an object', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"order_id": {"id": 1}}')$$),
 ('predicted_ltv text', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"predicted_ltv": "high"}')$$),
 ('custom_data 17 levels deep', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', (repeat('{"a":', 17) || '1' || repeat('}', 17))::jsonb)$$),
 ('custom_data 5000 levels deep', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', (repeat('[', 5000) || repeat(']', 5000))::jsonb)$$),
 ('custom_data 64 kB + 1', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('note', repeat('n', 64 * 1024 - 11 + 1)))$$),
 ('custom_data 1 MB string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('note', repeat('n', 1024 * 1024)))$$),
 ('custom_data 100,000 small keys', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', (SELECT jsonb_object_agg('k' || i, i) FROM generate_series(1, 100000) i))$$),
 ('custom_data NUL escape', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"note": "a\u0000b"}')$$),
 ('custom_data lone surrogate escape', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"note": "\ud800"}')$$),
 ('custom_data email in a nested key', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"meta": {"jane@example.org": 1}}')$$),
 ('custom_data key "phone"', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-1', 'Lead', 'app', '{"contents": [{"id": "SKU-1", "phone": "+16505551212"}]}')$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;

-- ==== capi.outbox: consent, user_data, destinations, columns the trigger owns ====
SELECT t.* FROM (VALUES
 ('consent array', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '["opt_out"]')$$),
 ('consent opt_out "yes"', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"opt_out": "yes"}')$$),
 ('consent opt_out 1', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"opt_out": 1}')$$),
 ('consent misspelt key', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"optout": true}')$$),
 ('consent ldu country -1', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"ldu": {"country": -1}}')$$),
 ('consent ldu state 1e10', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"ldu": {"country": 1, "state": 1e10}}')$$),
 ('consent ldu unknown key', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"ldu": {"city": 1}}')$$),
 ('consent ad_user_data "GRANTED"', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"ad_user_data": "GRANTED"}')$$),
 ('consent ad_personalization true', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', '{"ad_personalization": true}')$$),
 ('consent 5 kB', $$INSERT INTO capi.outbox (event_id, event_name, action_source, consent) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('opt_out', repeat('f', 5000)))$$),
 ('user_data array', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', '["jane@example.org"]')$$),
 ('user_data string', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', '"jane@example.org"')$$),
 ('user_data email an object', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', '{"email": {"address": "jane@example.org"}}')$$),
 ('user_data email nested arrays', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', '{"email": [["jane@example.org"]]}')$$),
 ('user_data phone NaN', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', '{"phone": NaN}')$$),
 ('user_data phone 1e400', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', '{"phone": 1e400}')$$),
 ('user_data 2000 levels deep', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', ('{"email":' || repeat('[', 2000) || repeat(']', 2000) || '}')::jsonb)$$),
 ('user_data 1 MB user agent', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-1', 'Lead', 'app', jsonb_build_object('client_user_agent', repeat('M', 1024 * 1024)))$$),
 ('destinations empty array', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', '{}')$$),
 ('destinations NULL element', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY[NULL]::text[])$$),
 ('destinations empty name', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY[''])$$),
 ('destinations unknown', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY['bi-nowhere'])$$),
 ('destinations differently cased', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY['BI-META'])$$),
 ('destinations name with LF', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY[E'bi-meta\n'])$$),
 ('destinations two-dimensional (accepted: read as a list)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-1', 'Lead', 'app', ARRAY[['bi-meta'], ['bi-meta']])$$),
 ('destinations 100,000 names (accepted: not bounded yet)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, destinations) VALUES ('bi-2', 'Lead', 'app', array_fill('bi-meta'::text, ARRAY[100000]))$$),
 ('own txid (a restore)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, txid) VALUES ('bi-1', 'Lead', 'app', '1')$$),
 ('own created_at (a backdate)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, created_at) VALUES ('bi-1', 'Lead', 'app', now() - interval '1 year')$$),
 ('own id', $$INSERT INTO capi.outbox (id, event_id, event_name, action_source) OVERRIDING SYSTEM VALUE VALUES (-1, 'bi-1', 'Lead', 'app')$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;

-- ==== capi.outbox: documented normalizations (accepted) ====
SELECT t.* FROM (VALUES
 ('bidi mark around an email', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-ok-1', 'Lead', 'app', E'{"email": "\u202Ajane@example.org\u202C"}')$$),
 ('unusable identifier keys', $$INSERT INTO capi.outbox (event_id, event_name, action_source, user_data) VALUES ('bi-ok-2', 'Lead', 'app', '{"email": "not an email", "shoe_size": 42}')$$),
 ('currency in lower case', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-ok-3', 'Lead', 'app', '{"value": 0, "currency": "jpy"}')$$),
 ('null values in custom_data', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-ok-4', 'Lead', 'app', '{"value": null, "currency": null}')$$),
 ('JSON null columns', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data, consent, user_data) VALUES ('bi-ok-5', 'Lead', 'app', 'null', 'null', 'null')$$),
 ('blank event_source_url on an app event', $$INSERT INTO capi.outbox (event_id, event_name, action_source, event_source_url) VALUES ('bi-ok-6', 'Lead', 'app', '')$$),
 ('custom_data 60 kB (inside the limit)', $$INSERT INTO capi.outbox (event_id, event_name, action_source, custom_data) VALUES ('bi-ok-7', 'Lead', 'app', jsonb_build_object('note', repeat('n', 60 * 1024)))$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;
RESET ROLE;
SELECT event_id, user_data ? 'em' AS email_hashed, unusable_identifiers, custom_data, consent,
       event_source_url, length(custom_data::text) AS custom_data_bytes
FROM capi.outbox WHERE event_id LIKE 'bi-ok-%' ORDER BY event_id;

-- ==== capi.destinations (as capi_admin) ====
SET ROLE bi_dba;
SELECT t.* FROM (VALUES
 ('name NULL', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES (NULL, 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('name empty', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('name CR LF', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES (E'shop\r\nX: 1', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('name bidi override', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES (E'\u202Eatem', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('name 1 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES (repeat('n', 1024 * 1024), 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('platform NULL', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', NULL, '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('platform capitals', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'META', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('platform empty', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', '', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$),
 ('config array', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '["1"]', '{"access_token": "EAA-x"}')$$),
 ('config NULL', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', NULL, '{"access_token": "EAA-x"}')$$),
 ('pixel_id a number', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": 1234567890}', '{"access_token": "EAA-x"}')$$),
 ('pixel_id with LF', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', E'{"pixel_id": "123\\n"}', '{"access_token": "EAA-x"}')$$),
 ('pixel_id path traversal', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "../../me"}', '{"access_token": "EAA-x"}')$$),
 ('pixel_id 1 MB of digits', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', jsonb_build_object('pixel_id', repeat('1', 1024 * 1024)), '{"access_token": "EAA-x"}')$$),
 ('api_version v1', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1", "api_version": "v1"}', '{"access_token": "EAA-x"}')$$),
 ('api_version with a path', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1", "api_version": "v25.0/../../x"}', '{"access_token": "EAA-x"}')$$),
 ('config 100 levels deep', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', ('{"pixel_id": "1", "x":' || repeat('[', 100) || repeat(']', 100) || '}')::jsonb, '{"access_token": "EAA-x"}')$$),
 ('credentials array', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '["EAA-x"]')$$),
 ('token a number', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": 12345}')$$),
 ('token blank (accepted: a 401 pauses the destination)', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-blank', 'meta', '{"pixel_id": "1"}', '{"access_token": "   "}')$$),
 ('token CR LF header injection (Meta)', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x\r\nX-Injected: 1"}')$$),
 ('token CR LF header injection (TikTok)', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'tiktok', '{"pixel_code": "CABCDEFGHIJ"}', '{"access_token": "tt\r\nX-Injected: 1"}')$$),
 ('token CR LF header injection (Pinterest)', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'pinterest', '{"ad_account_id": "549755885175"}', '{"access_token": "pina\r\nX-Injected: 1"}')$$),
 ('token NUL escape', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA\u0000x"}')$$),
 ('token 1 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', repeat('t', 1024 * 1024)))$$),
 ('TikTok pixel_code with LF', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'tiktok', '{"pixel_code": "CABC\nDEF"}', '{"access_token": "tt"}')$$),
 ('Google account id with letters', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'google', '{"operating_account_id": "123-abc", "conversion_actions": {"Purchase": "1"}}', '{"access_token": "ya29.x"}')$$),
 ('credential file outside the directory', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": {"file": "../../etc/passwd"}}')$$),
 ('endpoint file:///etc/passwd', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'file:///etc/passwd')$$),
 ('endpoint gopher://', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'gopher://graph.facebook.com:70/_')$$),
 ('endpoint ftp://', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'ftp://graph.facebook.com')$$),
 ('endpoint dict://', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'dict://127.0.0.1:6379/info')$$),
 ('endpoint without scheme', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'graph.facebook.com')$$),
 ('endpoint empty (accepted: no override, as NULL)', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', '')$$),
 ('endpoint CR LF', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', E'https://graph.facebook.com\r\nHost: evil.example')$$),
 ('endpoint port 99999', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'https://graph.facebook.com:99999')$$),
 ('endpoint with a query', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'https://graph.facebook.com?redirect=evil')$$),
 ('endpoint with a fragment', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'https://graph.facebook.com#x')$$),
 ('endpoint IPv6 loopback', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'http://[::1]:8080')$$),
 ('endpoint backslash host trick', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'https://evil.example\@graph.facebook.com')$$),
 ('endpoint 1 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'https://graph.facebook.com' || repeat('/', 1024 * 1024))$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;
SET statement_timeout = '10s';
SELECT * FROM pg_temp.try('config 100 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', jsonb_build_object('pixel_id', '1', 'x', repeat(repeat('c', 1024), 100 * 1024)), '{"access_token": "EAA-x"}')$$);
SELECT * FROM pg_temp.try('credentials 100 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', jsonb_build_object('access_token', repeat(repeat('t', 1024), 100 * 1024)))$$);
SELECT * FROM pg_temp.try('endpoint 100 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES ('bi-d', 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}', 'https://graph.facebook.com/' || repeat(repeat('e', 1024), 100 * 1024))$$);
SELECT * FROM pg_temp.try('name 100 MB', $$INSERT INTO capi.destinations (name, platform, config, credentials) VALUES (repeat(repeat('n', 1024), 100 * 1024), 'meta', '{"pixel_id": "1"}', '{"access_token": "EAA-x"}')$$);
SET statement_timeout = '20s';
-- An UPDATE is checked as an INSERT is.
SELECT t.* FROM (VALUES
 ('update token to CR LF', $$UPDATE capi.destinations SET credentials = '{"access_token": "EAA\r\nX: 1"}' WHERE name = 'bi-meta'$$),
 ('update endpoint to gopher://', $$UPDATE capi.destinations SET endpoint = 'gopher://graph.facebook.com' WHERE name = 'bi-meta'$$),
 ('update platform to unknown', $$UPDATE capi.destinations SET platform = 'myspace' WHERE name = 'bi-meta'$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;

-- ==== SQL functions ====
SET statement_timeout = '10s';
SELECT t.* FROM (VALUES
 ('normalize: unknown field', $$SELECT capi.normalize('shoe_size', '42')$$),
 ('normalize: unknown platform', $$SELECT capi.normalize('email', 'jane@example.org', 'myspace')$$),
 ('normalize: unknown region', $$SELECT capi.normalize('phone', '650 555 1212', 'meta', 'XX')$$),
 ('normalize: region 1 MB', $$SELECT capi.normalize('phone', '650 555 1212', 'meta', repeat('U', 1024 * 1024))$$),
 ('normalize: field 1 MB', $$SELECT capi.normalize(repeat('f', 1024 * 1024), 'x')$$),
 ('hash: unknown platform', $$SELECT capi.hash('email', 'jane@example.org', 'MySpace')$$),
 ('user_data: array', $$SELECT capi.user_data('["jane@example.org"]')$$),
 ('user_data: number', $$SELECT capi.user_data('42')$$),
 ('user_data: email a boolean', $$SELECT capi.user_data('{"email": true}')$$),
 ('user_data: 10,000 levels deep', $$SELECT capi.user_data(('{"email":' || repeat('[', 10000) || repeat(']', 10000) || '}')::jsonb)$$),
 ('match_quality: unknown platform', $$SELECT capi.match_quality('{"email": "jane@example.org"}', 'myspace')$$),
 ('match_score: negative keys', $$SELECT capi.match_score(-1, 'meta')$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;
SELECT * FROM pg_temp.try('hash: external_id 100 MB', $$SELECT capi.hash('external_id', repeat(repeat('e', 1024), 100 * 1024))$$);
SELECT * FROM pg_temp.try('user_data: 100 MB', $$SELECT capi.user_data(jsonb_build_object('email', repeat(repeat('a', 1024), 100 * 1024)))$$);
SELECT * FROM pg_temp.try('sha256_hex: 100 MB (hashed, not refused)', $$SELECT capi.sha256_hex(repeat(repeat('s', 1024), 100 * 1024)) IS NOT NULL$$);
SET statement_timeout = '20s';
SELECT t.* FROM (VALUES
 ('preview: unknown destination', $$SELECT capi.preview('bi-1', E'bi-meta\r\n')$$),
 ('preview: event id 1 MB', $$SELECT capi.preview(repeat('x', 1024 * 1024), 'bi-meta')$$),
 ('dry_run: unknown destination', $$SELECT * FROM capi.dry_run('bi-nowhere')$$),
 ('dry_run: n = -1', $$SELECT * FROM capi.dry_run('bi-meta', -1)$$),
 ('dry_run: n = 2^31-1', $$SELECT count(*) FROM capi.dry_run('bi-meta', 2147483647)$$),
 ('dry_run: test code with CR LF', $$SELECT * FROM capi.dry_run('bi-meta', 1, E'TEST\r\nX: 1')$$),
 ('retry_failed: unknown destination', $$SELECT capi.retry_failed('bi-nowhere')$$),
 ('retry_failed: since infinity', $$SELECT capi.retry_failed('bi-meta', 'infinity')$$),
 ('discard_failed: unknown destination', $$SELECT capi.discard_failed('bi-nowhere')$$),
 ('correct_failed: unknown event', $$SELECT capi.correct_failed('bi-nothing', 'bi-meta')$$),
 ('correct_failed: NULL event id', $$SELECT capi.correct_failed(NULL, 'bi-meta')$$),
 ('has_undelivered_events: NULL', $$SELECT capi.has_undelivered_events(NULL)$$)
) AS c(input, statement), pg_temp.try(c.input, c.statement) AS t;
RESET ROLE;
SELECT count(*) AS destinations_left FROM capi.destinations;
ROLLBACK;
