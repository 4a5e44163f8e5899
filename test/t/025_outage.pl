# An ad-platform outage is not a data error (issue 10 §2). With short retry settings the endpoint
# answers 503 for longer than the whole old retry schedule (12 sends, backoff capped at 1 s: about
# 10 s), then comes back: every event is delivered and none failed. While it is down the destination's
# circuit is open: it reads 'paused' with the reason, and only one-event probes reach the endpoint.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

start_test_server();
my $node = new_capi_node('outage', conf => ["capi.retry_max_delay = '1s'"]);
add_meta_destination($node, 'meta_main');
is($node->safe_psql('postgres', 'SHOW capi.max_attempts'), '0', 'by default no fixed number of attempts');

add_faults({ status => 503, count => 100000 });
my $down_at = time();
insert_events($node, 300, 'outage-');
ok(wait_until(sub {
	$node->safe_psql('postgres', "SELECT pause_reason FROM capi.cursors WHERE destination = 'meta_main'")
	  =~ /circuit open after \d+ transient failures in a row \(last: HTTP 503/ }, 20),
	'the circuit opens: the destination is paused with the reason');
like($node->safe_psql('postgres',
		"SELECT DISTINCT status || ': ' || reason FROM capi.delivery_status WHERE destination = 'meta_main'"),
	qr/^paused: circuit open after/, 'capi.delivery_status shows its events paused, with the reason');
like($node->safe_psql('postgres', "SELECT state || ': ' || reason FROM capi.stats WHERE destination = 'meta_main'"),
	qr/^circuit_open: circuit open after \d+ transient failures in a row \(last: HTTP 503/,
	'capi.stats says circuit_open, with the reason');

# Stay down for longer than the old schedule would have taken to dead-letter everything.
sleep(15 - (time() - $down_at)) if time() - $down_at < 15;
my $faulted = server_stats()->{faulted_requests};
cmp_ok($faulted, '<=', 30, "only probes reached the endpoint while it was down ($faulted requests in 15 s)");
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'failed'"), '0',
	'nothing failed during the outage');

clear_faults();
ok(wait_until(sub { server_stats()->{accepted_events} >= 300 }, 30), 'once the endpoint is back every event arrives');
ok(wait_until(sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'") eq '300' }, 10),
	'all 300 read delivered');
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.event_deliveries WHERE status = 'failed'"), '0', 'none failed');
is($node->safe_psql('postgres', "SELECT coalesce(pause_reason, 'none') FROM capi.cursors WHERE destination = 'meta_main'"),
	'none', 'the circuit closed by itself: no pause left');
is(server_stats()->{duplicate_events}, 0, 'each event once');
is($node->safe_psql('postgres', q{SELECT state, pending, in_flight, retrying, failed, delivered_last_hour
	FROM capi.stats WHERE destination = 'meta_main'}), 'active|0|0|0|0|300',
	'capi.stats: active again, nothing waiting, 300 delivered in the last hour');

stop_and_check_log($node);
done_testing();
