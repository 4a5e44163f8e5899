# The worker runs its statements as capi_worker, which 0.4.0 creates. With the new library loaded but the
# extension still at 0.3.0 (before ALTER EXTENSION UPDATE) it sends nothing, says why in the log, and
# inserts keep working; after the update it delivers what waited, without a restart.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('upgrade_role', no_extension => 1);
is($node->safe_psql('postgres', "SELECT count(*) FROM pg_roles WHERE rolname = 'capi_worker'"), '0',
	'a fresh cluster has no capi_worker role');
my $offset = -s $node->logfile;
$node->safe_psql('postgres', "CREATE EXTENSION pg_capi VERSION '0.3.0'");
add_meta_destination($node, 'meta_main');
insert_events($node, 20, 'before-update-');
ok($node->wait_for_log(qr/role capi_worker, which the worker's statements run as, does not exist: run ALTER EXTENSION pg_capi UPDATE/,
	$offset), 'the worker says the extension must be updated');
sleep 1;
is(server_stats()->{accepted_events}, 0, 'nothing is sent without the role');

$node->safe_psql('postgres', 'ALTER EXTENSION pg_capi UPDATE');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'"), '0.4.0',
	'the extension is at 0.4.0');
ok(wait_until(sub { server_stats()->{accepted_events} >= 20 }, 30), 'after the update the waiting events are delivered');
insert_events($node, 5, 'after-update-');
ok(wait_until(sub { server_stats()->{accepted_events} >= 25 }, 30), 'and new ones');
is(server_stats()->{duplicate_events}, 0, 'each once');
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'"), '25',
	'capi.delivery_status says all 25 were delivered');

stop_and_check_log($node);
done_testing();
