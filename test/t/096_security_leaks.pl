# Issue 14, security, the worker's side: after 400, 403 and 401 replies from every platform, and while
# a request is in flight, no credential and no raw identifier is in the server log, in the delivery
# state (last_error, previous_error, pause_reason) or in the worker's pg_stat_activity row (sampled
# throughout, and while a reply is held back 3 s).
#
# The test never writes a secret or a raw identifier whole into SQL text: each is two literals joined
# with || (split_literal), so that the whole log can be searched, the statements this test sent
# included (TAP clusters log every statement), with the worker's own messages at DEBUG1.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;
use JSON::PP;
use Time::HiRes qw(usleep);

# Made-up credentials, each a realistic shape, each only ever sent to PostgreSQL split in two.
my %secret = (
	meta             => $TOKEN,                                  # the test server's valid Meta token
	tiktok           => 'tiktok-sec096-token-8d2e41',
	snap             => 'snap-sec096-token-3b7c90',
	reddit           => 'reddit-sec096-token-6f0a12',
	pinterest        => 'pina-sec096-token-1c4d77',
	google_secret    => 'google-sec096-client-secret-52',
	google_refresh   => '1//google-sec096-refresh-0e9b',
	google_developer => 'google-sec096-developer-4471',
	linkedin_secret  => 'linkedin-sec096-client-secret-19',
	linkedin_refresh => 'linkedin-sec096-refresh-a83f');
# Raw identifiers of the events (hashed at INSERT): what must appear nowhere but the INSERT.
my @raw_values = ('Leak.Probe1@Example.org', 'Leak.Probe2@Example.org', '650 555 4201', '6505554201',
	'Zebulonia', 'Quartermaine');

sub split_literal {
	my ($value) = @_;
	my $half = int(length($value) / 2);
	return "('" . substr($value, 0, $half) . "' || '" . substr($value, $half) . "')";
}

start_test_server(extra => [ map { ('--token', "$_=$secret{$_}") } qw(tiktok snap reddit pinterest) ]);
my $node = new_capi_node('security_leaks',
	conf => [ "log_min_messages = debug1", "log_error_verbosity = verbose", "capi.auth_failure_pause = '1s'" ]);

sub sql { return $node->safe_psql('postgres', $_[0]); }

my $url = server_url();
my %destinations = (
	meta_s      => [ 'meta',      qq('{"pixel_id": "$PIXEL", "api_version": "v25.0"}'),
		"jsonb_build_object('access_token', @{[split_literal($secret{meta})]})" ],
	google_s    => [ 'google', q('{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "555000111"}}'),
		"jsonb_build_object('client_id', 'demo.apps.googleusercontent.com', 'client_secret', "
		  . split_literal($secret{google_secret}) . ", 'refresh_token', " . split_literal($secret{google_refresh}) . ")" ],
	google_ads_s => [ 'google',
		q('{"api": "ads", "operating_account_id": "2345678901", "conversion_actions": {"Purchase": "555000111"}}'),
		"jsonb_build_object('client_id', 'demo.apps.googleusercontent.com', 'client_secret', "
		  . split_literal($secret{google_secret}) . ", 'refresh_token', " . split_literal($secret{google_refresh})
		  . ", 'developer_token', " . split_literal($secret{google_developer}) . ")" ],
	tiktok_s    => [ 'tiktok', q('{"pixel_code": "C4ABCDEF12345"}'),
		"jsonb_build_object('access_token', @{[split_literal($secret{tiktok})]})" ],
	linkedin_s  => [ 'linkedin', q('{"conversion_rules": {"Purchase": ["urn:lla:llaPartnerConversion:1001"]}}'),
		"jsonb_build_object('client_id', 'demo-client', 'client_secret', " . split_literal($secret{linkedin_secret})
		  . ", 'refresh_token', " . split_literal($secret{linkedin_refresh}) . ")" ],
	snap_s      => [ 'snap', q('{"pixel_id": "a1b2c3d4-0000-4000-8000-123456789abc"}'),
		"jsonb_build_object('access_token', @{[split_literal($secret{snap})]})" ],
	reddit_s    => [ 'reddit', q('{"pixel_id": "a2_demo1234"}'),
		"jsonb_build_object('access_token', @{[split_literal($secret{reddit})]})" ],
	pinterest_s => [ 'pinterest', q('{"ad_account_id": "549755885175"}'),
		"jsonb_build_object('access_token', @{[split_literal($secret{pinterest})]})" ]);
foreach my $name (sort keys %destinations) {
	my ($platform, $config, $credentials) = @{ $destinations{$name} };
	sql(qq{INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
		VALUES ('$name', '$platform', $config, $credentials, '$url')});
}
my $destination_count = scalar keys %destinations;

# Events with raw identifiers, each value split in the statement as the secrets are.
sub insert_probe_events {
	my ($prefix, $count, %options) = @_;
	my $destinations = $options{destinations} ? "ARRAY[$options{destinations}]" : 'NULL';
	sql(qq{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
		SELECT '$prefix' || g, 'Purchase', 'https://shop.example/p/' || g,
		       jsonb_build_object('email', ('Leak.Pro' || 'be') || g || ('\@Exam' || 'ple.org'),
		                          'phone', ('+1 650 ' || '555 ') || (4200 + g),
		                          'first_name', 'Zebu' || 'lonia', 'last_name', 'Quarter' || 'maine',
		                          'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0'),
		       '{"value": 12.5, "currency": "USD"}', $destinations
		FROM generate_series(1, $count) g});
}

# The worker's pg_stat_activity rows seen during the test (each poll of state_text adds one).
my $worker_pid;
wait_until(sub { ($worker_pid = sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_capi worker'})) =~ /^\d+$/ });
my %seen;

sub sample_worker_activity {
	my $row = sql(qq{SELECT concat_ws(' | ', state, wait_event_type, wait_event, query)
		FROM pg_stat_activity WHERE pid = $worker_pid});
	$seen{$row}++;
}

# Everything the delivery state holds as text: errors, previous errors, pause reasons.
sub state_text {
	sample_worker_activity();
	return sql(q{SELECT concat_ws(' | ',
		(SELECT string_agg(concat_ws(' ', destination, last_error, previous_error), ' | ') FROM capi.batches),
		(SELECT string_agg(concat_ws(' ', destination, last_error, previous_error), ' | ') FROM capi.event_deliveries),
		(SELECT string_agg(concat_ws(' ', destination, pause_reason), ' | ') FROM capi.cursors),
		(SELECT string_agg(concat_ws(' ', destination, last_error, reason, previous_error), ' | ') FROM capi.delivery_status))});
}

sub faults_left { return scalar @{ server_get('/__control/faults')->{rules} }; }

# One fault rule per platform for the next request (Google's two destinations: two).
sub fault_every_platform {
	my (%rule) = @_;
	my $repeat = delete $rule{repeat} // 1;
	add_faults([ map { { %rule, platform => $_, count => $repeat * ($_ eq 'google' ? 2 : 1) } }
		  qw(meta google tiktok linkedin snap reddit pinterest) ]);
}

# --- every destination delivers (Google and LinkedIn obtain their access tokens) -----------------------
insert_probe_events('ok-', 2);
ok(wait_until(sub { delivery_count($node, 'delivered', prefix => 'ok-') == 2 * $destination_count }, 60),
	'every destination delivers')
  or diag(statuses_by_destination($node, prefix => 'ok-'));

# --- 400 from every platform: the events fail with the platform's error ------------------------------
fault_every_platform(status => 400);
insert_probe_events('bad-', 1);
ok(wait_until(sub { faults_left() == 0 }, 60), '400: every platform answered one request with 400');
ok(wait_until(sub { statuses_by_destination($node, prefix => 'bad-') !~ /=(pending|in_flight)/ }, 30),
	'400: every destination recorded it')
  or diag(statuses_by_destination($node, prefix => 'bad-'));
my $after_400 = state_text();
like($after_400, qr/\b400\b/, '400: the delivery state holds the errors');

# --- 403 and 401 from every platform: auth failures (a pause, a refreshed OAuth token, or a failure
# where the platform's code says so) ------------------------------------------------------------------
foreach my $status (403, 401) {
	fault_every_platform(status => $status);
	insert_probe_events("auth$status-", 1);
	ok(wait_until(sub { faults_left() == 0 }, 60), "$status: every platform answered one request with $status");
	ok(wait_until(sub { state_text() =~ /\b$status\b/ }, 30), "$status: the delivery state holds the refusals");
	sql('UPDATE capi.destinations SET enabled = true');    # any UPDATE ends a pause at once
	ok(wait_until(sub { statuses_by_destination($node, prefix => "auth$status-") !~ /=(?!delivered|failed)/ }, 60),
		"$status: resumed, every destination settles the event")
	  or diag(statuses_by_destination($node, prefix => "auth$status-") . "\n" . state_text());
}

# --- transport errors name the request's URL ("reset: ... [POST https://...]"): never a credential ------
# Three resets per destination: the retries (200 ms, 400 ms, ...) leave time to see the errors.
fault_every_platform(reset => JSON::PP::true, repeat => 3);
insert_probe_events('reset-', 1);
my $reset_errors = 0;
wait_until(sub {
		my $text = state_text();
		$reset_errors += () = $text =~ /reset: [^|]*\[POST http/g;
		return faults_left() == 0;
	},
	60);
ok($reset_errors > 0, 'reset: the delivery state held errors naming the URL');
ok(wait_until(sub { delivery_count($node, 'delivered', prefix => 'reset-') == $destination_count }, 60),
	'reset: retried, every destination delivers')
  or diag(statuses_by_destination($node, prefix => 'reset-'));

# --- the OAuth token endpoint refuses (Google, LinkedIn: the refresh token and client secret are in
# that request's body) ---------------------------------------------------------------------------------
server_post('/__control/oauth', { expire_all => JSON::PP::true });
add_faults({ platform => 'oauth', status => 401, count => 1000 });
insert_probe_events('oauth-', 1, destinations => "'google_s', 'linkedin_s'");
ok(wait_until(sub { state_text() =~ /OAuth token/ }, 60), 'oauth: the refused refresh is recorded')
  or diag(state_text());
clear_faults();
sql('UPDATE capi.destinations SET enabled = true');
ok(wait_until(sub { delivery_count($node, 'delivered', prefix => 'oauth-') == 2 }, 60),
	'oauth: with the endpoint answering again, delivered')
  or diag(statuses_by_destination($node, prefix => 'oauth-') . "\n" . state_text());

# --- a Meta error that echoes the token (as a platform may quote what it received): redacted ---------
add_faults({ platform => 'meta', meta_error => { code => 100, message => "Invalid parameter: access_token $secret{meta}" } });
insert_probe_events('echo-', 1, destinations => "'meta_s'");
ok(wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id = 'echo-1' AND status = 'failed'}) == 1 }, 30),
	'the event whose error echoes the token fails');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'echo-1'}), qr/\[REDACTED\]/,
	'last_error: the echoed token is redacted');

# --- pg_stat_activity while a request is in flight -----------------------------------------------------
like($worker_pid, qr/^\d+$/, 'the worker runs');
add_faults({ platform => 'meta', delay_ms => 3000 });
insert_probe_events('slow-', 3, destinations => "'meta_s'");
# One session samples the worker's row with the batch's state (in_flight: the request is out and the
# reply is being held back) until the events are delivered.
my $samples_in_flight;
my $sampler = $node->background_psql('postgres');
wait_until(
	sub {
		my $row = $sampler->query_safe(qq{SELECT concat_ws(E'\t',
			(SELECT count(*) FROM capi.batches WHERE destination = 'meta_s' AND status = 'in_flight'),
			(SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'slow-%' AND status = 'delivered'),
			(SELECT concat_ws(' | ', state, wait_event_type, wait_event, query) FROM pg_stat_activity WHERE pid = $worker_pid))});
		my ($in_flight, $delivered, $activity) = split /\t/, $row, 3;
		$seen{ $activity // '' }++;
		$samples_in_flight++ if $in_flight > 0;
		usleep(20_000);
		return $delivered == 3;
	},
	30);
$sampler->quit;
cmp_ok($samples_in_flight // 0, '>=', 10, 'pg_stat_activity sampled while the request was in flight (3 s delay)');
my $activity = join("\n", keys %seen);
cmp_ok(scalar(grep { /capi\./ } keys %seen), '>=', 2, "the worker's statements were read: " . scalar(keys %seen) . ' distinct rows');
# A role that is not pg_read_all_stats sees none of the worker's statement text.
sql(q{CREATE ROLE regress_leak_monitor LOGIN IN ROLE capi_monitor});
is($node->safe_psql('postgres', qq{SET ROLE regress_leak_monitor;
	SELECT coalesce(query, '<null>') FROM pg_stat_activity WHERE pid = $worker_pid}),
	'<insufficient privilege>', "capi_monitor does not see the worker's statement");

# --- the checks: no secret, no raw identifier anywhere -----------------------------------------------
my $state = state_text();
my $log = slurp_file($node->logfile);
like($log, qr/DEBUG:/, 'the log holds DEBUG1 messages');
like($log, qr/INSERT INTO capi\.outbox/, 'the log holds the statements this test sent');
foreach my $key (sort keys %secret) {
	unlike($log,      qr/\Q$secret{$key}\E/, "$key: not in the server log");
	unlike($state,    qr/\Q$secret{$key}\E/, "$key: not in last_error, previous_error or pause_reason");
	unlike($activity, qr/\Q$secret{$key}\E/, "$key: not in the worker's pg_stat_activity row");
}
foreach my $value (@raw_values) {
	unlike($log,      qr/\Q$value\E/i, "raw '$value': not in the server log");
	unlike($state,    qr/\Q$value\E/i, "raw '$value': not in the delivery state");
	unlike($activity, qr/\Q$value\E/i, "raw '$value': not in the worker's pg_stat_activity row");
}
unlike($log, qr/Bearer\s+\S/, 'no Authorization header value in the log (OAuth access tokens included)');

stop_and_check_log($node);
done_testing();
