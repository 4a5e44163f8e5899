# Commit order is not xid order: a transaction that got its xid first but commits last must still be
# delivered, after the worker already moved past rows with higher xids (the cursor's xip branch).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('commit_order', conf => ["capi.poll_interval = '1h'"]);
add_meta_destination($node, 'meta_main');

# 1. A transaction takes its xid and stays open.
my $late = $node->background_psql('postgres');
$late->query_safe('BEGIN');
$late->query_safe(q{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
	VALUES ('late-1', 'Purchase', 'https://shop.example/p',
	        '{"email": "late@example.com", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}',
	        '{"value": 12.5, "currency": "USD"}')});
my $late_xid = $late->query_safe('SELECT pg_current_xact_id()');

# 2. Later transactions (higher xids) commit and are delivered while it is still open.
insert_events($node, 10, 'early-');
ok(wait_until(sub { server_stats()->{accepted_events} >= 10 }, 30), 'the 10 later transactions are delivered');
my $early_xid = $node->safe_psql('postgres', "SELECT min(txid) FROM capi.outbox WHERE event_id LIKE 'early-%'");
cmp_ok($early_xid, '>', $late_xid, "their xids ($early_xid) are above the open transaction's ($late_xid)");
is(server_stats()->{accepted_events}, 10, 'the open transaction\'s event is not sent');
is($node->safe_psql('postgres', "SELECT status FROM capi.delivery_status WHERE event_id = 'late-1'"), '',
	'an uncommitted event has no delivery status');

# 3. More windows pass while it stays open.
insert_events($node, 5, 'middle-');
ok(wait_until(sub { server_stats()->{accepted_events} >= 15 }, 30), 'later windows keep delivering');

# 4. It commits last: the worker must pick it up although its xid is below everything delivered.
$late->query_safe('COMMIT');
$late->quit;
ok(wait_until(sub { server_stats()->{accepted_events} >= 16 }, 30), 'the late-committed event is delivered');
my $stats = server_stats();
is($stats->{accepted_events},   16, '16 events accepted in all');
is($stats->{unique_event_keys}, 16, 'each exactly once');
is($stats->{duplicate_events},  0,  'no duplicates');
is($node->safe_psql('postgres', "SELECT status FROM capi.delivery_status WHERE event_id = 'late-1'"),
	'delivered', 'capi.delivery_status says late-1 was delivered');
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'"),
	'16', 'all 16 delivered in capi.delivery_status');
# The batch that carried it was read from a window whose start still had it in progress.
is($node->safe_psql('postgres', qq{
	SELECT count(*) FROM capi.batches b
	WHERE '$late_xid'::xid8 IN (SELECT pg_snapshot_xip(b.window_start))
	  AND b.first_txid <= '$late_xid'::xid8 AND b.last_txid >= '$late_xid'::xid8}),
	'1', 'it came through the in-progress list of its window\'s start');

stop_and_check_log($node);
done_testing();
