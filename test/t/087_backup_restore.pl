# Backups (issue 11): pg_dump keeps capi's rows (destinations and their tokens, the outbox, the
# delivery state), and a logical restore into another cluster delivers each event that was not
# delivered exactly once and never sends a delivered one again, whether the new cluster's transaction
# ids are behind the old one's or ahead of them:
#   * cluster B1 is behind (A burned 5,000 transaction ids first); pg_restore --single-transaction: the
#     worker rebases the delivery state by itself;
#   * cluster B2 is ahead (it burned 20,000); pg_restore in several transactions: the worker waits (the
#     restore may not be complete), and the first application INSERT rebases;
#   * cluster C is A after pg_upgrade (a new system identifier, the same transaction ids): the worker
#     rebases at its first start, which must change nothing that matters.
# In A: meta_main delivered old-* and late-* (old-5 failed: the platform refused it), meta_off is
# disabled, meta_retry got only 503s (batches retrying), meta_late was created after old-* (those are
# not for it) and delivered late-*; then the worker stopped and tail-* was inserted (read by nobody).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my %pixel = (meta_main => $PIXEL, meta_off => '2222222222', meta_retry => '3333333333', meta_late => '4444444444');
my %destination_of_pixel = reverse %pixel;
start_test_server(extra => [ map { ('--meta-pixel', $_) } grep { $_ ne $PIXEL } values %pixel ]);

sub add_destination_with_pixel {
	my ($node, $name, $enabled) = @_;
	my $url = server_url();
	$node->safe_psql('postgres', qq{
		INSERT INTO capi.destinations (name, platform, enabled, config, credentials, endpoint)
		VALUES ('$name', 'meta', $enabled, '{"pixel_id": "$pixel{$name}", "api_version": "v25.0"}',
		        '{"access_token": "$TOKEN"}', '$url')});
}

# n transaction ids, each in a transaction of its own.
sub burn_xids {
	my ($node, $count) = @_;
	$node->safe_psql('postgres',
		"DO \$\$ BEGIN FOR i IN 1..$count LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END \$\$");
}

# "destination:event_id" of every event the platform accepted since the last reset, sorted.
sub received {
	return sort map { ($destination_of_pixel{ $_->{destination} } // $_->{destination}) . ':' . $_->{event_id} }
	  recorded_events();
}

sub names { my ($prefix, $count) = @_; return map { "$prefix$_" } 1 .. $count; }

# --- cluster A --------------------------------------------------------------------------------------
my $node_a = new_capi_node('a');
sub sql_a { return $node_a->safe_psql('postgres', $_[0]); }
burn_xids($node_a, 5000);
add_destination_with_pixel($node_a, 'meta_main', 'true');
add_destination_with_pixel($node_a, 'meta_off', 'false');
add_destination_with_pixel($node_a, 'meta_retry', 'true');
add_faults([ { reject_event_id => 'old-5' },
	{ status => 503, path_prefix => "/v25.0/$pixel{meta_retry}/", count => 1000000 } ]);
insert_events($node_a, 20, 'old-');
ok(wait_until(sub {
	sql_a(q{SELECT count(*) FILTER (WHERE status = 'delivered') || '/' || count(*) FILTER (WHERE status = 'failed')
		FROM capi.delivery_status WHERE destination = 'meta_main'}) eq '19/1' }, 30),
	'A: meta_main delivered 19 old-* events, old-5 failed');
ok(wait_until(sub { sql_a(q{SELECT count(*) > 0 FROM capi.batches WHERE destination = 'meta_retry'}) eq 't' }, 30),
	'A: meta_retry tried (and got 503)');
add_destination_with_pixel($node_a, 'meta_late', 'true');
insert_events($node_a, 10, 'late-');
ok(wait_until(sub {
	sql_a(q{SELECT count(*) FROM capi.delivery_status
		WHERE destination IN ('meta_main', 'meta_late') AND event_id LIKE 'late-%' AND status = 'delivered'}) eq '20' },
	30), 'A: meta_main and meta_late delivered late-*');
# The worker stops (it serves another database from now on); tail-* is read by nobody.
my $offset = -s $node_a->logfile;
sql_a("ALTER SYSTEM SET capi.database = 'template1'; SELECT pg_reload_conf()");
ok($node_a->wait_for_log(qr/capi\.database changed, stopping the worker in "postgres"/, $offset), 'A: the worker stopped');
insert_events($node_a, 10, 'tail-');
my %a_status = map { split /\|/ } split /\n/, sql_a(q{SELECT destination || ':' || event_id, status FROM capi.delivery_status});
my @sent_by_a = sort grep { $a_status{$_} eq 'delivered' } keys %a_status;
is(scalar @sent_by_a, 19 + 20, 'A: 39 (event, destination) pairs delivered');
is(scalar(grep { /^meta_late:old-/ } keys %a_status), 0, 'A: old-* are not for meta_late');
like(sql_a(q{SELECT string_agg(DISTINCT status, ',' ORDER BY status) FROM capi.delivery_status
	WHERE destination = 'meta_retry'}), qr/^(in_flight|paused|pending|retrying)(,(in_flight|paused|pending|retrying))*$/,
	'A: meta_retry has nothing delivered (in flight, retrying, paused or pending)');
my $a_destinations = sql_a(q{SELECT name, enabled, config, credentials, endpoint FROM capi.destinations ORDER BY name});
my $a_identifier = sql_a(q{SELECT system_identifier FROM pg_control_system()});
is(sql_a(q{SELECT system_identifier FROM capi.cluster_identity}), $a_identifier, 'A: capi.cluster_identity names A');
my $dump = PostgreSQL::Test::Utils::tempdir() . '/a.dump';
$node_a->command_ok([ 'pg_dump', '--format=custom', '--file', $dump, '--dbname', $node_a->connstr('postgres') ], 'pg_dump of A');
my $a_next_xid = sql_a('SELECT pg_current_xact_id()');
$node_a->stop('fast');

# What every restore must deliver: each (destination, event) A did not deliver, once; and the new
# events after-*. Never old-5 to meta_main (it failed: retry_failed would resend it), never old-* to
# meta_late.
my @expected;
for my $destination (sort keys %pixel) {
	for my $event (names('old-', 20), names('late-', 10), names('tail-', 10), names('after-', 5)) {
		my $pair = "$destination:$event";
		next if $destination eq 'meta_late' && $event =~ /^old-/;
		next if $pair eq 'meta_main:old-5';
		next if ($a_status{$pair} // '') eq 'delivered';
		push @expected, $pair;
	}
}
@expected = sort @expected;
is(scalar @expected, 15 + 45 + 45 + 15, '120 deliveries expected after a restore');

sub check_restored {
	my ($b, $label) = @_;
	my $sql = sub { return $b->safe_psql('postgres', $_[0]); };
	$sql->(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_off'});
	ok(wait_until(sub { scalar(recorded_events()) >= scalar(@expected) }, 60), "$label: the platform received 120 events")
	  or diag(scalar(recorded_events()), ' received; ', $sql->(q{SELECT destination, status, count(*) FROM capi.delivery_status
		GROUP BY 1, 2 ORDER BY 1, 2}));
	sleep 2;    # anything sent twice would arrive now
	my @got = received();
	is_deeply(\@got, \@expected,
		"$label: each undelivered (destination, event) delivered once, no delivered one again");
	is(server_stats()->{duplicate_events}, 0, "$label: no duplicate reached the platform");
	is(scalar(grep { /^meta_late:old-/ } @got), 0, "$label: old-* never sent to meta_late");
	is($sql->(q{SELECT status FROM capi.delivery_status WHERE destination = 'meta_main' AND event_id = 'old-5'}),
		'failed', "$label: old-5 is still failed at meta_main");
	is($sql->(q{SELECT count(*) FROM capi.delivery_status WHERE status <> 'delivered'
		AND NOT (destination = 'meta_main' AND event_id = 'old-5')}), '0', "$label: everything else reads delivered");
	is($sql->(q{SELECT count(*) FROM capi.delivery_status WHERE destination = 'meta_late' AND event_id LIKE 'old-%'}),
		'0', "$label: capi.delivery_status still knows old-* are not for meta_late");
	is($sql->(q{SELECT name, enabled, config, credentials, endpoint FROM capi.destinations
		WHERE name <> 'meta_off' ORDER BY name}),
		join("\n", grep { !/^meta_off\|/ } split /\n/, $a_destinations),
		"$label: destinations and their tokens came back");
	is($sql->(q{SELECT (system_identifier = (SELECT system_identifier FROM pg_control_system())) || '|' || restored_from
		FROM capi.cluster_identity}), "true|$a_identifier", "$label: capi.cluster_identity names this cluster, restored from A");
	is($sql->(q{SELECT count(*) FROM capi.outbox WHERE id <= (SELECT max(id) FROM capi.outbox WHERE event_id LIKE 'tail-%')
		AND event_id LIKE 'after-%'}), '0', "$label: new events got new ids");
}

# --- B1: behind A, restored in one transaction: the worker rebases by itself -----------------------
reset_server();
clear_faults();
my $b1 = new_capi_node('b1', no_extension => 1);
cmp_ok($b1->safe_psql('postgres', 'SELECT pg_current_xact_id()::text::bigint'), '<', 2000, 'B1 is behind A');
$offset = -s $b1->logfile;
$b1->command_ok([ 'pg_restore', '--single-transaction', '--dbname', $b1->connstr('postgres'), $dump ],
	'B1: pg_restore --single-transaction');
ok($b1->wait_for_log(qr/pg_capi: delivery state restored from database cluster \Q$a_identifier\E rebased onto this one/,
	$offset), 'B1: the worker rebased the restored delivery state (and logged it)');
insert_events($b1, 5, 'after-');
check_restored($b1, 'B1');
$b1->stop('fast');

# --- B2: ahead of A, restored in several transactions: an application INSERT rebases ----------------
reset_server();
my $b2 = new_capi_node('b2', no_extension => 1);
burn_xids($b2, 20000);
cmp_ok($b2->safe_psql('postgres', 'SELECT pg_current_xact_id()::text::bigint'), '>', $a_next_xid + 10000,
	'B2 is ahead of A');
$offset = -s $b2->logfile;
$b2->command_ok([ 'pg_restore', '--dbname', $b2->connstr('postgres'), $dump ], 'B2: pg_restore (several transactions)');
ok($b2->wait_for_log(qr/restored from another database cluster \(system identifier \Q$a_identifier\E\) in several transactions: once the restore is complete, run SELECT capi\.rebase_after_restore\(\)/,
	$offset), 'B2: the worker waits for the rebase and says what to run');
like($b2->safe_psql('postgres', 'SELECT capi.setup_warnings()'), qr/restored from another database cluster/,
	'B2: capi.setup_warnings() says so too');
sleep 2;
is(scalar(recorded_events()), 0, 'B2: nothing was sent before the rebase');
$b2->safe_psql('postgres', q{CREATE ROLE shop LOGIN IN ROLE capi_writer});
$b2->safe_psql('postgres', q{SET ROLE shop;
	INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
	SELECT 'after-' || g, 'Purchase', 'https://shop.example/p/' || g,
	       '{"email": "after@example.com", "client_user_agent": "Mozilla/5.0"}', '{"value": 12.5, "currency": "USD"}'
	FROM generate_series(1, 5) g});
ok($b2->wait_for_log(qr/pg_capi: delivery state restored from database cluster \Q$a_identifier\E rebased onto this one/,
	$offset), 'B2: the application INSERT rebased first');
check_restored($b2, 'B2');
$b2->stop('fast');

# --- C: pg_upgrade of A (a new system identifier, the transaction ids carried over) ----------------
# The rebase is not needed there, and must do no harm: the worker does it at its first start.
reset_server();
my $c = new_capi_node('c', no_extension => 1);
$c->stop('fast');
my $bindir = $node_a->config_data('--bindir');
$c->command_ok([ 'pg_upgrade', '--no-sync', '--old-datadir', $node_a->data_dir, '--new-datadir', $c->data_dir,
		'--old-bindir', $bindir, '--new-bindir', $bindir, '--socketdir', $c->host,
		'--old-port', $node_a->port, '--new-port', $c->port, '--retain' ], 'C: pg_upgrade of A');
# pg_upgrade runs both servers in binary-upgrade mode: no worker there (the new cluster's tables are
# empty until their files are copied, the old cluster is being upgraded).
my @upgrade_logs = glob($c->data_dir . '/pg_upgrade_output.d/*/log/pg_upgrade_server.log');
is(scalar @upgrade_logs, 1, 'C: pg_upgrade kept its server log');
# (a worker logs its start; PostgreSQL names the process when it exits; warnings that merely mention
# the worker, such as capi.setup_warnings()'s, do not count)
my @worker_lines = grep { /pg_capi worker started|background worker "pg_capi (worker|launcher)"/ }
  map { split /\n/, PostgreSQL::Test::Utils::slurp_file($_) } @upgrade_logs;
is(scalar @worker_lines, 0, 'C: no pg_capi worker ran in the servers pg_upgrade started')
  or diag(join("\n", @worker_lines));
$offset = -s $c->logfile;
$c->start;
ok($c->wait_for_log(qr/pg_capi: delivery state restored from database cluster \Q$a_identifier\E rebased onto this one/,
	$offset), 'C: the worker rebased the upgraded delivery state');
cmp_ok($c->safe_psql('postgres', 'SELECT pg_current_xact_id()::text::bigint'), '>=', $a_next_xid,
	'C: the transaction ids carried over');
insert_events($c, 5, 'after-');
check_restored($c, 'C');

stop_and_check_log($c);
done_testing();
