# Delivery to the loopback Meta stand-in: exact counts and batch sizes, hashed identifiers on the wire,
# deduplication at INSERT, capi.batch_size on reload, wake-up on commit, per-event destinations,
# disabled destinations, and capi.preview.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

# A second pixel makes the second destination's events countable apart (stats "destinations") and
# keeps them from being duplicates of the first one's (the server's key includes the pixel).
my $PIXEL_TWO = '2222222222';
my $url = start_test_server(extra => [ '--meta-pixel', $PIXEL_TWO ]);

# No polling during this file: every delivery below must come from a wake-up at commit.
my $node = new_capi_node('delivery', conf => ["capi.poll_interval = '1h'"]);
add_meta_destination($node, 'meta_main');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# --- 2,500 events in one transaction ---------------------------------------------------------------
insert_events($node, 2500, 'a-');
wait_for_status_counts($node, 'meta_main', 'a-', { delivered => 2500 });
my $stats = server_stats();
is($stats->{accepted_events},   2500, 'the platform accepted 2500 events');
is($stats->{unique_event_keys}, 2500, '2500 distinct event keys');
is($stats->{duplicate_events},  0,    'no duplicates');
is_deeply($stats->{batch_sizes}, { 1000 => 2, 500 => 1 }, 'batches of 1000, 1000 and 500');
is(sql(q{SELECT count(*) FILTER (WHERE status = 'delivered'
	                             AND trace_id IS NOT NULL AND delivered_at IS NOT NULL),
	count(*) FROM capi.delivery_status WHERE destination = 'meta_main'}),
	'2500|2500', 'delivery_status: 2500 delivered, with trace id and time');
is(sql(q{SELECT count(*), count(*) FILTER (WHERE status = 'delivered'),
	string_agg(events::text, ',' ORDER BY id) FROM capi.batches}),
	'3|3|1000,1000,500', 'capi.batches: three delivered batches');

# --- what the platform received --------------------------------------------------------------------
{
	my @events = recorded_events();
	is(scalar @events, 2500, 'record file holds 2500 events');
	my ($bad_em, $bad_ph, $bad_time, $bad_id) = (0, 0, 0, 0);
	my %ids;
	my $now = time();
	for my $line (@events) {
		my $event = $line->{event};
		my $user = $event->{user_data} // {};
		$bad_em++ unless all_sha256_hex($user->{em});
		$bad_ph++ unless all_sha256_hex($user->{ph});
		my $time = $event->{event_time} // -1;
		$bad_time++ unless $time =~ /^\d+$/ && abs($time - $now) < 3600;
		$bad_id++ unless ($event->{event_id} // '') =~ /^a-\d+$/;
		$ids{ $event->{event_id} // '' }++;
	}
	is($bad_em,   0,    'every em is an array of 64-hex hashes');
	is($bad_ph,   0,    'every ph is an array of 64-hex hashes');
	is($bad_time, 0,    'every event_time is in Unix seconds (within the hour)');
	is($bad_id,   0,    'every event carries its event_id');
	is(scalar keys %ids, 2500, '2500 distinct event ids received');
	my $raw = slurp_file(CapiTest::record_file());
	unlike($raw, qr/example\.com/i, 'no raw email address reached the platform');
	unlike($raw, qr/Customer\d/, 'no raw email local part reached the platform');
	unlike($raw, qr/650 555/, 'no raw phone number reached the platform');
}

# --- deduplication at INSERT -----------------------------------------------------------------------
my $one_row = q{SELECT 'a-1', 'Purchase', now(), 'https://shop.example/p/1',
	'{"email": "again@example.com", "client_user_agent": "Mozilla/5.0"}'::jsonb, '{"value": 1, "currency": "USD"}'::jsonb};
my ($ret, $stdout, $stderr) = $node->psql('postgres', "\\set VERBOSITY verbose\n"
	  . "INSERT INTO capi.outbox (event_id, event_name, event_time, event_source_url, user_data, custom_data) $one_row");
isnt($ret, 0, 're-inserting an existing (event_name, event_id) fails');
like($stderr, qr/23505/, 'with SQLSTATE 23505 (unique_violation)');
is(sql(qq{WITH i AS (INSERT INTO capi.outbox (event_id, event_name, event_time, event_source_url, user_data, custom_data)
	$one_row ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM i}),
	'0', 'ON CONFLICT DO NOTHING inserts nothing');
is(sql(q{SELECT count(*) FROM capi.outbox WHERE event_id = 'a-1'}), '1', 'one outbox row for a-1');
sleep(1.5);    # proving that nothing is sent
is(server_stats()->{accepted_events}, 2500, 'the platform received nothing more');

# --- capi.batch_size on reload ---------------------------------------------------------------------
reload_setting($node, 'capi.batch_size = 300');
my $sizes_before = scalar @{ server_stats()->{recent_batch_sizes} };
insert_events($node, 1000, 'b-');
wait_for_status_counts($node, 'meta_main', 'b-', { delivered => 1000 });
$stats = server_stats();
my @new_sizes = @{ $stats->{recent_batch_sizes} }[ $sizes_before .. $#{ $stats->{recent_batch_sizes} } ];
is_deeply([ sort { $b <=> $a } @new_sizes ], [ 300, 300, 300, 100 ],
	'after capi.batch_size = 300: batches of 300, 300, 300, 100')
  or diag("sizes: @new_sizes");
is($stats->{accepted_events}, 3500, '3500 accepted in all');
reload_setting($node, 'capi.batch_size = 0');

# --- wake-up on commit (capi.poll_interval is 1 h) -------------------------------------------------
{
	my $before = time();
	insert_events($node, 1, 'c-');
	my $event = wait_until(sub { my ($found) = grep { $_->{event_id} eq 'c-1' } recorded_events(); $found }, 2);
	ok($event, 'a single committed event reaches the platform without polling');
	my $latency = $event ? $event->{received_at_ms} - $before * 1000 : 1e9;
	note(sprintf('commit-to-platform latency %.0f ms', $latency));
	cmp_ok($latency, '<', 1000, 'within 1 s of the INSERT');
	wait_for_status_counts($node, 'meta_main', 'c-', { delivered => 1 });
}

# --- per-event destinations ------------------------------------------------------------------------
sql(qq{INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
	VALUES ('meta_two', 'meta', '{"pixel_id": "$PIXEL_TWO", "api_version": "v25.0"}',
	        '{"access_token": "$TOKEN"}', '$url')});
my $main_before = server_stats()->{destinations}{"meta/$PIXEL"};
insert_events($node, 10, 'd-', destinations => q{'meta_two'});
insert_events($node, 10, 'e-');
wait_for_status_counts($node, 'meta_two', 'd-', { delivered => 10 });
wait_for_status_counts($node, 'meta_two', 'e-', { delivered => 10 });
wait_for_status_counts($node, 'meta_main', 'e-', { delivered => 10 });
is(sql(q{SELECT count(*), count(DISTINCT event_id) FROM capi.delivery_status
	WHERE destination = 'meta_two' AND event_id LIKE 'd-%'}),
	'10|10', 'one delivery_status row per d- event for meta_two');
is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE destination = 'meta_main' AND event_id LIKE 'd-%'}),
	'0', 'none for meta_main');
is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE destination = 'meta_two' AND event_id LIKE 'a-%'}),
	'0', 'meta_two does not see events committed before it was created');
$stats = server_stats();
is($stats->{destinations}{"meta/$PIXEL_TWO"},
	20, 'meta_two\'s pixel received 10 targeted + 10 untargeted events');
is($stats->{destinations}{"meta/$PIXEL"} - $main_before,
	10, 'meta_main\'s pixel received only the 10 untargeted');
is(scalar(grep { $_->{event_id} =~ /^d-/ && $_->{destination} ne $PIXEL_TWO } recorded_events()),
	0, 'no d- event went to meta_main\'s pixel');

# --- a disabled destination ------------------------------------------------------------------------
sql(q{UPDATE capi.destinations SET enabled = false WHERE name = 'meta_two'});
my $two_before = server_stats()->{destinations}{"meta/$PIXEL_TWO"};
insert_events($node, 5, 'f-', destinations => q{'meta_two'});
insert_events($node, 5, 'g-');
wait_for_status_counts($node, 'meta_main', 'g-', { delivered => 5 });
sleep(2);    # proving that nothing is sent to meta_two
is(server_stats()->{destinations}{"meta/$PIXEL_TWO"}, $two_before, 'nothing sent to a disabled destination');
is(delivery_count($node, 'disabled', destination => 'meta_two', prefix => 'f-')
	  + delivery_count($node, 'disabled', destination => 'meta_two', prefix => 'g-'),
	10, 'its events read disabled');
sql(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_two'});
wait_for_status_counts($node, 'meta_two', 'f-', { delivered => 5 });
wait_for_status_counts($node, 'meta_two', 'g-', { delivered => 5 });
is(server_stats()->{destinations}{"meta/$PIXEL_TWO"} - $two_before, 10, 're-enabled: its 10 events sent');

# --- capi.preview ----------------------------------------------------------------------------------
is(sql(qq{SELECT body->>'access_token', jsonb_array_length(body->'data'), body->'data'->0->>'event_id',
	body::text LIKE '%$TOKEN%' FROM capi.preview('a-1', 'meta_main') AS body}),
	'[REDACTED]|1|a-1|f', 'capi.preview: the body with the token redacted');
{
	my ($sent) = grep { $_->{event_id} eq 'a-1' } recorded_events();
	my $preview =
	  decode_json(sql(q{SELECT body->'data'->0->'user_data' FROM capi.preview('a-1', 'meta_main') AS body}));
	is_deeply($preview, $sent->{event}{user_data}, 'preview user_data equals what the platform received');
}

# --- totals, secrets, log --------------------------------------------------------------------------
$stats = server_stats();
is($stats->{accepted_events},  3500 + 1 + 10 + 20 + 5 + 10, 'accepted events in all');
is($stats->{duplicate_events}, 0, 'no duplicates in the whole run');
is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE status <> 'delivered'}),
	'0', 'every delivery is done');
is(sql(qq{SELECT (SELECT count(*) FROM capi.batches WHERE last_error LIKE '%$TOKEN%')
	+ (SELECT count(*) FROM capi.event_deliveries WHERE last_error LIKE '%$TOKEN%')
	+ (SELECT count(*) FROM capi.cursors WHERE pause_reason LIKE '%$TOKEN%')}),
	'0', 'the token is in no error text');

stop_and_check_log($node);
my $own_log = CapiTest::log_without_statements($node);
like($own_log, qr/pg_capi worker: delivering from capi.outbox/,
	'the worker logged (the filtered log is not empty)');
unlike($own_log, qr/\Q$TOKEN\E/, 'the token is not in the server log (the test\'s own statements aside)');

done_testing();
