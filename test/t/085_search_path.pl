# The worker cannot be hijacked through search_path (docs/security.md). A role that may CREATE in public
# (every role on PostgreSQL 13/14, the database owner on 15+) plants operators and functions matching
# every inexact call the worker ever made, in public and in schemas named like the users the worker is
# or acts as. Each planted function records its caller and tries ALTER ROLE ... SUPERUSER. The worker
# delivers, retries, pauses and purges: nothing planted may ever run, and the worker's statements are
# checked against capi_worker's rights, not the superuser's.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('search_path', conf => ["capi.poll_interval = '200ms'"]);
my $superuser = $node->safe_psql('postgres', 'SELECT current_user');

$node->safe_psql('postgres', qq{
	CREATE ROLE mallory LOGIN IN ROLE capi_writer;
	GRANT CREATE ON SCHEMA public TO mallory;
	CREATE SCHEMA "$superuser" AUTHORIZATION mallory;
	CREATE SCHEMA capi_worker AUTHORIZATION mallory;
	ALTER DATABASE postgres SET search_path = "\$user", public;
});

sub as_mallory {
	my ($sql) = @_;
	return $node->safe_psql('postgres', $sql, extra_params => ['-U', 'mallory']);
}

as_mallory(q{
	CREATE TABLE public.loot (caller name, session_caller name, planted text, escalated boolean);
	GRANT INSERT ON public.loot TO PUBLIC;
	CREATE FUNCTION public.record_call(planted text) RETURNS void LANGUAGE plpgsql AS $$
	DECLARE
		escalated boolean := false;
	BEGIN
		BEGIN
			EXECUTE 'ALTER ROLE mallory SUPERUSER';
			escalated := true;
		EXCEPTION WHEN OTHERS THEN
			NULL;
		END;
		INSERT INTO public.loot VALUES (current_user, session_user, planted, escalated);
	END
	$$;
	GRANT EXECUTE ON FUNCTION public.record_call(text) TO PUBLIC;
});
my $planted = 0;
for my $schema ('public', $superuser, 'capi_worker') {
	as_mallory(qq{
		SET search_path = "$schema";
		CREATE FUNCTION times(numeric, integer) RETURNS numeric LANGUAGE plpgsql AS \$\$
			BEGIN PERFORM public.record_call('$schema.*(numeric, integer)'); RETURN \$1 * \$2::numeric; END \$\$;
		CREATE OPERATOR * (LEFTARG = numeric, RIGHTARG = integer, FUNCTION = times);
		CREATE FUNCTION divided(bigint, numeric) RETURNS numeric LANGUAGE plpgsql AS \$\$
			BEGIN PERFORM public.record_call('$schema./(bigint, numeric)'); RETURN \$1::numeric / \$2; END \$\$;
		CREATE OPERATOR / (LEFTARG = bigint, RIGHTARG = numeric, FUNCTION = divided);
		CREATE FUNCTION equals(bigint, integer) RETURNS boolean LANGUAGE plpgsql AS \$\$
			BEGIN PERFORM public.record_call('$schema.=(bigint, integer)'); RETURN \$1 = \$2::bigint; END \$\$;
		CREATE OPERATOR = (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = equals);
		CREATE FUNCTION to_timestamp(numeric) RETURNS timestamptz LANGUAGE plpgsql AS \$\$
			BEGIN PERFORM public.record_call('$schema.to_timestamp(numeric)');
			RETURN pg_catalog.to_timestamp(\$1::double precision); END \$\$;
		CREATE FUNCTION make_interval(secs integer) RETURNS interval LANGUAGE plpgsql AS \$\$
			BEGIN PERFORM public.record_call('$schema.make_interval(integer)');
			RETURN pg_catalog.make_interval(secs => \$1::double precision); END \$\$;
		CREATE FUNCTION jsonb_array_elements_text(text) RETURNS SETOF text LANGUAGE plpgsql AS \$\$
			BEGIN PERFORM public.record_call('$schema.jsonb_array_elements_text(text)');
			RETURN QUERY SELECT pg_catalog.jsonb_array_elements_text(\$1::jsonb); END \$\$;
	});
	$planted += 6;
}
# The planted objects work: a caller with the default search_path runs them.
as_mallory('SELECT 1.5 * 2');
is($node->safe_psql('postgres', 'SELECT count(*) FROM public.loot'), '1',
	'a planted operator runs for a caller with the default search_path');
$node->safe_psql('postgres', 'TRUNCATE public.loot');

# Delivery through every path that touches timestamps and intervals: a first send answered 503 (the
# retry is stored), a pause for a refused token (stored with its end), and the purge of delivered rows.
add_meta_destination($node, 'meta_main');
add_faults({ status => 503, count => 1 });
as_mallory(q{
	INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
	SELECT 'sp-' || g, 'Purchase', 'https://shop.example/p/' || g,
	       jsonb_build_object('email', 'c' || g || '@example.com', 'client_user_agent', 'Mozilla/5.0'),
	       '{"value": 5, "currency": "EUR"}'
	FROM generate_series(1, 50) g});
ok(wait_until(sub { server_stats()->{accepted_events} >= 50 }, 60), 'the 50 events are delivered after a 503');
add_faults({ meta_error => { code => 190 }, count => 1 });
as_mallory(q{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
	VALUES ('sp-pause', 'Lead', 'https://shop.example/lead', '{"email": "p@example.com", "client_user_agent": "UA"}')});
ok(wait_until(sub { $node->safe_psql('postgres', 'SELECT count(*) FROM capi.cursors WHERE paused_until IS NOT NULL') eq '1' }, 30),
	'a refused token pauses the destination');
$node->safe_psql('postgres', "UPDATE capi.destinations SET enabled = true WHERE name = 'meta_main'");
ok(wait_until(sub { server_stats()->{accepted_events} >= 51 }, 30), 'the update ends the pause and the event is delivered');
reload_setting($node, "capi.delivered_retention = 0");
ok(wait_until(sub { $node->safe_psql('postgres', 'SELECT count(*) FROM capi.outbox') eq '0' }, 30),
	'delivered rows are purged');

is($node->safe_psql('postgres', 'SELECT count(*) FROM public.loot'), '0',
	"none of the $planted planted operators and functions ran");
is($node->safe_psql('postgres', "SELECT rolsuper FROM pg_roles WHERE rolname = 'mallory'"), 'f',
	'mallory is not superuser');

# The worker's statements are checked against capi_worker's grants, not the superuser's.
my $offset = -s $node->logfile;
$node->safe_psql('postgres', 'REVOKE SELECT ON capi.destinations FROM capi_worker');
$node->safe_psql('postgres', 'SELECT capi.wake_worker()');
$node->safe_psql('postgres', "UPDATE capi.destinations SET enabled = true WHERE name = 'meta_main'");
ok($node->wait_for_log(qr/permission denied for table destinations/, $offset),
	'without SELECT on capi.destinations the worker is refused: it runs as capi_worker');
$node->safe_psql('postgres', 'GRANT SELECT ON capi.destinations TO capi_worker');
as_mallory(q{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
	VALUES ('sp-after', 'Lead', 'https://shop.example/lead', '{"email": "q@example.com", "client_user_agent": "UA"}')});
ok(wait_until(sub { server_stats()->{accepted_events} >= 52 }, 30), 'with the grant back it delivers again');
is($node->safe_psql('postgres', 'SELECT count(*) FROM public.loot'), '0', 'still nothing planted ran');

# A capi_admin holding a lock on capi.destinations delays the worker's reload by lock_timeout (10 s),
# never stalls it: the reload fails, and it delivers once the lock is gone.
$node->safe_psql('postgres', 'CREATE ROLE operator LOGIN IN ROLE capi_admin');
my $locker = $node->background_psql('postgres', extra_params => ['-U', 'operator']);
$locker->query_safe('BEGIN');
$locker->query_safe('LOCK TABLE capi.destinations IN ACCESS EXCLUSIVE MODE');
$offset = -s $node->logfile;
$node->safe_psql('postgres', 'SELECT capi.wake_worker()');    # it reloads the destinations
ok($node->wait_for_log(qr/canceling statement due to lock timeout/, $offset),
	'the worker gives up waiting for the lock after lock_timeout');
$locker->query_safe('ROLLBACK');
$locker->quit;
as_mallory(q{INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data)
	VALUES ('sp-unlocked', 'Lead', 'https://shop.example/lead', '{"email": "r@example.com", "client_user_agent": "UA"}')});
ok(wait_until(sub { server_stats()->{accepted_events} >= 53 }, 30), 'once the lock is released it delivers again');

stop_and_check_log($node);
done_testing();
