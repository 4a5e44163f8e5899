# Outbox rows the worker cannot read (inserted past the INSERT checks: before an upgrade, or by a
# superuser with the row trigger off) fail alone with their reason; every other event is delivered,
# the worker keeps running and its memory stays bounded. Issue 8: no input may stop delivery for others.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('poison');
add_meta_destination($node, 'meta_main');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# The worker's peak resident set (VmHWM), in kB: the test runs as the server's OS user.
sub peak_rss_kb {
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/status") or return -1;
	my ($kb) = map { /^VmHWM:\s+(\d+) kB/ ? $1 : () } <$fh>;
	close($fh);
	return $kb // -1;
}

# Inserts one row with the outbox's row trigger off (session_replication_role = replica): what a
# superuser can do, and what rows inserted before an upgrade look like to the worker.
sub insert_unchecked {
	my ($event_id, $event_time, $custom_data) = @_;
	sql(qq{SET session_replication_role = replica;
		INSERT INTO capi.outbox (event_id, event_name, event_time, action_source, event_source_url, custom_data)
		VALUES ('$event_id', 'Purchase', $event_time, 'website', 'https://shop.example/p', $custom_data)});
}

# --- a running worker, before any poison ------------------------------------------------------------
insert_events($node, 5, 'w-');
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'w-') == 5 }, 30),
	'warm-up: 5 events delivered');
my $pid = worker_pid($node);
like($pid, qr/^[1-9]\d*$/, 'the worker runs');

# --- poison rows interleaved with good ones ----------------------------------------------------------
# In three rounds (big rows first: read before anything else fails, they would show in the worker's
# memory). The destination is disabled while a round is inserted, so that the worker reads it at once.
my $big_mb = 50;
my @rounds = (
	[ map {
		[ "poison-big$_", 'now()', qq{jsonb_build_object('blob', repeat('x', $big_mb * 1024 * 1024))},
			qr/^event could not be read: custom_data is \d+ bytes, more than 1048576$/ ]
	} 1 .. 4 ],
	[ [ 'poison-deep', 'now()', q{('{"deep": ' || repeat('[', 70) || repeat(']', 70) || '}')::jsonb},
		qr/^event could not be read: custom_data is nested deeper than 64 levels$/ ] ],
	[ [ 'poison-ninf', q{'-infinity'}, 'NULL', qr/^event could not be read: event_time is -infinity$/ ],
	  [ 'poison-pinf', q{'infinity'}, 'NULL', qr/^event could not be read: event_time is infinity$/ ] ],
);
my ($goods, $poisons) = (0, 0);
for my $round (0 .. $#rounds) {
	sql(q{UPDATE capi.destinations SET enabled = false WHERE name = 'meta_main'});
	for my $row (@{ $rounds[$round] }) {
		insert_events($node, 3, "g$round-$poisons-");
		insert_unchecked($row->[0], $row->[1], $row->[2]);
		$goods += 3;
		$poisons++;
	}
	insert_events($node, 3, "g$round-last-");
	$goods += 3;
	sql(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_main'});

	ok( wait_until(
			sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'g') == $goods }, 30),
		"round $round: all $goods good events so far are delivered")
	  or diag(undelivered_rows($node));
	ok( wait_until(
			sub { delivery_count($node, 'failed', destination => 'meta_main', prefix => 'poison-') == $poisons }, 10),
		"round $round: $poisons poison rows so far are failed")
	  or diag(undelivered_rows($node));
	for my $row (@{ $rounds[$round] }) {
		like(sql(qq{SELECT last_error FROM capi.delivery_status WHERE event_id = '$row->[0]'}),
			$row->[3], "$row->[0]: failed with its reason");
	}
}
is(sql(q{SELECT count(*) FROM capi.event_deliveries WHERE status = 'failed'}), $poisons,
	'nothing else failed');
is(server_stats()->{accepted_events}, 5 + $goods, 'the platform received exactly the good events');

# --- later events are delivered as usual ------------------------------------------------------------
insert_events($node, 20, 'later-');
ok( wait_until(
		sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'later-') == 20 }, 30),
	'later events are delivered');
is(batch_count($node, 'in_flight', 'retrying'), 0, 'no batch is left open');

# --- the worker did not restart, and its memory stayed bounded --------------------------------------
is(worker_pid($node), $pid, 'the same worker process ran throughout');
my $peak_kb = peak_rss_kb($pid);
cmp_ok($peak_kb, '>', 0, 'the worker\'s peak RSS is readable');
cmp_ok($peak_kb, '<', 200 * 1024,
	"its peak RSS stayed under 200 MB although $big_mb MB rows were queued (it was ${peak_kb} kB)");

# --- a read stopped by its memory budget (64 MB) loses nothing -------------------------------------
# 160 readable rows of 500 kB custom_data (past the INSERT limit, like the poison rows) in one
# transaction, 50 per request: the worker's read of 200 rows stops near 64 MB and the next read goes on
# from there, so a batch shorter than 50 ends each cut read.
reload_setting($node, 'capi.batch_size = 50');
sql(q{UPDATE capi.destinations SET enabled = false WHERE name = 'meta_main'});
sql(q{SET session_replication_role = replica;
	INSERT INTO capi.outbox (event_id, event_name, action_source, event_source_url, user_data, custom_data)
	SELECT 'budget-' || g, 'Purchase', 'website', 'https://shop.example/p',
	       '{"client_user_agent": "Mozilla/5.0", "client_ip_address": "203.0.113.7"}',
	       jsonb_build_object('value', 1, 'currency', 'USD', 'note', repeat(md5(g::text), 500 * 1024 / 32))
	FROM generate_series(1, 160) g});
sql(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_main'});
ok( wait_until(
		sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'budget-') == 160 }, 60),
	'all 160 large rows are delivered')
  or diag(undelivered_rows($node));
is(server_stats()->{duplicate_events}, 0, 'none twice');
my $short_batches = sql(q{SELECT count(*) FROM capi.batches b
	WHERE b.events < 50 AND EXISTS (SELECT FROM capi.outbox o WHERE o.event_id LIKE 'budget-%'
	                                AND (o.txid, o.id) BETWEEN (b.first_txid, b.first_id) AND (b.last_txid, b.last_id))});
cmp_ok($short_batches, '>=', 2, "the reads were cut by the budget ($short_batches batches shorter than 50)");

stop_and_check_log($node);
my $log = slurp_file($node->logfile);
unlike($log, qr/cannot convert infinity|nested deeper than|invalid memory alloc|out of memory/,
	'the worker never failed a read');

done_testing();
