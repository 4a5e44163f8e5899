# Snap Conversions API v3 delivery through the loopback stand-in (test/server/platforms/snap/):
# batches of at most 2,000, the body Snap expects (hashed user_data arrays, seconds, Snap event names,
# WEB), a wrong access_token that pauses the destination (HTTP 401), HTTP 429 retried, a batch
# rejected over one event (INVALID naming its index) isolated to that event, consent (ad_user_data
# denied: skipped with the reason; ldu: data_processing_options LDU), an event name Snap has no event
# for (skipped with the reason), config.validate (the /events/validate endpoint), no token in the log.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $SC_TOKEN = 'snap-tap-secret-token-4e7a90';
my $PIXEL_ID = 'a1b2c3d4-0000-4000-8000-1234567890ab';
start_test_server(extra => ['--token', "snap=$SC_TOKEN"]);
my $node = new_capi_node('snap', conf => ["capi.auth_failure_pause = '20s'"]);
add_destination($node, 'sc_main', 'snap', qq{{"pixel_id": "$PIXEL_ID"}}, qq{{"access_token": "$SC_TOKEN"}});

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Inserts one event per row of @rows: [event_id, event_name, consent JSON or undef], for $destination.
sub insert_rows {
	my ($destination, @rows) = @_;
	my $values = join(",\n", map {
		my ($id, $name, $consent) = @$_;
		$consent = defined $consent ? "'$consent'::jsonb" : 'NULL';
		qq{('$id', '$name', now(), 'website', 'https://shop.example/p/$id',
		   '{"email": "Buyer\@Example.com", "phone": "+1 650 555 1212", "city": "New York",
		     "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0", "sc_click_id": "sc-tap-1"}'::jsonb,
		   '{"value": 12.5, "currency": "USD"}'::jsonb, $consent, ARRAY['$destination'])}
	} @rows);
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_time, action_source, event_source_url,
		user_data, custom_data, consent, destinations) VALUES $values});
}

# --- batching at the cap: 4,500 events go as 2,000 + 2,000 + 500 ----------------------------------
reset_server();
insert_events($node, 4500, 'a-', destinations => q{'sc_main'});
wait_for_status_counts($node, 'sc_main', 'a-', { delivered => 4500 });
my $stats = server_stats();
is($stats->{platforms}{snap}{accepted_events}, 4500, 'Snap accepted 4500 events') or diag(encode_json($stats));
is($stats->{platforms}{snap}{test_events}, 0, 'none of them to the validate endpoint');
is($stats->{duplicate_events}, 0, 'no duplicates');
is_deeply($stats->{batch_sizes}, { 2000 => 2, 500 => 1 }, 'batches of 2000, 2000 and 500');

# --- what Snap received -----------------------------------------------------------------------------
{
	my @events = recorded_events('snap');
	is(scalar @events, 4500, 'record file holds 4500 Snap events');
	is((grep { $_->{destination} ne $PIXEL_ID } @events), 0, 'all for the pixel id in the path');
	my ($bad_email, $bad_phone, $bad_time, $bad_name) = (0, 0, 0, 0);
	my $now = time();
	for my $line (@events) {
		my $event = $line->{event};
		$bad_email++ unless all_sha256_hex($event->{user_data}{em});
		$bad_phone++ unless all_sha256_hex($event->{user_data}{ph});
		$bad_time++ unless $event->{event_time} =~ /^\d+$/ && abs($event->{event_time} - $now) < 3600;
		$bad_name++ unless $event->{event_name} eq 'PURCHASE' && $event->{event_id} =~ /^a-\d+$/;
	}
	is($bad_email, 0, 'every user_data.em is an array of 64-hex hashes');
	is($bad_phone, 0, 'every user_data.ph is an array of 64-hex hashes');
	is($bad_time,  0, 'every event_time is in Unix seconds');
	is($bad_name,  0, 'every event is a PURCHASE with its event_id');
	my ($first) = grep { $_->{event_id} eq 'a-1' } @events;
	is($first->{event}{user_data}{client_ip_address}, '203.0.113.7', 'client_ip_address sent plain');
	is($first->{event}{action_source}, 'WEB', 'action_source WEB');
	is($first->{event}{event_source_url}, 'https://shop.example/p/1', 'event_source_url');
	ok(!exists $first->{event}{data_processing_options}, 'no data_processing_options without ldu');
	my $raw = slurp_file(CapiTest::record_file());
	unlike($raw, qr/example\.com/i, 'no raw email address reached Snap');
}

# --- a wrong token: HTTP 401 pauses the destination, no event fails ---------------------------------
reset_server();
add_destination($node, 'sc_wrong', 'snap', qq{{"pixel_id": "$PIXEL_ID"}},
	q{{"access_token": "snap-wrong-token-31337"}});
insert_events($node, 5, 'au-', destinations => q{'sc_wrong'});
ok(wait_until(sub { is_paused($node, 'sc_wrong') }, 30), 'the destination with a wrong token is paused');
my $pause_reason = pause_reason($node, 'sc_wrong');
like($pause_reason, qr/401.*Unauthorized/, 'pause_reason names the 401 and Snap\'s reason');
unlike($pause_reason, qr/snap-wrong-token/, 'and does not hold the token');
sleep(1);
is(delivery_count($node, 'failed', prefix => 'au-'), 0,
	'no event failed');
is(server_stats()->{platforms}{snap}{requests}, 1, 'no request sent while paused');
sql(qq{UPDATE capi.destinations SET credentials = '{"access_token": "$SC_TOKEN"}' WHERE name = 'sc_wrong'});
wait_for_status_counts($node, 'sc_wrong', 'au-', { delivered => 5 });
sql(q{BEGIN; SET LOCAL capi.allow_dropping_undelivered = on; DELETE FROM capi.destinations WHERE name = 'sc_wrong'; COMMIT});

# --- rate limit: HTTP 429 retried -------------------------------------------------------------------
reset_server();
add_faults({ status => 429, retry_after => 1, platform => 'snap' });
insert_events($node, 10, 'rl-', destinations => q{'sc_main'});
wait_for_status_counts($node, 'sc_main', 'rl-', { delivered => 10 });
is(last_batch($node, 'sc_main', 'attempts'), '2',
	'delivered at the second attempt');
like(last_batch($node, 'sc_main', 'previous_error'),
	qr/429/, 'previous_error keeps the 429');
is(server_stats()->{platforms}{snap}{faulted_requests}, 1, 'one request was throttled');

# --- one bad event rejects its batch (INVALID naming the event): only that event fails -------------
reset_server();
add_faults({ reject_event_id => 'rj-3' });
insert_events($node, 6, 'rj-', destinations => q{'sc_main'});
wait_for_status_counts($node, 'sc_main', 'rj-', { delivered => 5, failed => 1 });
is(sql(q{SELECT event_id FROM capi.delivery_status WHERE event_id LIKE 'rj-%' AND status = 'failed'}), 'rj-3',
	'the failed event is the rejected one');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'rj-3'}), qr/INVALID: event_id: /,
	'with Snap\'s INVALID reason');
is(scalar(grep { $_->{event_id} eq 'rj-3' } recorded_events('snap')), 0, 'it never reached Snap');
is(server_stats()->{platforms}{snap}{accepted_events}, 5, 'its batch-mates were delivered');
clear_faults();

# --- consent and event names -----------------------------------------------------------------------
reset_server();
insert_rows('sc_main',
	['cs-granted', 'Purchase', '{"ad_user_data": "granted"}'],
	['cs-denied', 'Purchase', '{"ad_user_data": "denied"}'],
	['cs-ldu', 'AddToCart', '{"ldu": true}'],
	['cs-lead', 'Lead', undef]);
wait_for_status_counts($node, 'sc_main', 'cs-', { delivered => 2, skipped => 2 });
like(sql(q{SELECT reason FROM capi.delivery_status WHERE event_id = 'cs-denied' AND status = 'skipped'}),
	qr/ad_user_data is denied/, 'denied ad_user_data: skipped, the reason says so');
like(sql(q{SELECT reason FROM capi.delivery_status WHERE event_id = 'cs-lead' AND status = 'skipped'}),
	qr/no Snap event for "Lead"/, 'Lead: no Snap event, skipped, the reason says so');
my %sent = map { $_->{event_id} => $_->{event} } recorded_events('snap');
ok(!exists $sent{'cs-denied'} && !exists $sent{'cs-lead'}, 'neither reached Snap');
is_deeply($sent{'cs-ldu'}{data_processing_options}, ['LDU'], 'ldu: data_processing_options ["LDU"]');
is($sent{'cs-ldu'}{event_name}, 'ADD_CART', 'AddToCart is Snap\'s ADD_CART');
ok(!exists $sent{'cs-granted'}{data_processing_options}, 'no data_processing_options without ldu');
is($sent{'cs-granted'}{user_data}{sc_click_id}, 'sc-tap-1', 'sc_click_id sent plain');

# event_map sends Lead as SIGN_UP
sql(qq{UPDATE capi.destinations SET config = '{"pixel_id": "$PIXEL_ID", "event_map": {"Lead": "SIGN_UP"}}'
	WHERE name = 'sc_main'});
insert_rows('sc_main', ['em-lead', 'Lead', undef]);
wait_for_status_counts($node, 'sc_main', 'em-', { delivered => 1 });
is({ map { $_->{event_id} => $_->{event}{event_name} } recorded_events('snap') }->{'em-lead'}, 'SIGN_UP',
	'config.event_map: Lead sent as SIGN_UP');

# --- config.validate: Snap's test endpoint /events/validate ---------------------------------------
reset_server();
add_destination($node, 'sc_validate', 'snap', qq{{"pixel_id": "$PIXEL_ID", "validate": true}},
	qq{{"access_token": "$SC_TOKEN"}});
insert_events($node, 3, 'va-', destinations => q{'sc_validate'});
wait_for_status_counts($node, 'sc_validate', 'va-', { delivered => 3 });
$stats = server_stats();
is($stats->{platforms}{snap}{test_events}, 3, 'the three events went to /events/validate')
  or diag(encode_json($stats));
is((grep { ($_->{test_event_code} // '') ne 'validate' } recorded_events('snap')), 0, 'recorded as validate requests');

unlike(CapiTest::log_without_statements($node), qr/\Q$SC_TOKEN\E|snap-wrong-token/, 'no token in the server log');
stop_and_check_log($node);
done_testing();
