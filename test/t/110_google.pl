# Google, both APIs as two destinations at the loopback stand-in: the Data Manager API (g_dm) and the
# Google Ads API (g_ads). Batching at the 2,000 cap, OAuth tokens obtained from a refresh token and
# refreshed after every token expired, invalid_grant pausing the destination with a clear reason and
# without a storm of token requests, 429, an Ads partial failure failing only the bad row, a Data
# Manager whole-request rejection isolated to its culprit, denied ad_user_data sent DENIED without
# identifiers (and skipped when nothing is left to match), and an unmapped event skipped.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

start_test_server();
my $node = new_capi_node('google', conf => ["capi.poll_interval = '1h'", "capi.auth_failure_pause = '30s'"]);

sub sql { return $node->safe_psql('postgres', $_[0]); }

my $grant = '"client_id": "cid.apps.googleusercontent.com", "client_secret": "GOCSPX-tap-secret"';
add_destination($node, 'g_dm', 'google',
	'{"operating_account_id": "1111111111", "conversion_actions": {"Purchase": "555", "Lead": "777"}}',
	qq({$grant, "refresh_token": "1//tap-refresh-dm"}));
add_destination($node, 'g_ads', 'google',
	'{"api": "ads", "operating_account_id": "2222222222", "login_account_id": "9999999999",
	  "conversion_actions": {"Purchase": "555"}}',
	qq({$grant, "refresh_token": "1//tap-refresh-ads", "developer_token": "tap-dev-token"}));

# Inserts $count events "$prefix<n>" for the listed destinations (SQL array elements).
sub insert_google {
	my ($prefix, $count, $destinations, %options) = @_;
	my $name = $options{event_name} // 'Purchase';
	my $user = $options{user_data}
	  // q{jsonb_build_object('email', 'Customer' || g || '@Example.com', 'gclid', 'Cj0KCQ-gclid-' || g,
	                           'client_user_agent', 'Mozilla/5.0', 'client_ip_address', '203.0.113.7')};
	my $consent = $options{consent} // q{'{"ad_user_data": "granted"}'};
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_time, event_source_url, user_data, custom_data,
	                                consent, destinations)
		SELECT '$prefix' || g, '$name', now(), 'https://shop.example/p/' || g, $user,
		       jsonb_build_object('value', 12.5, 'currency', 'EUR', 'order_id', 'order-$prefix' || g),
		       $consent, ARRAY[$destinations]
		FROM generate_series(1, $count) g});
}

sub last_error_of {
	my ($destination, $event_id) = @_;
	return sql(qq{SELECT coalesce(last_error, '') || coalesce(reason, '') FROM capi.delivery_status
		WHERE destination = '$destination' AND event_id = '$event_id'});
}

# Not-sent-by-design events end as 'skipped' (or, until the store knows that status, 'failed'),
# with the reason.
my $not_sent = qr/^skipped$/;

# --- batching at the 2,000 cap, tokens obtained ------------------------------------------------------
reset_server();
insert_google('cap-', 4500, q{'g_dm'});
wait_for_status_counts($node, 'g_dm', 'cap-', { delivered => 4500 });
my $stats = server_stats();
is_deeply($stats->{batch_sizes}, { 2000 => 2, 500 => 1 }, 'Data Manager: batches of 2000, 2000 and 500');
is($stats->{platforms}{google}{accepted_events}, 4500, '4500 events accepted');
is($stats->{duplicate_events}, 0, 'no duplicates');
is($stats->{oauth}{token_requests}, 1, 'one token request for g_dm');
my ($dm_event) = grep { $_->{event_id} eq 'order-cap-7' } recorded_events();
ok($dm_event, 'the Data Manager event order-cap-7 was recorded');
is($dm_event->{event_name}, '555', 'under its conversion action');
is($dm_event->{event}{consent}{adUserData}, 'CONSENT_GRANTED', 'consent GRANTED');
is($dm_event->{event}{adIdentifiers}{gclid}, 'Cj0KCQ-gclid-7', 'gclid sent');
like($dm_event->{event}{userData}{userIdentifiers}[0]{emailAddress}, qr/^[0-9a-f]{64}$/, 'email hashed');
reset_server();
insert_google('capa-', 2100, q{'g_ads'});
wait_for_status_counts($node, 'g_ads', 'capa-', { delivered => 2100 });
$stats = server_stats();
is_deeply($stats->{batch_sizes}, { 2000 => 1, 100 => 1 }, 'Ads API: batches of 2000 and 100');
is($stats->{oauth}{token_requests}, 1, 'one token request for g_ads');
is($stats->{destinations}{'google/2222222222'}, 2100, 'Ads API: counted under its customer id');
my ($ads_event) = grep { $_->{event_id} eq 'order-capa-7' } recorded_events();
is($ads_event->{event}{conversionAction}, 'customers/2222222222/conversionActions/555', 'Ads: conversionAction');
like($ads_event->{event}{conversionDateTime}, qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/, 'Ads: conversionDateTime');
is($ads_event->{event}{userIdentifiers}[0]{hashedEmail} =~ /^[0-9a-f]{64}$/ ? 1 : 0, 1, 'Ads: hashed email');


# --- OAuth: every token expires; each destination refreshes once and delivers -----------------------
reset_server();
server_post('/__control/oauth', { expire_all => JSON::PP::true });
insert_google('exp-', 5, q{'g_dm', 'g_ads'});
wait_for_status_counts($node, 'g_dm', 'exp-', { delivered => 5 });
wait_for_status_counts($node, 'g_ads', 'exp-', { delivered => 5 });
$stats = server_stats();
is($stats->{oauth}{token_requests}, 2, 'after expire_all: one new token per destination');
is($stats->{platforms}{google}{rejected_requests}, 2, 'one 401 per destination before the refresh');

# --- invalid_grant: the destination pauses, with a clear reason, and asks no more -------------------
reset_server();
add_destination($node, 'g_revoked', 'google',
	'{"operating_account_id": "3333333333", "conversion_actions": {"Purchase": "555"}}',
	qq({$grant, "refresh_token": "revoked-tap-token"}));
insert_google('rv-', 3, q{'g_revoked'});
ok(wait_until(sub { is_paused($node, 'g_revoked') }, 30), 'g_revoked is paused');
my $reason = sql(q{SELECT pause_reason FROM capi.cursors WHERE destination = 'g_revoked'});
like($reason, qr/invalid_grant/, 'the pause reason names invalid_grant');
unlike($reason, qr/revoked-tap-token|GOCSPX-tap-secret/, 'and holds no secret');
sleep(2);
is(server_stats()->{oauth}{token_requests}, 1, 'one token request, no storm');
is(server_stats()->{platforms}{google}{requests} // 0, 0, 'no data request without a token');
wait_for_status_counts($node, 'g_revoked', 'rv-', { paused => 3 });
sql(q{BEGIN; SET LOCAL capi.allow_dropping_undelivered = on; DELETE FROM capi.destinations WHERE name = 'g_revoked'; COMMIT});

# --- 429 then success ---------------------------------------------------------------------------------
reset_server();
add_faults({ platform => 'google', status => 429, count => 1, retry_after => 1 });
insert_google('rl-', 4, q{'g_dm'});
wait_for_status_counts($node, 'g_dm', 'rl-', { delivered => 4 });
$stats = server_stats();
is($stats->{platforms}{google}{faulted_requests}, 1, 'one 429');
is($stats->{platforms}{google}{accepted_events}, 4, 'then the 4 events were accepted');
like(last_batch($node, 'g_dm', 'previous_error'),
	qr/429|RESOURCE_EXHAUSTED/, 'the batch keeps the 429 in previous_error');

# --- Ads partial failure: only the bad row fails ------------------------------------------------------
reset_server();
clear_faults();
add_faults({ reject_event_id => 'order-ap-2' });
insert_google('ap-', 3, q{'g_ads'});
wait_for_status_counts($node, 'g_ads', 'ap-', { delivered => 2, failed => 1 });
like(last_error_of('g_ads', 'ap-2'), qr/reject_event_id/, 'ap-2 failed with the row error');
$stats = server_stats();
is($stats->{platforms}{google}{requests}, 1, 'one request: the others were accepted with it');
is($stats->{platforms}{google}{accepted_events}, 2, 'two rows accepted');

# --- Data Manager whole-request rejection, isolated to the culprit ------------------------------------
reset_server();
clear_faults();
add_faults({ reject_event_id => 'order-dr-3' });
insert_google('dr-', 6, q{'g_dm'});
wait_for_status_counts($node, 'g_dm', 'dr-', { delivered => 5, failed => 1 });
like(last_error_of('g_dm', 'dr-3'), qr/reject_event_id/, 'dr-3 failed, named by the 400');
$stats = server_stats();
is($stats->{platforms}{google}{rejected_requests}, 1, 'one rejected request');
is($stats->{platforms}{google}{accepted_events}, 5, 'the five others were resent and accepted');
clear_faults();

# --- consent: denied ad_user_data -> DENIED, no identifiers; nothing to match -> skipped --------------
reset_server();
insert_google('cd-', 2, q{'g_dm', 'g_ads'}, consent => q{'{"ad_user_data": "denied", "ad_personalization": "denied"}'});
insert_google('cn-', 1, q{'g_dm', 'g_ads'}, consent => q{'{"ad_user_data": "denied"}'},
	user_data => q{jsonb_build_object('email', 'x' || g || '@example.com')});
wait_for_status_counts($node, 'g_dm', 'cd-', { delivered => 2 });
wait_for_status_counts($node, 'g_ads', 'cd-', { delivered => 2 });
my @denied = grep { $_->{event_id} =~ /^order-cd-/ } recorded_events();
is(scalar @denied, 4, 'both destinations received both denied events');
my ($dm_denied) = grep { !exists $_->{event}{conversionAction} } @denied;
my ($ads_denied) = grep { exists $_->{event}{conversionAction} } @denied;
is($dm_denied->{event}{consent}{adUserData}, 'CONSENT_DENIED', 'Data Manager: adUserData CONSENT_DENIED');
ok(!exists $dm_denied->{event}{userData} && !exists $dm_denied->{event}{eventDeviceInfo},
	'Data Manager: no user identifiers, no IP or user agent');
ok(exists $dm_denied->{event}{adIdentifiers}{gclid}, 'Data Manager: the gclid is kept');
is($ads_denied->{event}{consent}{adUserData}, 'DENIED', 'Ads: consent.adUserData DENIED');
ok(!exists $ads_denied->{event}{userIdentifiers}, 'Ads: no user identifiers');
for my $destination ('g_dm', 'g_ads') {
	my $row = sql(qq{SELECT status FROM capi.delivery_status WHERE destination = '$destination' AND event_id = 'cn-1'});
	ok(wait_until(sub { sql(qq{SELECT status FROM capi.delivery_status
		WHERE destination = '$destination' AND event_id = 'cn-1'}) =~ $not_sent }, 30),
		"$destination: a denied event without a click id is not sent");
	like(last_error_of($destination, 'cn-1'), qr/ad_user_data is denied.*cannot match/, 'with the consent reason');
}

# --- an unmapped event is skipped with the reason -----------------------------------------------------
reset_server();
insert_google('um-', 1, q{'g_dm'}, event_name => 'AddToCart');
insert_google('um-ok-', 1, q{'g_dm'}, event_name => 'Lead');
wait_for_status_counts($node, 'g_dm', 'um-ok-', { delivered => 1 });
ok(wait_until(sub { sql(q{SELECT status FROM capi.delivery_status WHERE destination = 'g_dm' AND event_id = 'um-1'})
	=~ $not_sent }, 30), 'AddToCart is not sent');
like(last_error_of('g_dm', 'um-1'), qr/no Google conversion action for "AddToCart"/, 'with the reason');
my ($lead) = grep { $_->{event_id} eq 'order-um-ok-1' } recorded_events();
is($lead->{event_name}, '777', 'a Lead goes to its own conversion action');

# --- no secret in the log ------------------------------------------------------------------------------
my $log = CapiTest::log_without_statements($node);
unlike($log, qr/GOCSPX-tap-secret|1\/\/tap-refresh|tap-dev-token/, 'no credential in the server log');

stop_and_check_log($node);
done_testing();
