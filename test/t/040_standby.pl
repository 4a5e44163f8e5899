# A streaming standby with pg_capi preloaded runs no launcher or worker and sends nothing; once
# promoted, it delivers the events that were replicated to it.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

start_test_server();
my $primary = new_capi_node('primary', init => { allows_streaming => 1 });

sub capi_processes {
	my ($node) = @_;
	return $node->safe_psql('postgres', q{
		SELECT coalesce(string_agg(backend_type, ',' ORDER BY backend_type), '')
		FROM pg_stat_activity WHERE backend_type LIKE 'pg_capi%'});
}

# The primary runs both (the query finds them).
ok(wait_until(sub { capi_processes($primary) eq 'pg_capi launcher,pg_capi worker' }, 10),
	'the primary runs the pg_capi launcher and worker');

$primary->backup('b');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'b', has_streaming => 1);
$standby->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_capi'\n");
$standby->start;
is($standby->safe_psql('postgres', 'SHOW shared_preload_libraries'), 'pg_capi', 'the standby preloads pg_capi');
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 't', 'the standby is in recovery');

add_meta_destination($primary, 'meta', enabled => 'false');
insert_events($primary, 100, 'sb-');
$primary->wait_for_catchup($standby);
is($standby->safe_psql('postgres', 'SELECT count(*) FROM capi.outbox'), '100',
	'the 100 events are replicated to the standby');
is($standby->safe_psql('postgres', 'SELECT enabled FROM capi.destinations'), 'f',
	'and the disabled destination');

# Proving an absence: a fixed wait.
sleep 3;
is(capi_processes($standby), '', 'the standby runs no pg_capi launcher or worker');
my $stats = server_stats();
is($stats->{requests}, 0, 'nothing was sent in 3 s (requests = 0)');
is($stats->{accepted_events}, 0, 'accepted_events = 0');

# Failover: the primary goes away, the standby is promoted and its destination enabled.
$primary->stop('fast');
$standby->promote;
is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'), 'f', 'the standby is promoted');
ok(wait_until(sub { capi_processes($standby) eq 'pg_capi launcher,pg_capi worker' }, 15),
	'the promoted node starts the launcher and the worker');
my $start = time();
$standby->safe_psql('postgres', "UPDATE capi.destinations SET enabled = true WHERE name = 'meta'");
wait_until(sub {
	$standby->safe_psql('postgres',
		"SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'") eq '100'
}, 30);
note(sprintf('delivered %.1f s after enabling the destination', time() - $start));
is($standby->safe_psql('postgres', q{
	SELECT status || ':' || count(*) FROM capi.delivery_status GROUP BY status}),
	'delivered:100', 'capi.delivery_status on the promoted node: 100 delivered');
$stats = server_stats();
is($stats->{unique_event_keys}, 100, 'the server received all 100 events');
is($stats->{duplicate_events}, 0, 'exactly once (no duplicates)');
is($stats->{destinations}{"meta/$PIXEL"}, 100, 'for the destination\'s pixel');

is($standby->safe_psql('postgres', qq{
	SELECT count(*) FROM (SELECT last_error AS t FROM capi.batches
	                      UNION ALL SELECT last_error FROM capi.event_deliveries
	                      UNION ALL SELECT pause_reason FROM capi.cursors) x
	WHERE t LIKE '%$TOKEN%'}), '0', 'the token appears in no last_error or pause_reason');

$standby->stop('fast');
stop_test_server();

for my $node ($primary, $standby) {
	my $name = $node->name;
	my $log = slurp_file($node->logfile);
	unlike($log, qr/terminated by signal/, "$name: no process was terminated by a signal");
	unlike($log, qr/PANIC|TRAP:/, "$name: no PANIC or assertion failure");
	unlike(CapiTest::log_without_statements($node), qr/\Q$TOKEN\E/, "$name: the token never appears in the log");
}

done_testing();
