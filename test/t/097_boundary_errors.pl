# The C++/PostgreSQL boundary under errors: an ERROR raised inside the worker's COMMIT is caught by
# PgCall after SPI_finish has deleted the SPI memory the transaction's statements ran in, logged with
# PostgreSQL's own text, and the transaction aborted; the worker keeps running (same process, no
# signal, no PANIC), claims again and delivers every event exactly once.
#
# The commit error: with SERIALIZABLE transactions, an open transaction T reads capi.cursors and
# writes an outbox row; the worker's claim reads that row (worker -> T) and updates capi.cursors
# (T -> worker). An AFTER trigger on capi.cursors holds the claim in pg_sleep after its last
# statement; T commits meanwhile and so marks the worker's transaction as the pivot to cancel, which
# PostgreSQL reports at the worker's COMMIT ("during commit attempt"). (A deferred constraint trigger
# cannot do it: the worker's statements run as a security-restricted operation, where PostgreSQL
# refuses deferred triggers at the end of the statement, not at commit.)
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('boundary', conf => ["default_transaction_isolation = 'serializable'"]);
add_meta_destination($node, 'meta');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# The trigger runs as the worker's role (capi_worker): the control table is readable by PUBLIC. It
# reads the setting before sleeping: a doomed serializable transaction fails on its next read.
sql(q{
	CREATE TABLE public.boundary_control (sleep_s float8 NOT NULL);
	INSERT INTO public.boundary_control VALUES (0);
	GRANT SELECT ON public.boundary_control TO PUBLIC;
	CREATE FUNCTION public.boundary_hold() RETURNS trigger LANGUAGE plpgsql AS $$
	DECLARE
		pause float8;
	BEGIN
		SELECT sleep_s INTO pause FROM public.boundary_control;
		IF pause > 0 THEN
			PERFORM pg_catalog.pg_sleep(pause);
		END IF;
		RETURN NULL;
	END $$;
	CREATE TRIGGER boundary_hold AFTER UPDATE ON capi.cursors
		FOR EACH STATEMENT EXECUTE FUNCTION public.boundary_hold();
});

my $pid = worker_pid($node);
like($pid, qr/^[1-9]\d*$/, 'the worker runs');
my $offset = -s $node->logfile;
my $total = 0;

for my $round (1 .. 2) {
	my $other = $node->background_psql('postgres');
	$other->query_safe('BEGIN ISOLATION LEVEL SERIALIZABLE');
	$other->query_safe('SELECT count(*) FROM capi.cursors');
	$other->query_safe(qq{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
		VALUES ('pivot-$round', 'Purchase', 'https://shop.example/p',
		        '{"email": "pivot\@example.com", "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0"}',
		        '{"value": 12.5, "currency": "USD"}')});
	sql('UPDATE public.boundary_control SET sleep_s = 3');
	insert_events($node, 100, "round$round-");
	$total += 101;

	ok(wait_until(sub {
			sql(qq{SELECT count(*) FROM pg_stat_activity WHERE pid = $pid AND wait_event = 'PgSleep'
			       AND query LIKE 'UPDATE capi.cursors SET window_start%'}) == 1 }, 30),
		"round $round: the worker's claim holds after its last statement");
	$other->query_safe('COMMIT');
	$other->quit;
	sql('UPDATE public.boundary_control SET sleep_s = 0');

	my $failures = sub {
		my $log = slurp_file($node->logfile, $offset);
		return scalar(() = $log =~
			  /\[\Q$pid\E\] LOG:  could not serialize access due to read\/write dependencies among transactions\n[^\n]*\[\Q$pid\E\] DETAIL:  Reason code: Canceled on identification as a pivot, during commit attempt\./g);
	};
	ok(wait_until(sub { $failures->() >= $round }, 30),
		"round $round: the worker's COMMIT failed and the worker logged PostgreSQL's error")
	  or diag(slurp_file($node->logfile, $offset));
	is(worker_pid($node), $pid, "round $round: the same worker process is still running");

	ok(wait_until(sub {
			sql(q{SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'}) == $total }, 60),
		"round $round: then all $total events so far are delivered");
	my $stats = server_stats();
	is($stats->{unique_event_keys}, $total, "round $round: the platform got all $total events");
	is($stats->{accepted_events},   $total, "round $round: each of them once");
}

unlike(slurp_file($node->logfile, $offset), qr/pg_capi worker stopped after an error/,
	'the delivery loop never stopped');
is(worker_pid($node), $pid, 'still the same worker process');
stop_and_check_log($node);
done_testing();
