# The inputs the bad-input catalogue (sql/bad_inputs.sql) shows as accepted are delivered, and an
# event too large for its platform's request body limit fails alone: the platform answers 413 for the
# batch, the pipeline splits it until the large event is alone, that event becomes failed with the
# platform's reason and every other event of the batch is delivered; the queue goes on.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;

# A platform whose request bodies may be at most 48 kB (test server: 413 above it). The INSERT accepts
# custom_data up to 64 kB, so one event can exceed this limit on its own.
my $limit = 48 * 1024;
start_test_server(extra => [ '--max-body-bytes', $limit ]);
my $node = new_capi_node('bad_inputs');
add_meta_destination($node, 'meta_strict');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# --- the catalogue's normalizations, and a 60 kB event among small ones, in one transaction ----------
# One transaction: the worker reads them together, so they share a batch.
sql(q{UPDATE capi.destinations SET enabled = false WHERE name = 'meta_strict'});
sql(q{
	BEGIN;
	INSERT INTO capi.outbox (event_id, event_name, action_source, user_data, custom_data, consent, event_source_url)
	VALUES ('ok-bidi', 'Lead', 'system_generated', E'{"email": "\u202Ajane@example.org\u202C"}', NULL, NULL, NULL),
	       ('ok-unusable', 'Lead', 'system_generated', '{"email": "not an email", "external_id": "c-1"}', NULL, NULL, NULL),
	       ('ok-currency', 'Lead', 'system_generated', '{"external_id": "c-2"}', '{"value": 0, "currency": "jpy"}', NULL, NULL),
	       ('ok-nulls', 'Lead', 'system_generated', '{"external_id": "c-3"}', '{"value": null, "currency": null}', NULL, NULL),
	       ('ok-json-null', 'Lead', 'system_generated', '{"external_id": "c-6"}', 'null', 'null', NULL),
	       ('ok-blank-url', 'Lead', 'system_generated', '{"external_id": "c-4"}', NULL, NULL, '');
	INSERT INTO capi.outbox (event_id, event_name, action_source, user_data, custom_data)
	VALUES ('too-large', 'Lead', 'system_generated', '{"external_id": "c-5"}', jsonb_build_object('note', repeat('n', 60 * 1024)));
	INSERT INTO capi.outbox (event_id, event_name, action_source, user_data)
	SELECT 'small-' || g, 'Lead', 'system_generated', jsonb_build_object('external_id', 'c-small-' || g)
	FROM generate_series(1, 10) g;
	COMMIT;
});
sql(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_strict'});

ok(wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE status IN ('delivered', 'failed')}) == 17 }, 60),
	'all 17 events are settled') or diag(undelivered_rows($node));
is(sql(q{SELECT string_agg(event_id, ',' ORDER BY event_id) FROM capi.delivery_status
	WHERE status <> 'delivered'}),
	'too-large', 'only the event above the body limit is not delivered') or diag(undelivered_rows($node));
# {"value": null, "currency": null} is accepted at INSERT as values left out, and sent as left out
# (Meta, like the test server, refuses "value": null).
is(delivery_status_of($node, 'ok-nulls'), 'delivered', 'custom_data with null value and currency is delivered');
is(delivery_status_of($node, 'too-large'), 'failed', 'the large event is failed');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'too-large'}),
	qr/HTTP 413/, 'its last_error is the platform\'s 413');
is(batch_count($node, 'in_flight', 'retrying'), 0, 'no batch is left open');
my $stats = server_stats();
is($stats->{accepted_events}, 16,
	'the platform received every other event');
is($stats->{duplicate_events} // 0, 0, 'none twice');

# --- the queue goes on --------------------------------------------------------------------------------
insert_events($node, 20, 'later-');
ok(wait_until(sub { delivery_count($node, 'delivered', prefix => 'later-') == 20 }, 30),
	'later events are delivered') or diag(undelivered_rows($node));

stop_and_check_log($node);
done_testing();
