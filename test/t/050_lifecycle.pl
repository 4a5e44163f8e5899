# The delivery worker across the extension's and the database's life: it waits quietly without the
# extension, picks up CREATE EXTENSION, does not block DROP EXTENSION with requests in flight, keeps
# the outbox from growing under sustained load (purge after capi.delivered_retention), and leaves a
# database that is being dropped so that DROP DATABASE (without FORCE) succeeds.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time usleep);

start_test_server();
my $node = new_capi_node('life', no_extension => 1);

# The log written since $offset, without the test's own statements.
sub log_since {
	my ($offset) = @_;
	return substr(CapiTest::log_without_statements($node), $offset);
}

sub log_size { return length(CapiTest::log_without_statements($node)); }

sub timed_psql {
	my ($dbname, $sql) = @_;
	my $start = time();
	my ($ret, $stdout, $stderr) = $node->psql($dbname, $sql);
	return ($ret, $stderr, time() - $start);
}

# --- Without the extension the worker runs and waits quietly.
{
	ok(wait_until(sub { worker_pid($node) != 0 }, 10), 'without the extension: the worker runs');
	my $offset = log_size();
	sleep 3;    # proving an absence
	my $log = log_since($offset);
	unlike($log, qr/ERROR|WARNING/, 'without the extension: no ERROR or WARNING in 3 s');
	unlike($log, qr/pg_capi/, 'without the extension: the worker logs nothing in 3 s');
}

# --- CREATE EXTENSION later: the worker picks it up.
{
	my $start = time();
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_capi');
	add_meta_destination($node, 'meta');
	insert_events($node, 10, 'late-');
	wait_until(sub { delivery_count($node, 'delivered', prefix => 'late-') == 10 }, 15);
	my $took = time() - $start;
	is(delivery_count($node, 'delivered', prefix => 'late-'), 10, 'CREATE EXTENSION later: 10 events delivered');
	ok($took < 5, sprintf('within 5 s of CREATE EXTENSION (%.1f s)', $took));
	is(server_stats()->{unique_event_keys}, 10, 'the server got the 10 events');
	reset_server();
}

# --- DROP EXTENSION while requests are in flight: immediate, no error, the worker survives.
{
	add_faults({ delay_ms => 3000, count => 3 });
	insert_events($node, 3000, 'drop-');
	ok(wait_until(sub {
		server_stats()->{requests} >= 3
		  && batch_count($node, 'in_flight') > 0
	}, 15), 'DROP EXTENSION: requests are in flight');
	my $replies_due = time() + 3.2;
	my $pid = worker_pid($node);
	my $offset = log_size();
	my ($ret, $stderr, $took) = timed_psql('postgres', 'DROP EXTENSION pg_capi');
	is($ret, 0, 'DROP EXTENSION succeeds with requests in flight');
	is($stderr, '', 'without a message');
	ok($took < 5, sprintf('DROP EXTENSION took %.2f s (< 5 s)', $took));
	# The delayed replies arrive after the drop: the worker must take them without an error (a fixed
	# wait: proving an absence).
	usleep(1_000_000 * ($replies_due - time())) if $replies_due > time();
	my $log = log_since($offset);
	unlike($log, qr/ERROR|WARNING|terminated by signal|exited with exit code/,
		'after DROP EXTENSION: no error and no worker exit in the log');
	note("log after DROP EXTENSION:\n$log");
	is(worker_pid($node), $pid, 'the same worker keeps running');
	clear_faults();
	reset_server();

	my $start = time();
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_capi');
	add_meta_destination($node, 'meta2');
	insert_events($node, 10, 'again-');
	wait_until(sub { delivery_count($node, 'delivered', prefix => 'again-') == 10 }, 15);
	$took = time() - $start;
	is(delivery_count($node, 'delivered', prefix => 'again-'), 10,
		'CREATE EXTENSION again: a new destination gets its 10 events');
	ok($took < 5, sprintf('within 5 s (%.1f s)', $took));
	is(server_stats()->{unique_event_keys}, 10, 'the server got them');
	reset_server();
}

# --- Queue health under sustained load: 60,000 events in 30 transactions while delivering, with
# capi.delivered_retention = 1 s: everything is delivered, then purged from capi.outbox and capi.batches.
{
	$node->safe_psql('postgres', "ALTER SYSTEM SET capi.delivered_retention = '1s'; SELECT pg_reload_conf()");
	wait_until(sub { $node->safe_psql('postgres', 'SHOW capi.delivered_retention') eq '1s' }, 10);
	my $size_sql = "SELECT pg_total_relation_size('capi.outbox')";
	my ($peak_size, $peak_rows) = (0, 0);
	my $start = time();
	for my $round (1 .. 30) {
		insert_events($node, 2000, "q$round-");
		my ($size, $rows) = split /\|/, $node->safe_psql('postgres', "$size_sql, (SELECT count(*) FROM capi.outbox)");
		$peak_size = $size if $size > $peak_size;
		$peak_rows = $rows if $rows > $peak_rows;
	}
	note(sprintf('60000 events inserted in %.1f s', time() - $start));
	wait_until(sub { server_stats()->{unique_event_keys} >= 60000 }, 60);
	my $stats = server_stats();
	is($stats->{unique_event_keys}, 60000, 'sustained load: all 60000 events delivered');
	note(sprintf('delivered %.1f s after the first insert: %d requests, %d duplicates',
		time() - $start, $stats->{requests}, $stats->{duplicate_events}));
	is($stats->{duplicate_events}, 0, 'sustained load: no duplicates');

	my $counts = sub {
		return $node->safe_psql('postgres',
			'SELECT (SELECT count(*) FROM capi.outbox) || \'|\' || (SELECT count(*) FROM capi.batches)');
	};
	wait_until(sub { $counts->() eq '0|0' }, 25);
	my ($outbox_rows, $batch_rows) = split /\|/, $counts->();
	note(sprintf('purged %.1f s after the first insert', time() - $start));
	cmp_ok($outbox_rows, '<', 2000, "capi.outbox is purged ($outbox_rows rows left)");
	is($outbox_rows, '0', 'capi.outbox is empty');
	is($batch_rows, '0', 'capi.batches is purged');
	my $end_size = $node->safe_psql('postgres', $size_sql);
	$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
	my $dead = $node->safe_psql('postgres', q{
		SELECT string_agg(relname || ' n_live_tup=' || n_live_tup || ' n_dead_tup=' || n_dead_tup
		                  || ' autovacuums=' || autovacuum_count, '; ' ORDER BY relname)
		FROM pg_stat_user_tables WHERE schemaname = 'capi'});
	note("capi.outbox total size: peak $peak_size bytes (peak $peak_rows rows seen), end $end_size bytes");
	note("pg_stat_user_tables: $dead");
	$node->safe_psql('postgres', 'ALTER SYSTEM RESET capi.delivered_retention; SELECT pg_reload_conf()');
	reset_server();
}

# --- DROP DATABASE of another database while the launcher and an idle worker run: PostgreSQL 15
# waits for every process to absorb a ProcSignalBarrier (smgr release), which happens in
# CHECK_FOR_INTERRUPTS. The statement timeout bounds the test if a pg_capi process never does.
{
	$node->safe_psql('postgres', 'CREATE DATABASE other');
	sleep 1;    # let the worker go idle
	my ($ret, $stderr, $took) = timed_psql('postgres', "SET statement_timeout = '10s'; DROP DATABASE other");
	is($ret, 0, 'DROP DATABASE of another database succeeds') or diag($stderr);
	ok($took < 2, sprintf('DROP DATABASE of another database took %.2f s (< 2 s)', $took));
}

# --- DROP DATABASE of capi.database (without FORCE) is not blocked by the worker; then the launcher
# waits quietly for the database to come back.
{
	$node->safe_psql('postgres', 'CREATE DATABASE shop');
	my $offset = -s $node->logfile;
	$node->safe_psql('postgres', "ALTER SYSTEM SET capi.database = 'shop'; SELECT pg_reload_conf()");
	ok($node->wait_for_log(qr/pg_capi worker started in database "shop"/, $offset),
		'capi.database = shop: the launcher starts the worker there');
	$node->safe_psql('shop', 'CREATE EXTENSION pg_capi');
	add_meta_destination($node, 'shop_meta', dbname => 'shop');
	insert_events($node, 20, 'shop-', dbname => 'shop');
	wait_until(sub { delivery_count($node, 'delivered', prefix => 'shop-', dbname => 'shop') == 20 }, 15);
	is(delivery_count($node, 'delivered', prefix => 'shop-', dbname => 'shop'), 20, 'the worker delivers in shop');
	is(server_stats()->{unique_event_keys}, 20, 'the server got the 20 events');

	$offset = log_size();
	my ($ret, $stderr, $took) = timed_psql('postgres', 'DROP DATABASE shop');
	is($ret, 0, 'DROP DATABASE shop (without FORCE) succeeds') or diag($stderr);
	# The worker checks for a pending drop every second; DROP DATABASE waits up to 5 s for sessions.
	ok($took < 3, sprintf('DROP DATABASE took %.2f s (< 3 s)', $took));
	like(log_since($offset), qr/pg_capi worker: the database is being dropped: stopping/,
		'the worker left because of the drop');
	my $missing = qr/pg_capi launcher: database "shop" \(capi.database\) does not exist; waiting for it/;
	ok(wait_until(sub { log_since($offset) =~ $missing }, 10),
		'the launcher reports that the database does not exist');
	sleep 6;    # proving an absence: the launcher looks again every 5 s
	my $log = log_since($offset);
	my $reports = () = $log =~ /$missing/g;
	is($reports, 1, 'once');
	unlike($log, qr/ERROR|WARNING|FATAL/, 'no error while the launcher waits');
	is(worker_pid($node), '0', 'no worker runs');
}

stop_test_server();
$node->stop('fast');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
unlike($log, qr/PANIC|TRAP:/, 'no PANIC or assertion failure');
unlike(CapiTest::log_without_statements($node), qr/\Q$TOKEN\E/, 'the token never appears in the server log');

done_testing();
