# A DROP EXTENSION that is rolled back while the worker is in the middle of a window must not make
# it skip rows: "extension not available" is never taken for "no more rows".
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

start_test_server();
my $node = new_capi_node('drop_rollback',
	conf => ['capi.batch_size = 100', 'capi.max_concurrent_requests = 1']);
add_meta_destination($node, 'meta_main');

# Every request takes 300 ms: the window of 2,000 events is read 100 at a time over ~6 s.
add_faults({ delay_ms => 300, count => 1000 });
insert_events($node, 2000, 'dr-');
ok(wait_until(sub { server_stats()->{accepted_events} >= 200 }, 30), 'delivery of the window has started');

# Hold DROP EXTENSION's lock for 2 s, then roll it back.
my $dropper = $node->background_psql('postgres');
$dropper->query_safe('BEGIN');
$dropper->query_safe('DROP EXTENSION pg_capi');
my $during = server_stats()->{accepted_events};
usleep(2_000_000);
$dropper->query_safe('ROLLBACK');
$dropper->quit;
note("accepted when the DROP started: $during");
cmp_ok($during, '<', 2000, 'the DROP came while the window was still being delivered');

ok(wait_until(sub { server_stats()->{unique_event_keys} >= 2000 }, 60),
	'after the rollback every event arrives');
my $stats = server_stats();
is($stats->{unique_event_keys}, 2000, 'all 2000 events, none skipped');
note("duplicates (at-least-once): $stats->{duplicate_events}");
# The acknowledgement follows the platform's answer by a few milliseconds.
ok(
	wait_until(
		sub {
			$node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'")
			  == 2000;
		},
		30),
	'capi.delivery_status: 2000 delivered');

stop_and_check_log($node);
done_testing();
