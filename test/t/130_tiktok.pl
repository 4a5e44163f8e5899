# TikTok Events API 2.0 delivery through the loopback stand-in (test/server/platforms/tiktok/):
# batches of at most 1,000, the body TikTok expects (hashed user keys, seconds, event names, page,
# properties), a wrong Access-Token that pauses the destination (HTTP 200 with code 40105), rate
# limits (HTTP 429 and code 40100 in a 200) retried, a batch rejected over one event (code 40002
# "Batch.N...") isolated to that event, consent (ad_user_data denied: not sent, with the reason;
# ldu: limited_data_use) and an event name TikTok has no event for (not sent, with the reason).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

my $TT_TOKEN = 'tt-tap-secret-token-8c1d27';
my $PIXEL_CODE = 'C4TAPPIXEL0001';
start_test_server(extra => ['--token', "tiktok=$TT_TOKEN"]);
my $node = new_capi_node('tiktok', conf => ["capi.auth_failure_pause = '20s'"]);
add_destination($node, 'tt_main', 'tiktok', qq{{"pixel_code": "$PIXEL_CODE"}},
	qq{{"access_token": "$TT_TOKEN"}});

sub sql { return $node->safe_psql('postgres', $_[0]); }

# Inserts one event per row of @rows: [event_id, event_name, consent JSON or undef], for $destination.
sub insert_rows {
	my ($destination, @rows) = @_;
	my $values = join(",\n", map {
		my ($id, $name, $consent) = @$_;
		$consent = defined $consent ? "'$consent'::jsonb" : 'NULL';
		qq{('$id', '$name', now(), 'website', 'https://shop.example/p/$id',
		   '{"email": "Buyer\@Example.com", "phone": "+1 650 555 1212", "city": "New York",
		     "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0", "ttclid": "E.C.P.tap"}'::jsonb,
		   '{"value": 12.5, "currency": "usd", "contents": [{"id": 42, "quantity": 1, "item_price": 12.5}]}'::jsonb,
		   $consent, ARRAY['$destination'])}
	} @rows);
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_time, action_source, event_source_url,
		user_data, custom_data, consent, destinations) VALUES $values});
}

# --- batching at the cap: 2,500 events go as 1,000 + 1,000 + 500 ----------------------------------
reset_server();
insert_events($node, 2500, 'a-', destinations => q{'tt_main'});
wait_for_status_counts($node, 'tt_main', 'a-', { delivered => 2500 });
my $stats = server_stats();
is($stats->{platforms}{tiktok}{accepted_events}, 2500, 'TikTok accepted 2500 events')
  or diag(encode_json($stats));
is($stats->{duplicate_events}, 0, 'no duplicates');
is_deeply($stats->{batch_sizes}, { 1000 => 2, 500 => 1 }, 'batches of 1000, 1000 and 500');
is(sql(q{SELECT count(*) FILTER (WHERE trace_id IS NOT NULL) FROM capi.delivery_status
	WHERE destination = 'tt_main' AND event_id LIKE 'a-%'}), '2500', 'every event has TikTok\'s request_id');

# --- what TikTok received ---------------------------------------------------------------------------
{
	my @events = recorded_events('tiktok');
	is(scalar @events, 2500, 'record file holds 2500 TikTok events');
	is((grep { $_->{destination} ne $PIXEL_CODE } @events), 0, 'all for the pixel code (event_source_id)');
	my ($bad_email, $bad_phone, $bad_time, $bad_name) = (0, 0, 0, 0);
	my $now = time();
	for my $line (@events) {
		my $event = $line->{event};
		$bad_email++ unless all_sha256_hex($event->{user}{email});
		$bad_phone++ unless all_sha256_hex($event->{user}{phone});
		$bad_time++ unless $event->{event_time} =~ /^\d+$/ && abs($event->{event_time} - $now) < 3600;
		$bad_name++ unless $event->{event} eq 'Purchase' && $event->{event_id} =~ /^a-\d+$/;
	}
	is($bad_email, 0, 'every user.email is an array of 64-hex hashes');
	is($bad_phone, 0, 'every user.phone is an array of 64-hex hashes');
	is($bad_time,  0, 'every event_time is in Unix seconds');
	is($bad_name,  0, 'every event is a Purchase with its event_id');
	my ($first) = grep { $_->{event_id} eq 'a-1' } @events;
	is($first->{event}{user}{ip}, '203.0.113.7', 'ip sent plain');
	is_deeply($first->{event}{properties}, { value => 12.5, currency => 'USD' }, 'properties: value, currency');
	is($first->{event}{page}{url}, 'https://shop.example/p/1', 'page.url from event_source_url');
	my $raw = slurp_file(CapiTest::record_file());
	unlike($raw, qr/example\.com/i, 'no raw email address reached TikTok');
}

# --- a wrong token: HTTP 200 with code 40105 pauses the destination, no event fails ----------------
reset_server();
add_destination($node, 'tt_wrong', 'tiktok', qq{{"pixel_code": "$PIXEL_CODE"}},
	q{{"access_token": "tt-wrong-token-31337"}});
insert_events($node, 5, 'au-', destinations => q{'tt_wrong'});
ok(wait_until(sub { is_paused($node, 'tt_wrong') }, 30), 'the destination with a wrong token is paused');
my $pause_reason = pause_reason($node, 'tt_wrong');
like($pause_reason, qr/40105/, 'pause_reason names TikTok\'s code 40105');
unlike($pause_reason, qr/tt-wrong-token/, 'and does not hold the token');
sleep(1);
is(delivery_count($node, 'failed', prefix => 'au-'), 0,
	'no event failed');
is(server_stats()->{platforms}{tiktok}{requests}, 1, 'no request sent while paused');
sql(qq{UPDATE capi.destinations SET credentials = '{"access_token": "$TT_TOKEN"}' WHERE name = 'tt_wrong'});
wait_for_status_counts($node, 'tt_wrong', 'au-', { delivered => 5 });
sql(q{BEGIN; SET LOCAL capi.allow_dropping_undelivered = on; DELETE FROM capi.destinations WHERE name = 'tt_wrong'; COMMIT});

# --- rate limits: HTTP 429 and code 40100 in a 200, both retried -----------------------------------
reset_server();
add_faults({ status => 429, retry_after => 1, platform => 'tiktok' });
add_faults({ tiktok_error => { code => 40100 } });
insert_events($node, 10, 'rl-', destinations => q{'tt_main'});
wait_for_status_counts($node, 'tt_main', 'rl-', { delivered => 10 });
is(last_batch($node, 'tt_main', 'attempts'), '3',
	'delivered at the third attempt');
like(last_batch($node, 'tt_main', 'previous_error'),
	qr/40100/, 'previous_error keeps code 40100');
is(server_stats()->{platforms}{tiktok}{faulted_requests}, 2, 'two requests were throttled');

# --- one bad event rejects its batch (code 40002 "Batch.N..."): only that event fails -------------
reset_server();
add_faults({ reject_event_id => 'rj-3' });
insert_events($node, 6, 'rj-', destinations => q{'tt_main'});
wait_for_status_counts($node, 'tt_main', 'rj-', { delivered => 5, failed => 1 });
is(sql(q{SELECT event_id FROM capi.delivery_status WHERE event_id LIKE 'rj-%' AND status = 'failed'}), 'rj-3',
	'the failed event is the rejected one');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'rj-3'}), qr/40002.*Batch\.\d+\.event_id/,
	'with TikTok\'s parameter error');
is(scalar(grep { $_->{event_id} eq 'rj-3' } recorded_events('tiktok')), 0, 'it never reached TikTok');
is(server_stats()->{platforms}{tiktok}{accepted_events}, 5, 'its batch-mates were delivered');
clear_faults();

# --- consent and event names -----------------------------------------------------------------------
reset_server();
insert_rows('tt_main',
	['cs-granted', 'Purchase', '{"ad_user_data": "granted"}'],
	['cs-denied', 'Purchase', '{"ad_user_data": "denied"}'],
	['cs-ldu', 'Lead', '{"ldu": true}'],
	['cs-pageview', 'PageView', undef]);
my $not_sent = sub {
	sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id IN ('cs-denied', 'cs-pageview')
		AND status IN ('skipped', 'failed')}) eq '2';
};
ok(wait_until($not_sent, 30), 'the denied and the unmapped event are not sent')
  or diag(undelivered_rows($node, destination => 'tt_main', prefix => 'cs-'));
wait_for_status_counts($node, 'tt_main', 'cs-g', { delivered => 1 });
wait_for_status_counts($node, 'tt_main', 'cs-l', { delivered => 1 });
like(sql(q{SELECT coalesce(reason, last_error) FROM capi.delivery_status WHERE event_id = 'cs-denied'}),
	qr/ad_user_data is denied/, 'denied ad_user_data: the reason says so');
like(sql(q{SELECT coalesce(reason, last_error) FROM capi.delivery_status WHERE event_id = 'cs-pageview'}),
	qr/no TikTok event for "PageView"/, 'PageView: no TikTok event, the reason says so');
my %sent = map { $_->{event_id} => $_->{event} } recorded_events('tiktok');
ok(!exists $sent{'cs-denied'} && !exists $sent{'cs-pageview'}, 'neither reached TikTok');
is($sent{'cs-ldu'}{limited_data_use}, JSON::PP::true, 'ldu: limited_data_use is true');
is($sent{'cs-ldu'}{event}, 'Lead', 'Lead is TikTok\'s Lead');
ok(!exists $sent{'cs-granted'}{limited_data_use}, 'no limited_data_use without ldu');

# event_map sends PageView as a custom event
sql(qq{UPDATE capi.destinations SET config = '{"pixel_code": "$PIXEL_CODE", "event_map": {"PageView": "Pageview"}}'
	WHERE name = 'tt_main'});
insert_rows('tt_main', ['em-pageview', 'PageView', undef]);
wait_for_status_counts($node, 'tt_main', 'em-', { delivered => 1 });
is({ map { $_->{event_id} => $_->{event}{event} } recorded_events('tiktok') }->{'em-pageview'}, 'Pageview',
	'config.event_map: PageView sent as "Pageview"');

unlike(CapiTest::log_without_statements($node), qr/\Q$TT_TOKEN\E|tt-wrong-token/, 'no token in the server log');
stop_and_check_log($node);
done_testing();
