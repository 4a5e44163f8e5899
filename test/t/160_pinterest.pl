# Delivery to the loopback Pinterest stand-in (POST /v5/ad_accounts/{id}/events): batches at the
# 1,000 cap with hashed arrays, seconds and decimal-string values on the wire; a wrong token pauses
# the destination; 429 is retried after Retry-After; an event Pinterest fails in its 200 reply fails
# alone while its batch-mates are delivered in the same request; consent (denied ad_user_data is not
# sent, opt_out and LDU reach opt_out); an event with no Pinterest name is skipped, with the reason.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $GOOD = 'pina_tap-good-token-7d2e';
my $ACCOUNT = '549755885175';
start_test_server(extra => [ '--token', "pinterest=$GOOD" ]);
my $node = new_capi_node('pinterest');
add_destination($node, 'pin', 'pinterest', qq({"ad_account_id": "$ACCOUNT"}), qq({"access_token": "$GOOD"}));

sub sql { return $node->safe_psql('postgres', $_[0]); }

# One event of the given name, identifiers and consent, for destination 'pin'.
sub insert_one {
	my ($id, %options) = @_;
	my $name = $options{name} // 'Purchase';
	my $user = $options{user_data} // q{{"email": "Pat@Example.com", "epik": "dj0yJnU9tap"}};
	my $consent = defined $options{consent} ? "'$options{consent}'" : 'NULL';
	my $destination = $options{destination} // 'pin';
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, consent,
		destinations) VALUES ('$id', '$name', 'https://shop.example/p', '$user', '{"value": 12.5, "currency": "USD"}',
		$consent, ARRAY['$destination'])});
}

# --- 2,500 events: batches of 1,000, 1,000 and 500 -------------------------------------------------
insert_events($node, 2500, 'cap-');
wait_for_status_counts($node, 'pin', 'cap-', { delivered => 2500 }, name => '2500 events delivered to Pinterest');
my $stats = server_stats()->{platforms}{pinterest};
is($stats->{accepted_events}, 2500, 'Pinterest accepted 2500 events');
is_deeply(server_stats()->{batch_sizes}, { 1000 => 2, 500 => 1 }, 'in batches of 1000, 1000 and 500');
is($stats->{rejected_requests}, 0, 'no request was rejected');
{
	my @events = map { $_->{event} } grep { $_->{platform} eq 'pinterest' } recorded_events();
	is(scalar @events, 2500, '2500 events recorded');
	my $now = time();
	is(scalar(grep { !all_sha256_hex($_->{user_data}{em}) || !all_sha256_hex($_->{user_data}{ph}) } @events), 0,
		'every em and ph is an array of SHA-256 hex digests');
	is(scalar(grep { !($_->{event_time} =~ /^\d+$/ && abs($_->{event_time} - $now) < 3600) } @events), 0,
		'every event_time is in Unix seconds');
	is(scalar(grep { $_->{event_name} ne 'checkout' || $_->{action_source} ne 'web' } @events), 0,
		'Purchase arrives as checkout, website as web');
	is(scalar(grep { ($_->{custom_data}{value} // '') ne '12.5' } @events), 0, 'value is the string "12.5"');
	is(scalar(grep { ($_->{user_data}{client_ip_address} // '') ne '203.0.113.7' } @events), 0,
		'client_ip_address is sent plain');
	unlike(slurp_file(CapiTest::record_file()), qr/example\.com/i, 'no raw email reached Pinterest');
}

# --- a wrong token: the destination pauses; a corrected token resumes it ---------------------------
reset_server();
add_destination($node, 'pin_bad', 'pinterest', qq({"ad_account_id": "$ACCOUNT"}),
	q({"access_token": "pina_wrong-token-0000"}));
insert_events($node, 5, 'auth-', destinations => q{'pin_bad'});
ok(wait_until(sub { is_paused($node, 'pin_bad') }, 30), 'pin_bad is paused after a 401');
my $reason = pause_reason($node, 'pin_bad');
like($reason, qr/401.*Authentication failed/, 'the pause reason quotes Pinterest: ' . $reason);
unlike($reason, qr/pina_wrong-token/, 'and not the token');
is(status_counts($node, destination => 'pin_bad', prefix => 'auth-'), 'paused|5',
	'its events read paused, none failed');
sql(qq{UPDATE capi.destinations SET credentials = '{"access_token": "$GOOD"}' WHERE name = 'pin_bad'});
wait_for_status_counts($node, 'pin_bad', 'auth-', { delivered => 5 },
	name => 'with the right token its 5 events are delivered');
sql(q{BEGIN; SET LOCAL capi.allow_dropping_undelivered = on; DELETE FROM capi.destinations WHERE name = 'pin_bad'; COMMIT});

# --- 429 with Retry-After: 1 -----------------------------------------------------------------------
reset_server();
add_faults({ platform => 'pinterest', status => 429, retry_after => 1 });
insert_events($node, 5, 'rl-');
wait_for_status_counts($node, 'pin', 'rl-', { delivered => 5 }, name => '429 then delivered');
is(server_stats()->{platforms}{pinterest}{requests}, 2, 'two requests: the 429 and the resend');
like(last_batch($node, 'pin', 'previous_error'),
	qr/429.*rate limit/, 'the batch keeps the 429 in previous_error');

# --- a per-event failure in the 200 reply fails that event alone, in one request -------------------
reset_server();
add_faults({ reject_event_id => 'part-4' });
insert_events($node, 10, 'part-');
wait_for_status_counts($node, 'pin', 'part-', { delivered => 9, failed => 1 }, name => '9 delivered, 1 failed');
is(sql(q{SELECT event_id FROM capi.delivery_status WHERE event_id LIKE 'part-%' AND status = 'failed'}),
	'part-4', 'the failed one is part-4');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'part-4'}),
	qr/^Pinterest: .*rejected by a reject_event_id fault rule/, 'with Pinterest\'s per-event message');
$stats = server_stats()->{platforms}{pinterest};
is($stats->{requests}, 1, 'one request: nothing split, nothing resent');
is($stats->{accepted_events}, 9, 'Pinterest processed the other 9');
is(last_batch($node, 'pin', 'status, failed_events'),
	'partial|1', 'the batch is partial');
clear_faults();

# --- consent -----------------------------------------------------------------------------------------
reset_server();
insert_one('cs-denied', consent => '{"ad_user_data": "denied"}');
insert_one('cs-optout', consent => '{"opt_out": true}');
insert_one('cs-ldu', consent => '{"ldu": {"country": 1, "state": 1000}}');
insert_one('cs-plain');
wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'cs-%'
	AND status NOT IN ('pending', 'in_flight', 'retrying')}) == 4 }, 30);
my ($status, $why) = split /\|/, sql(q{SELECT status, coalesce(last_error, reason) FROM capi.delivery_status
	WHERE event_id = 'cs-denied'});
is($status, q{skipped}, q{denied ad_user_data: skipped});
like($why, qr/consent: ad_user_data is denied/, 'with the consent reason');
my %sent = map { $_->{event_id} => $_->{event} } grep { $_->{event_id} =~ /^cs-/ } recorded_events();
ok(!$sent{'cs-denied'}, 'the denied event never reached Pinterest');
is(scalar keys %sent, 3, 'the other three did');
is($sent{'cs-optout'}{opt_out}, JSON::PP::true, 'opt_out: true arrives as opt_out true');
is($sent{'cs-ldu'}{opt_out}, JSON::PP::true, 'LDU arrives as opt_out true');
ok(!exists $sent{'cs-plain'}{opt_out}, 'no consent signal: no opt_out');
is($sent{'cs-plain'}{user_data}{click_id}, 'dj0yJnU9tap', 'epik arrives as user_data.click_id');

# --- an event Pinterest has no name for --------------------------------------------------------------
reset_server();
insert_one('un-1', name => 'Donate');
insert_one('un-2');
wait_for_status_counts($node, 'pin', 'un-2', { delivered => 1 }, name => 'a mapped event is delivered');
ok(wait_until(sub { sql(q{SELECT status FROM capi.delivery_status WHERE event_id = 'un-1'}) eq q{skipped} }, 30),
	'Donate is skipped');
like(sql(q{SELECT coalesce(last_error, reason) FROM capi.delivery_status WHERE event_id = 'un-1'}),
	qr/no Pinterest event for "Donate".*event_map/, 'the reason names the event and config.event_map');
is(scalar(grep { $_->{event_id} eq 'un-1' } recorded_events()), 0, 'it never reached Pinterest');
sql(q{UPDATE capi.destinations SET config = config || '{"event_map": {"Donate": "custom"}}' WHERE name = 'pin'});
insert_one('un-3', name => 'Donate');
wait_for_status_counts($node, 'pin', 'un-3', { delivered => 1 },
	name => 'with config.event_map {"Donate": "custom"} it is delivered');
is((grep { $_->{event_id} eq 'un-3' } recorded_events())[0]{event}{event_name}, 'custom', 'as custom');

stop_and_check_log($node);
done_testing();
