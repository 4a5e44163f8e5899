# The dedup audit with the worker running (docs/match-quality.md "Dedup audit"): retries with
# ON CONFLICT DO NOTHING are recorded once per destination while the originals are delivered once; a
# retry racing the original's open transaction is recorded when that transaction commits (and, as
# documented, also when it rolls back); the worker purges audit rows older than
# capi.delivered_retention by whole UTC days and keeps the others.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('dedup_audit');
add_meta_destination($node, 'meta_main');

my $retry = q{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
	VALUES ('%s', 'Purchase', 'https://shop.example/p', '{"email": "retry@example.com", "client_user_agent": "Mozilla/5.0"}',
	        '{"value": 12.5, "currency": "USD"}') ON CONFLICT (event_name, event_id) DO NOTHING};
sub rejected {
	my ($event_id) = @_;
	return $node->safe_psql('postgres', "SELECT count(*) FROM capi.rejected_duplicates WHERE event_id = '$event_id'");
}

# 1. 20 events, then a retry of 5 of them: not inserted, recorded, and each event delivered once.
insert_events($node, 20, 'order-');
$node->safe_psql('postgres', sprintf($retry, "order-$_")) for 1 .. 5;
ok(wait_until(sub { server_stats()->{accepted_events} >= 20 }, 30), 'the 20 events are delivered');
is($node->safe_psql('postgres', 'SELECT count(*) FROM capi.outbox'), '20', 'the retries inserted nothing');
is($node->safe_psql('postgres', "SELECT events || '|' || rejected_duplicates || '|' || duplicate_share
	FROM capi.dedup_audit WHERE destination = 'meta_main'"), '20|5|0.2000',
	'capi.dedup_audit: 20 events, 5 rejected duplicates, 5 of 25 attempts');
is(server_stats()->{duplicate_events}, 0, 'the platform received no duplicate');

# 2. A retry while the original's transaction is still open waits for it (ON CONFLICT's rule) and is
# recorded once that transaction commits.
my $original = $node->background_psql('postgres');
$original->query_safe('BEGIN');
$original->query_safe(sprintf($retry, 'race-1') =~ s/ ON CONFLICT.*//sr);
my $racer = $node->background_psql('postgres');
$racer->query_until(qr/sent/, "\\echo sent\n" . sprintf($retry, 'race-1') . ";\n");
ok(wait_until(sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") eq '1' }, 10),
	'the retry waits for the open transaction');
$original->query_safe('COMMIT');
$racer->quit;
$original->quit;
is(rejected('race-1'), '1', 'the retry of a committed original is recorded');
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.outbox WHERE event_id = 'race-1'"), '1', 'one row');

# 3. When the open transaction rolls back instead, the retry is inserted: it was counted when it saw the
# key taken (the documented race, which errs towards counting).
$original = $node->background_psql('postgres');
$original->query_safe('BEGIN');
$original->query_safe(sprintf($retry, 'race-2') =~ s/ ON CONFLICT.*//sr);
$racer = $node->background_psql('postgres');
$racer->query_until(qr/sent/, "\\echo sent\n" . sprintf($retry, 'race-2') . ";\n");
ok(wait_until(sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") eq '1' }, 10),
	'the second retry waits too');
$original->query_safe('ROLLBACK');
$racer->quit;
$original->quit;
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.outbox WHERE event_id = 'race-2'"), '1',
	'after the rollback the retry is inserted');
is(rejected('race-2'), '1', 'and was counted as rejected (documented race)');
ok(wait_until(sub { server_stats()->{accepted_events} >= 22 }, 30), 'race-1 and race-2 are delivered');
is(server_stats()->{duplicate_events}, 0, 'each once');

# 4. Purge: with capi.delivered_retention = 1 day, audit rows of three days ago go, today's stay.
$node->safe_psql('postgres', q{INSERT INTO capi.rejected_duplicates (destination, event_name, event_id, rejected_at)
	SELECT 'meta_main', 'Purchase', 'old-' || g, now() - interval '3 days' FROM generate_series(1, 50) g});
reload_setting($node, "capi.delivered_retention = '1d'");
ok(wait_until(sub { rejected_like('old-%') eq '0' }, 40), 'audit rows older than the retention are purged');
is($node->safe_psql('postgres', "SELECT count(*) FROM capi.rejected_duplicates WHERE event_id NOT LIKE 'old-%'"), '7',
	"today's audit rows stay");

sub rejected_like {
	my ($pattern) = @_;
	return $node->safe_psql('postgres', "SELECT count(*) FROM capi.rejected_duplicates WHERE event_id LIKE '$pattern'");
}

stop_and_check_log($node);
done_testing();
