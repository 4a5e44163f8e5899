# capi.dry_run: the destinations of demo/all_platforms.sql, disabled ("try before sending"), each
# dry-run in its platform's test or validate mode against the loopback stand-in: one verdict per event
# (one event the platforms reject), nothing delivered or marked (no batch, no delivery row, cursors
# unchanged, the stand-in counts test events only), then the same events delivered normally once the
# destinations are enabled, without duplicates. LinkedIn (no test mode) and a missing test code are
# refused; only capi_admin may call it; credential files are read and no credential appears in any
# result or log line; a statement_timeout, a cancel and a terminate stop it at once while the platform
# hangs; TLS is verified against capi.ca_file.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use IPC::Run;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

my $REDDIT_TOKEN = 'reddit-demo-token';
my $PINTEREST_TOKEN = 'pina-demo-token';
my $WRONG_TOKEN = 'reddit-wrong-token-4e7d1';
my $credentials_dir = PostgreSQL::Test::Utils::tempdir();
my $url = start_test_server(extra => [ '--token', "reddit=$REDDIT_TOKEN", '--token', "pinterest=$PINTEREST_TOKEN" ]);
my $node = new_capi_node('dry_run', conf => ["capi.credentials_directory = '$credentials_dir'"]);

sub sql { return $node->safe_psql('postgres', $_[0]); }

# The error (SQLSTATE: message) a statement ends with.
sub sql_error {
	my ($query) = @_;
	my ($code, $out, $err) = $node->psql('postgres', "\\set VERBOSITY verbose\n$query");
	return $code == 0 ? 'no error' : ($err =~ /ERROR:  (\w{5}: [^\n]*)/)[0] // $err;
}

# --- Destinations created disabled: events wait for them -------------------------------------------
my $setup = slurp_file("$ENV{PG_CAPI_SOURCE}/demo/all_platforms.sql");
$setup =~ s/:'url'/'$url'/g;
$setup =~ s/EAAB-demo-token-not-real/$TOKEN/;
sql("BEGIN; $setup UPDATE capi.destinations SET enabled = false; COMMIT;");
my @destinations = qw(meta_shop google_dm google_ads tiktok_shop snap_shop reddit_shop pinterest_shop);
my %test_code = (meta_shop => 'TEST12345', tiktok_shop => 'TEST54321', reddit_shop => 't2_testid');

insert_events($node, 5, 'dry-');
my $cursors = 'SELECT string_agg(destination || window_start::text || coalesce(window_end::text, \'-\') '
  . '|| coalesce(done_id::text, \'-\'), \',\' ORDER BY destination) FROM capi.cursors';
my $cursors_before = sql($cursors);
add_faults({ reject_event_id => 'dry-3' });

# --- One verdict per event, per platform ------------------------------------------------------------
my @messages;
foreach my $destination (@destinations) {
	my $code = $test_code{$destination} ? "'$test_code{$destination}'" : 'NULL';
	my $rows = sql(qq{SELECT string_agg(event_id || ':' || accepted || ':' || verdict, ',' ORDER BY event_id)
		FROM capi.dry_run('$destination', 10, $code)});
	is($rows, 'dry-1:true:accepted,dry-2:true:accepted,dry-3:false:rejected,dry-4:true:accepted,dry-5:true:accepted',
		"$destination: four accepted, the one the platform refuses rejected");
	my $message = sql(qq{SELECT message FROM capi.dry_run('$destination', 10, $code) WHERE event_id = 'dry-3'});
	like($message, qr/reject_event_id/, "$destination: the rejection carries the platform's words");
	note("$destination, dry-3: $message");
	push @messages, $message;
}
is(sql(q{SELECT count(*) FROM capi.dry_run('pinterest_shop', 2)}), '2', 'n limits the events sent');
is(sql(q{SELECT string_agg(event_id, ',' ORDER BY outbox_id) FROM capi.dry_run('snap_shop', 2)}), 'dry-1,dry-2',
	'the next pending events, in the order the worker reads them');

# --- Nothing was delivered or marked ---------------------------------------------------------------
my $stats = server_stats();
foreach my $platform (qw(meta google tiktok snap reddit pinterest)) {
	is($stats->{platforms}{$platform}{accepted_events}, 0, "$platform: nothing delivered");
	cmp_ok($stats->{platforms}{$platform}{test_events}, '>=', $platform eq 'google' ? 16 : 8,
		"$platform: the events reached its test mode");
}
is_deeply($stats->{destinations}, {}, 'no event counted for any account');
is(sql('SELECT count(*) FROM capi.batches'), '0', 'no batch was recorded');
is(sql('SELECT count(*) FROM capi.event_deliveries'), '0', 'no delivery row was written');
is(sql($cursors), $cursors_before, 'no cursor moved');
is(sql(q{SELECT string_agg(DISTINCT status, ',') FROM capi.delivery_status WHERE destination <> 'linkedin_shop'}),
	'disabled', 'every event still waits for its disabled destination');

# --- Refusals ---------------------------------------------------------------------------------------
like(sql_error(q{SELECT * FROM capi.dry_run('linkedin_shop')}),
	qr/^0A000: destination "linkedin_shop": linkedin has no test or validate mode/, 'LinkedIn has no test mode: refused');
like(sql_error(q{SELECT * FROM capi.dry_run('meta_shop')}),
	qr/^22023: destination "meta_shop": Meta's Test Events \(test_event_code\) needs a test code/,
	'Meta without a test code: refused');
like(sql_error(q{SELECT * FROM capi.dry_run('snap_shop', 5, 'T1')}), qr/^22023: .*takes no test code/,
	'a test code where the platform takes none: refused');
like(sql_error(q{SELECT * FROM capi.dry_run('snap_shop', 0)}), qr/^22023: capi.dry_run: n must be between 1 and 1000/,
	'n out of range: refused');
like(sql_error(q{SELECT * FROM capi.dry_run('nowhere')}), qr/^42704: destination "nowhere" does not exist/,
	'an unknown destination: refused');

sql(q{CREATE ROLE shop_app LOGIN IN ROLE capi_writer; CREATE ROLE operator LOGIN IN ROLE capi_admin});
like(sql_error(q{SET ROLE shop_app; SELECT * FROM capi.dry_run('snap_shop')}),
	qr/^42501: permission denied for function dry_run/, 'a writer may not call it');
like(sql_error(q{SET ROLE capi_worker; SELECT * FROM capi.dry_run('snap_shop')}),
	qr/^42501: permission denied for function dry_run/, 'nor may the worker role');
is(sql(q{SET ROLE operator; SELECT count(*) FROM capi.dry_run('snap_shop')}), '5', 'a member of capi_admin may');

# --- Credentials: from a file, and never in a result or a log line ----------------------------------
my $token_file = "$credentials_dir/pinterest_token";
PostgreSQL::Test::Utils::append_to_file($token_file, "$PINTEREST_TOKEN\n");
chmod 0600, $token_file or die "chmod: $!";
add_destination($node, 'pinterest_file', 'pinterest', '{"ad_account_id": "549755885175"}',
	'{"access_token": {"file": "pinterest_token"}}', enabled => 'false');
add_destination($node, 'reddit_wrong', 'reddit', '{"pixel_id": "a2_demo1234"}',
	qq({"access_token": "$WRONG_TOKEN"}), enabled => 'false');
insert_events($node, 2, 'cred-', destinations => q{'pinterest_file', 'reddit_wrong'});
is(sql(q{SELECT string_agg(verdict, ',') FROM capi.dry_run('pinterest_file')}), 'accepted,accepted',
	'a credential file is read and used');
my $wrong = sql(q{SELECT string_agg(DISTINCT verdict || ': ' || message, ' / ') FROM capi.dry_run('reddit_wrong', 10, 't2_x')});
like($wrong, qr/^error: HTTP 401/, 'a token the platform refuses: every event answered "error" with its words');
note("reddit_wrong: $wrong");
push @messages, $wrong;
unlike(join("\n", @messages), qr/\Q$TOKEN\E|\Q$REDDIT_TOKEN\E|\Q$PINTEREST_TOKEN\E|\Q$WRONG_TOKEN\E|demo-secret|demo-refresh/,
	'no credential in any message');

# --- Interrupts: the platform hangs, the statement does not -----------------------------------------
sub hang_platform {
	clear_faults();
	add_faults({ platform => 'meta', delay_ms => 60000, count => 10 });
}

hang_platform();
my $started = time();
like(sql_error(q{SET statement_timeout = '1s'; SELECT * FROM capi.dry_run('meta_shop', 10, 'TEST1')}),
	qr/^57014: canceling statement due to statement timeout/, 'statement_timeout stops a dry run');
cmp_ok(time() - $started, '<', 5, 'at once, although the platform would answer in 60 s');

# A dry run in another session, stopped by $stop (pg_cancel_backend or pg_terminate_backend).
sub interrupt_dry_run {
	my ($stop) = @_;
	hang_platform();
	my ($in, $out, $err) = ('', '', '');
	my $psql = IPC::Run::start(
		[ $node->installed_command('psql'), '-XAtq', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('postgres'),
		  '-c', q{SELECT * FROM capi.dry_run('meta_shop', 10, 'TEST1')} ],
		'<', \$in, '>', \$out, '2>', \$err);
	my $pid = wait_until(sub {
		sql(q{SELECT pid FROM pg_stat_activity WHERE query LIKE '%capi.dry_run(%' AND pid <> pg_backend_pid()
		      AND state = 'active' AND wait_event = 'Extension'}) }, 30);
	ok($pid, "$stop: the dry run waits for the platform") or return;
	my $at = time();
	sql("SELECT $stop($pid)");
	$psql->finish;
	my $elapsed = time() - $at;
	cmp_ok($elapsed, '<', 5, "$stop stops it at once");
	return $err;
}
like(interrupt_dry_run('pg_cancel_backend'), qr/canceling statement due to user request/, 'cancelled');
like(interrupt_dry_run('pg_terminate_backend'), qr/terminating connection due to administrator command/,
	'terminated');
clear_faults();
is(sql('SELECT count(*) FROM capi.batches'), '0', 'still no batch after the interrupted runs');
is(sql('SELECT count(*) FROM capi.event_deliveries'), '0', 'nor a delivery row');

# --- Then the events are delivered normally ----------------------------------------------------------
reset_server();
sql(q{UPDATE capi.destinations SET enabled = true WHERE name IN
	('meta_shop', 'google_dm', 'google_ads', 'tiktok_shop', 'snap_shop', 'reddit_shop', 'pinterest_shop', 'linkedin_shop')});
ok(wait_until(sub {
	sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'dry-%' AND status = 'delivered'}) == 40 }, 120),
	'once enabled, the 8 destinations deliver the 5 events each')
  or diag(sql(q{SELECT string_agg(destination || ' ' || status || ' ' || coalesce(last_error, ''), E'\n')
	FROM capi.delivery_status WHERE event_id LIKE 'dry-%' AND status <> 'delivered'}));
$stats = server_stats();
foreach my $platform (qw(meta google tiktok linkedin snap reddit pinterest)) {
	is($stats->{platforms}{$platform}{accepted_events}, $platform eq 'google' ? 10 : 5, "$platform: delivered once");
}
is($stats->{duplicate_events}, 0, 'no duplicates');
is($stats->{test_events}, 0, 'as real events, not test events');

# --- TLS: the platform's certificate is verified against capi.ca_file --------------------------------
stop_test_server();
my $tls_dir = PostgreSQL::Test::Utils::tempdir();
my ($cert, $key) = ("$tls_dir/server.pem", "$tls_dir/server.key");
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', $key, '-out', $cert, '-days', '1',
	'-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1') == 0
  or BAIL_OUT('openssl could not make a certificate');
(my $https = start_test_server(extra => [ '--tls-cert', $cert, '--tls-key', $key ])) =~
  s{^http://127\.0\.0\.1}{https://localhost};
sql(qq{INSERT INTO capi.destinations (name, platform, enabled, config, credentials, endpoint)
	VALUES ('meta_tls', 'meta', false, '{"pixel_id": "$PIXEL"}', '{"access_token": "$TOKEN"}', '$https')});
insert_events($node, 2, 'tls-', destinations => q{'meta_tls'});
like(sql(q{SELECT string_agg(DISTINCT verdict || ': ' || message, ' / ') FROM capi.dry_run('meta_tls', 10, 'TEST1')}),
	qr/^error: .*(certificate|SSL|TLS)/i, 'a certificate no trusted CA signed: no verdict, the TLS error');
reload_setting($node, "capi.ca_file = '$cert'");
is(sql(q{SELECT string_agg(verdict, ',') FROM capi.dry_run('meta_tls', 10, 'TEST1')}), 'accepted,accepted',
	'with its CA in capi.ca_file: accepted');
is(scalar(grep { /"event_id":"tls-\d","event_time":\d+,"received_at_ms":\d+,"test_event_code":"TEST1"/ }
		split /\n/, slurp_file(CapiTest::record_file())), 2, 'over HTTPS, in test mode');

unlike(CapiTest::log_without_statements($node),
	qr/\Q$TOKEN\E|\Q$REDDIT_TOKEN\E|\Q$PINTEREST_TOKEN\E|\Q$WRONG_TOKEN\E/, 'no credential in the server log');
stop_and_check_log($node);
done_testing();
