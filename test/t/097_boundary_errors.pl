# The C++/PostgreSQL boundary under errors: an ERROR raised at the worker's COMMIT (a deferred
# constraint trigger on capi.batches, switched on by a control table) is caught by PgCall after
# SPI_finish has deleted the SPI memory, logged with its own text, and the transaction aborted; the
# worker keeps running (same process, no signal, no PANIC), retries, sends nothing while its claims
# cannot commit, and once the trigger lets commits through delivers every event exactly once.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('boundary');
add_meta_destination($node, 'meta');

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub worker_pid {
	return sql("SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_capi worker'");
}

# The worker runs its statements as capi_worker: the trigger's function and control table are
# reachable by that role (function EXECUTE is PUBLIC by default).
sql(q{
	CREATE TABLE public.boundary_fail_commit (refuse boolean NOT NULL);
	INSERT INTO public.boundary_fail_commit VALUES (true);
	GRANT SELECT ON public.boundary_fail_commit TO PUBLIC;
	CREATE FUNCTION public.boundary_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF (SELECT refuse FROM public.boundary_fail_commit) THEN
			RAISE EXCEPTION 'boundary test: commit refused' USING ERRCODE = 'P0001';
		END IF;
		RETURN NULL;
	END $$;
	CREATE CONSTRAINT TRIGGER boundary_fail_commit AFTER INSERT ON capi.batches
		DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION public.boundary_fail_commit();
});

my $pid = worker_pid();
like($pid, qr/^\d+$/, 'the worker runs');

# --- commits refused: the error is logged by the worker, again and again, and nothing is sent.
my $offset = -s $node->logfile;
insert_events($node, 300, 'commit-');
my $failures = sub {
	my $log = slurp_file($node->logfile, $offset);
	return scalar(() = $log =~ /\[\Q$pid\E\] LOG:  boundary test: commit refused/g);
};
ok(wait_until(sub { $failures->() >= 3 }, 60),
	'the worker logged the commit error (at LOG, its own text) on three attempts')
  or diag(slurp_file($node->logfile, $offset));
is(worker_pid(), $pid, 'the worker survived the failed commits (same process)');
is(sql('SELECT count(*) FROM capi.batches'), '0', 'no batch was committed');
is(server_stats()->{requests}, 0, 'nothing was sent while claims could not commit');
unlike(slurp_file($node->logfile, $offset), qr/pg_capi worker stopped after an error/,
	'the delivery loop did not stop');

# --- commits allowed again: every event delivered exactly once, by the same worker.
sql('UPDATE public.boundary_fail_commit SET refuse = false');
ok(wait_until(sub {
		sql(q{SELECT count(*) FROM capi.delivery_status
		      WHERE event_id LIKE 'commit-%' AND status = 'delivered'}) == 300 }, 60),
	'after the trigger allows commits, all 300 events are delivered');
my $stats = server_stats();
is($stats->{unique_event_keys}, 300, 'the platform got all 300 events');
is($stats->{accepted_events},   300, 'each of them once');
is($stats->{duplicate_events},  0,   'no duplicates');
is(worker_pid(), $pid, 'still the same worker process');

stop_and_check_log($node);
done_testing();
