# A new library with an extension not yet updated: the worker sends nothing, says why in the log
# (the installed version, this library's, and ALTER EXTENSION pg_capi UPDATE), and inserts keep
# working; after the update it delivers what waited, without a restart. Once from 0.3.0 (no
# capi_worker role yet) and once from 0.4.0 (no 'skipped' status yet).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('upgrade_waits', no_extension => 1);
my $current = $node->safe_psql('postgres',
	"SELECT default_version FROM pg_available_extensions WHERE name = 'pg_capi'");
my $delivered = 0;
foreach my $old ('0.3.0', '0.4.0') {
	my $offset = -s $node->logfile;
	$node->safe_psql('postgres', "CREATE EXTENSION pg_capi VERSION '$old'");
	add_meta_destination($node, 'meta_main');
	insert_events($node, 20, "before-$old-");
	ok($node->wait_for_log(
		qr/the extension pg_capi is at version \Q$old\E in this database and this library is \Q$current\E: run ALTER EXTENSION pg_capi UPDATE \(waiting\)/,
		$offset), "from $old: the worker says which versions and what to run");
	sleep 1;
	is(server_stats()->{accepted_events}, $delivered, "from $old: nothing is sent before the update");

	$node->safe_psql('postgres', 'ALTER EXTENSION pg_capi UPDATE');
	is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'"), $current,
		"from $old: the extension is at $current");
	ok(wait_until(sub { server_stats()->{accepted_events} >= $delivered + 20 }, 30),
		"from $old: after the update the waiting events are delivered");
	insert_events($node, 5, "after-$old-");
	ok(wait_until(sub { server_stats()->{accepted_events} >= $delivered + 25 }, 30), "from $old: and new ones");
	$delivered += 25;
	is(server_stats()->{duplicate_events}, 0, "from $old: each once");
	is($node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'"), '25',
		"from $old: capi.delivery_status says all 25 were delivered");
	$node->safe_psql('postgres', 'DROP EXTENSION pg_capi');
}

stop_and_check_log($node);
done_testing();
