# LinkedIn Conversions API end to end, against the loopback stand-in: one element per (event,
# conversion rule) and batching at the 5,000-element cap, an OAuth token obtained and refreshed after
# it expired early, invalid_grant and a sunset LinkedIn-Version (426) pausing the destination with a
# clear reason, 429 retried, a 422 naming "Index: N" failing that event alone, consent denied and an
# unmapped event not sent.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

my $LI_TOKEN = 'AQVstatic-1';
start_test_server(extra => ['--token', "linkedin=$LI_TOKEN"]);
my $node = new_capi_node('linkedin', conf => ["capi.auth_failure_pause = '20s'"]);

sub sql { return $node->safe_psql('postgres', $_[0]); }

my ($R1, $R2, $R3) = map { "urn:lla:llaPartnerConversion:$_" } (1001, 1002, 2001);
my $RULES = qq{"conversion_rules": {"Purchase": ["$R1", "$R2"], "Lead": ["$R3"]}};
add_destination($node, 'li_main', 'linkedin', qq({$RULES, "max_requests_per_second": 20}),
	qq({"access_token": "$LI_TOKEN"}));

sub linkedin_stats { return server_stats()->{platforms}{linkedin} // {}; }

sub insert_one {
	my ($id, $name, $destination, %options) = @_;
	my $consent = $options{consent} // '{}';
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_time, user_data, custom_data, consent, destinations)
		VALUES ('$id', '$name', now(), '{"email": "$id\@example.com", "li_fat_id": "fat-$id"}',
		        '{"value": 9.99, "currency": "EUR"}', '$consent', ARRAY['$destination'])});
}

# --- fan-out and the 5,000-element cap --------------------------------------------------------------
reset_server();
insert_events($node, 2500, 'cap-', destinations => "'li_main'");
wait_for_status_counts($node, 'li_main', 'cap-', { delivered => 2500 });
my $stats = server_stats();
is($stats->{platforms}{linkedin}{accepted_events}, 5000, '2,500 Purchase events reached LinkedIn as 5,000 elements (2 rules each)');
is_deeply($stats->{batch_sizes}, { 5000 => 1 }, 'in one BATCH_CREATE of exactly 5,000 elements');
is($stats->{duplicate_events}, 0, 'no element twice');
my @recorded = map { decode_json($_) } grep { /\S/ } do {
	open(my $fh, '<', CapiTest::record_file()) or die;
	<$fh>;
};
my %rules;
$rules{ $_->{event_name} }++ for @recorded;
is_deeply(\%rules, { $R1 => 2500, $R2 => 2500 }, 'each event went to both Purchase rules');

reset_server();
insert_events($node, 2501, 'cap2-', destinations => "'li_main'");
wait_for_status_counts($node, 'li_main', 'cap2-', { delivered => 2501 });
my $sizes = server_stats()->{batch_sizes};
is_deeply($sizes, { 5000 => 1, 2 => 1 }, '2,501 events: 5,000 elements, then the last event\'s 2')
  or diag(encode_json($sizes));

# --- 429 retried ------------------------------------------------------------------------------------
reset_server();
add_faults({ platform => 'linkedin', status => 429, retry_after => 1 });
insert_events($node, 10, 'rl-', destinations => "'li_main'");
wait_for_status_counts($node, 'li_main', 'rl-', { delivered => 10 });
is(linkedin_stats()->{requests}, 2, '429, then delivered on the second request');

# --- a 422 naming "Index: N" fails that event alone ---------------------------------------------------
reset_server();
add_faults({ reject_event_id => 'bad-3' });
insert_events($node, 6, 'bad-', destinations => "'li_main'");
wait_for_status_counts($node, 'li_main', 'bad-', { delivered => 5, failed => 1 });
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'bad-3' AND destination = 'li_main'}),
	qr/^HTTP 422: ERROR :: \/eventId :: event_id 'bad-3' is rejected/, 'bad-3 failed with LinkedIn\'s words for its element');
is(linkedin_stats()->{accepted_events}, 10, 'the other 5 events were resent and accepted (10 elements)');
clear_faults();

# --- consent denied and an unmapped event are not sent -------------------------------------------------
reset_server();
insert_one('cs-1', 'Purchase', 'li_main', consent => '{"ad_user_data": "denied"}');
insert_one('cs-2', 'Newsletter', 'li_main');
insert_one('cs-3', 'Lead', 'li_main');
wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'cs-%'
	AND status NOT IN ('pending', 'in_flight', 'retrying')}) == 3 }, 30);
like(sql(q{SELECT status || ': ' || last_error FROM capi.delivery_status WHERE event_id = 'cs-1'}),
	qr/^skipped: consent: ad_user_data is denied/, 'denied ad_user_data: not sent, with the reason');
like(sql(q{SELECT status || ': ' || last_error FROM capi.delivery_status WHERE event_id = 'cs-2'}),
	qr/^skipped: no LinkedIn conversion rule for "Newsletter"/, 'an event without a rule: not sent, with the reason');
is(sql(q{SELECT status FROM capi.delivery_status WHERE event_id = 'cs-3'}), 'delivered', 'Lead went to its rule');
is(linkedin_stats()->{accepted_events}, 1, 'one element reached LinkedIn');
my ($lead) = grep { /cs-3/ } do { open(my $fh, '<', CapiTest::record_file()) or die; <$fh> };
ok(defined $lead, 'the Lead element was recorded');

# --- OAuth: token obtained, refreshed after it expired early, invalid_grant pauses -----------------------
reset_server();
add_destination($node, 'li_oauth', 'linkedin', qq({$RULES}),
	'{"client_id": "cid", "client_secret": "csecret", "refresh_token": "r-good"}');
insert_events($node, 5, 'oa-', destinations => "'li_oauth'");
wait_for_status_counts($node, 'li_oauth', 'oa-', { delivered => 5 });
is(server_stats()->{oauth}{token_requests}, 1, 'one token request');
server_post('/__control/oauth', { expire_all => JSON::PP::true });
insert_events($node, 5, 'ob-', destinations => "'li_oauth'");
wait_for_status_counts($node, 'li_oauth', 'ob-', { delivered => 5 });
is(server_stats()->{oauth}{token_requests}, 2, 'the expired token got a 401 and was refreshed once');

add_destination($node, 'li_revoked', 'linkedin', qq({$RULES}),
	'{"client_id": "cid", "client_secret": "csecret", "refresh_token": "revoked-1"}');
insert_events($node, 3, 'rv-', destinations => "'li_revoked'");
like(wait_until(sub { pause_reason($node, 'li_revoked') }, 30),
	qr/invalid_grant.*UPDATE the destination's credentials/s,
	'invalid_grant pauses the destination with a clear reason');
is(delivery_count($node, 'paused', destination => 'li_revoked'), 3,
	'its events wait, paused');

# --- a sunset LinkedIn-Version pauses the destination --------------------------------------------------
add_destination($node, 'li_old', 'linkedin', qq({$RULES, "api_version": "202511"}), qq({"access_token": "$LI_TOKEN"}));
insert_events($node, 3, 'ov-', destinations => "'li_old'");
like(wait_until(sub { pause_reason($node, 'li_old') }, 30),
	qr/LinkedIn-Version 202511 is no longer served \(HTTP 426: NONEXISTENT_VERSION: Requested version 20251101 is not active\).*Set config\.api_version/s,
	'426: paused, naming the version and what to set');
sql(q{UPDATE capi.destinations SET config = config - 'api_version' WHERE name = 'li_old'});
wait_for_status_counts($node, 'li_old', 'ov-', { delivered => 3 });

unlike(CapiTest::log_without_statements($node), qr/\Q$LI_TOKEN\E|csecret|r-good/, 'no token or secret in the server log');
stop_and_check_log($node);
done_testing();
