# The worker's outbox reads cost what they return, whatever the server's settings and whatever
# another session is doing (issue 10 §1):
#  - JIT never compiles the worker's statements (without statistics the planner prices a window read
#    at the whole backlog, above jit_above_cost: 250 ms of compilation per read of 4,000 rows);
#  - a bulk INSERT still in progress is never walked: neither by every window read (its xid stays in
#    the windows' in-progress lists until it commits) nor by the purge's age check.
# pg_stat_statements counts the buffers each of the worker's statements touched.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('worker_reads', conf => [
	"shared_preload_libraries = 'pg_capi, pg_stat_statements'",
	"pg_stat_statements.track = 'all'",
	# JIT for every statement that has a cost at all
	'jit = on', 'jit_above_cost = 0', 'jit_inline_above_cost = 0', 'jit_optimize_above_cost = 0',
	"capi.poll_interval = '100ms'"]);
$node->safe_psql('postgres', 'CREATE EXTENSION pg_stat_statements');
add_meta_destination($node, 'meta_main');

# The worker's statements run as capi_worker; the test's own as postgres.
my $worker_statements = q{FROM pg_stat_statements s JOIN pg_roles r ON r.oid = s.userid
	WHERE r.rolname = 'capi_worker'};

insert_events($node, 20, 'warm-');
ok(wait_until(sub { server_stats()->{accepted_events} >= 20 }, 60), 'the first 20 events are delivered');
$node->safe_psql('postgres', 'SELECT count(*) FROM capi.outbox');
cmp_ok($node->safe_psql('postgres', q{SELECT coalesce(sum(s.jit_functions), 0) FROM pg_stat_statements s
	JOIN pg_roles r ON r.oid = s.userid WHERE r.rolname = 'postgres' AND s.query LIKE '%count(*) FROM capi.outbox%'}),
	'>', 0, 'JIT works in this cluster: a client statement was compiled');
my ($worker_calls, $worker_jit) = split /\|/, $node->safe_psql('postgres',
	"SELECT sum(s.calls), coalesce(sum(s.jit_functions), 0) $worker_statements AND s.query LIKE '%capi.outbox%'");
cmp_ok($worker_calls, '>', 0, "the worker read the outbox ($worker_calls statements)");
is($worker_jit, '0', 'none of the worker\'s statements was JIT-compiled');

# A bulk INSERT of 30,000 events stays open while small transactions commit, one window each.
my $bulk = $node->background_psql('postgres');
$bulk->query_safe('BEGIN');
$bulk->query_safe(q{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
	SELECT 'bulk-' || g, 'Purchase', 'https://shop.example/p/' || g,
	       jsonb_build_object('email', 'bulk' || g || '@example.com', 'client_ip_address', '203.0.113.7',
	                          'client_user_agent', 'Mozilla/5.0'),
	       '{"value": 12.5, "currency": "USD"}'
	FROM generate_series(1, 30000) g});
$node->safe_psql('postgres', 'SELECT pg_stat_statements_reset()');
my $started = time();
for my $i (1 .. 10) {
	insert_events($node, 1, "small-$i-");
	ok(wait_until(sub { server_stats()->{accepted_events} >= 20 + $i }, 30),
		"small transaction $i is delivered while the bulk INSERT is open");
}
# Let the purge's age check (every 10 s) run at least once while the bulk INSERT is open.
ok(wait_until(sub { $node->safe_psql('postgres',
	"SELECT count(*) $worker_statements AND s.query LIKE '%pg_snapshot_xmin(pg_catalog.pg_current_snapshot())%'") > 0 }, 30),
	'the purge checked the oldest row while the bulk INSERT was open');
my ($reads, $blocks) = split /\|/, $node->safe_psql('postgres', qq{
	SELECT sum(s.calls), sum(s.shared_blks_hit + s.shared_blks_read) $worker_statements
	AND s.query LIKE '%FROM capi.outbox o%'});
note("worker outbox reads while the bulk INSERT was open: $reads statements, $blocks buffers");
cmp_ok($reads, '>=', 10, 'the worker read the outbox for each small transaction');
# Walking the open INSERT's 30,000 rows touches more than 2,000 buffers each time.
cmp_ok($blocks / $reads, '<', 200, 'each read touched only a few buffers: the open INSERT\'s rows were not walked');

$bulk->query_safe('COMMIT');
$bulk->quit;
ok(wait_until(sub { server_stats()->{accepted_events} >= 30030 }, 120), 'the bulk INSERT is delivered once it commits');
my $stats = server_stats();
is($stats->{unique_event_keys}, 30030, 'every event arrived');
is($stats->{duplicate_events},  0,     'none twice');
is($node->safe_psql('postgres', "SELECT coalesce(sum(s.jit_functions), 0) $worker_statements"), '0',
	'the worker compiled nothing with JIT in the whole run');

stop_and_check_log($node);
done_testing();
