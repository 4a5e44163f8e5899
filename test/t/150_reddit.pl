# Delivery to the loopback Reddit stand-in (POST /api/v3/pixels/{pixel}/conversion_events): batches
# at the 1,000 cap with event_at in ms and Reddit-normalized hashes, never more than the default one
# request a second; a wrong token pauses the destination; 429 is retried after Retry-After; one event
# Reddit refuses makes it reject the whole request, and splitting isolates it; a stale event fails
# alone without being sent; consent (denied ad_user_data is not sent, LDU reaches
# data_processing_options); an event with no Reddit type is not sent, with the reason.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $GOOD = 'rdt-tap-good-token-91c4';
my $PIXEL_ID = 'a2_tappixel1';
start_test_server(extra => [ '--token', "reddit=$GOOD" ]);
my $node = new_capi_node('reddit');
add_destination($node, 'rdt', 'reddit', qq({"pixel_id": "$PIXEL_ID"}), qq({"access_token": "$GOOD"}));

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub insert_one {
	my ($id, %options) = @_;
	my $name = $options{name} // 'Purchase';
	my $consent = defined $options{consent} ? "'$options{consent}'" : 'NULL';
	my $time = $options{event_time} // 'now()';
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_time, event_source_url, user_data, custom_data,
		consent, destinations) VALUES ('$id', '$name', $time, 'https://shop.example/p',
		'{"email": "Al.ice\$+Apple\@Example.Com", "rdt_click_id": "t3_tapclick", "rdt_uuid": "1684.tap-uuid"}',
		'{"value": 12.5, "currency": "USD", "contents": [{"id": "sku-1", "quantity": 2}]}', $consent, ARRAY['rdt'])});
}

# --- 2,500 events: batches of 1,000, 1,000 and 500, one request a second ---------------------------
insert_events($node, 2500, 'cap-');
wait_for_status_counts($node, 'rdt', 'cap-', { delivered => 2500 }, name => '2500 events delivered to Reddit');
my $stats = server_stats();
is($stats->{platforms}{reddit}{accepted_events}, 2500, 'Reddit accepted 2500 events');
is_deeply($stats->{batch_sizes}, { 1000 => 2, 500 => 1 }, 'in batches of 1000, 1000 and 500');
cmp_ok($stats->{platforms}{reddit}{max_requests_per_second}, '<=', 1,
	'never more than 1 request in any second (the default limit)');
{
	my @events = map { $_->{event} } grep { $_->{platform} eq 'reddit' } recorded_events();
	is(scalar @events, 2500, '2500 events recorded');
	my $now_ms = time() * 1000;
	is(scalar(grep { !(($_->{user}{email} // '') =~ /^[0-9a-f]{64}$/
		&& ($_->{user}{phone_number} // '') =~ /^[0-9a-f]{64}$/) } @events), 0,
		'every email and phone_number is one SHA-256 hex digest');
	is(scalar(grep { abs($_->{event_at} - $now_ms) > 3_600_000 } @events), 0, 'every event_at is in milliseconds');
	is(scalar(grep { $_->{type}{tracking_type} ne 'PURCHASE' || $_->{action_source} ne 'WEBSITE' } @events), 0,
		'Purchase arrives as PURCHASE, website as WEBSITE');
	is(scalar(grep { ($_->{metadata}{conversion_id} // '') !~ /^cap-\d+$/ } @events), 0,
		'metadata.conversion_id carries the event_id');
	is(scalar(grep { $_->{metadata}{value} != 12.5 || $_->{metadata}{currency} ne 'USD' } @events), 0,
		'value 12.5 USD');
	unlike(slurp_file(CapiTest::record_file()), qr/example\.com/i, 'no raw email reached Reddit');
}

# --- Reddit's email normalization (its own published example) --------------------------------------
reset_server();
insert_one('em-1');
wait_for_status_counts($node, 'rdt', 'em-1', { delivered => 1 },
	name => 'one event with Reddit identifiers delivered');
{
	my ($event) = map { $_->{event} } grep { $_->{event_id} eq 'em-1' } recorded_events();
	is($event->{user}{email}, 'ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976',
		'Al.ice$+Apple@Example.Com arrives as the digest of alice@example.com (Reddit\'s example)');
	is($event->{click_id}, 't3_tapclick', 'rdt_click_id arrives as click_id');
	is($event->{user}{uuid}, '1684.tap-uuid', 'rdt_uuid arrives as user.uuid');
	is($event->{metadata}{item_count}, 2, 'item_count from the contents');
	is_deeply($event->{metadata}{products}, [ { id => 'sku-1' } ], 'products from the contents');
}

# --- a wrong token: the destination pauses; a corrected token resumes it ---------------------------
reset_server();
add_destination($node, 'rdt_bad', 'reddit', qq({"pixel_id": "$PIXEL_ID"}), q({"access_token": "rdt-wrong-0000"}));
insert_events($node, 5, 'auth-', destinations => q{'rdt_bad'});
ok(wait_until(sub { is_paused($node, 'rdt_bad') }, 30), 'rdt_bad is paused after a 401');
my $reason = pause_reason($node, 'rdt_bad');
like($reason, qr/401.*UNAUTHORIZED/, 'the pause reason quotes Reddit: ' . $reason);
unlike($reason, qr/rdt-wrong/, 'and not the token');
is(status_counts($node, destination => 'rdt_bad', prefix => 'auth-'), 'paused|5',
	'its events read paused, none failed');
sql(qq{UPDATE capi.destinations SET credentials = '{"access_token": "$GOOD"}' WHERE name = 'rdt_bad'});
wait_for_status_counts($node, 'rdt_bad', 'auth-', { delivered => 5 },
	name => 'with the right token its 5 events are delivered');
sql(q{BEGIN; SET LOCAL capi.allow_dropping_undelivered = on; DELETE FROM capi.destinations WHERE name = 'rdt_bad'; COMMIT});

# --- 429 with Retry-After: 2 -----------------------------------------------------------------------
reset_server();
add_faults({ platform => 'reddit', status => 429, retry_after => 2 });
insert_events($node, 5, 'rl-');
wait_for_status_counts($node, 'rdt', 'rl-', { delivered => 5 }, name => '429 then delivered');
is(server_stats()->{platforms}{reddit}{requests}, 2, 'two requests: the 429 and the resend');
like(last_batch($node, 'rdt', 'previous_error'),
	qr/429.*TOO_MANY_REQUESTS/, 'the batch keeps the 429 in previous_error');

# --- one invalid event rejects the request: splitting isolates it -----------------------------------
reset_server();
add_faults({ reject_event_id => 'rb-7' });
insert_events($node, 20, 'rb-');
wait_for_status_counts($node, 'rdt', 'rb-', { delivered => 19, failed => 1 }, name => '19 delivered, 1 failed');
is(sql(q{SELECT event_id FROM capi.delivery_status WHERE event_id LIKE 'rb-%' AND status = 'failed'}),
	'rb-7', 'the failed one is rb-7');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'rb-7'}),
	qr/invalid conversion events.*rejected by a reject_event_id fault rule/, 'with Reddit\'s words');
$stats = server_stats()->{platforms}{reddit};
is($stats->{accepted_events}, 19, 'Reddit accepted the other 19');
cmp_ok($stats->{rejected_requests}, '>', 1, "the batch was split ($stats->{rejected_requests} requests rejected)");
is($stats->{duplicate_events}, 0, 'no event accepted twice');
clear_faults();

# --- an event older than 168 hours fails alone, never sent -------------------------------------------
reset_server();
insert_events($node, 5, 'st-', event_time => q{CASE WHEN g = 2 THEN now() - interval '8 days' ELSE now() END});
wait_for_status_counts($node, 'rdt', 'st-', { delivered => 4, failed => 1 },
	name => 'the stale event fails, the others are delivered');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'st-2'}), qr/168 hours/,
	'the reason names the 168-hour limit');
is(server_stats()->{platforms}{reddit}{rejected_requests}, 0, 'and Reddit rejected nothing');

# --- consent -----------------------------------------------------------------------------------------
reset_server();
insert_one('cs-denied', consent => '{"ad_user_data": "denied"}');
insert_one('cs-ldu', consent => '{"ldu": {"country": 1, "state": 1000}}');
insert_one('cs-plain');
wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'cs-%'
	AND status NOT IN ('pending', 'in_flight', 'retrying')}) == 3 }, 30);
my ($status, $why) = split /\|/, sql(q{SELECT status, coalesce(last_error, reason) FROM capi.delivery_status
	WHERE event_id = 'cs-denied'});
is($status, q{skipped}, q{denied ad_user_data: skipped});
like($why, qr/consent: ad_user_data is denied/, 'with the consent reason');
my %sent = map { $_->{event_id} => $_->{event} } grep { $_->{event_id} =~ /^cs-/ } recorded_events();
ok(!$sent{'cs-denied'}, 'the denied event never reached Reddit');
is_deeply($sent{'cs-ldu'}{user}{data_processing_options}, { modes => ['LDU'], country => 'US', region => 'US-CA' },
	'LDU (California) arrives as data_processing_options');
ok(!exists $sent{'cs-plain'}{user}{data_processing_options}, 'no LDU: no data_processing_options');

# --- an event Reddit has no type for -----------------------------------------------------------------
reset_server();
insert_one('un-1', name => 'Donate');
insert_one('un-2');
wait_for_status_counts($node, 'rdt', 'un-2', { delivered => 1 }, name => 'a mapped event is delivered');
ok(wait_until(sub { sql(q{SELECT status FROM capi.delivery_status WHERE event_id = 'un-1'}) eq q{skipped} }, 30),
	'Donate is skipped');
like(sql(q{SELECT coalesce(last_error, reason) FROM capi.delivery_status WHERE event_id = 'un-1'}),
	qr/no Reddit event for "Donate".*event_map/, 'the reason names the event and config.event_map');
is(scalar(grep { $_->{event_id} eq 'un-1' } recorded_events()), 0, 'it never reached Reddit');
sql(q{UPDATE capi.destinations SET config = config || '{"event_map": {"Donate": "CUSTOM"}}' WHERE name = 'rdt'});
insert_one('un-3', name => 'Donate');
wait_for_status_counts($node, 'rdt', 'un-3', { delivered => 1 },
	name => 'with config.event_map {"Donate": "CUSTOM"} it is delivered');
is_deeply((grep { $_->{event_id} eq 'un-3' } recorded_events())[0]{event}{type},
	{ tracking_type => 'CUSTOM', custom_event_name => 'Donate' }, 'as a CUSTOM event named Donate');

stop_and_check_log($node);
done_testing();
