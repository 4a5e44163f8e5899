# What paused a destination is a fact the worker stores (capi.cursors.paused_by), not a prefix of its
# text (issue 13): the circuit breaker writes 'circuit', and capi.stats reads circuit_open from it
# whatever pause_reason says; a token the platform refuses writes 'platform'; an endpoint this server no
# longer allows writes 'configuration'. Resuming clears it with the pause.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('paused_by', conf => ["capi.retry_max_delay = '1s'"]);
add_meta_destination($node, 'meta_main');
sub sql { return $node->safe_psql('postgres', $_[0]); }
my $cursor = sub {
	sql(q{SELECT coalesce(paused_by, 'none') || '|' || coalesce(pause_reason, 'none')
		FROM capi.cursors WHERE destination = 'meta_main'});
};

# --- the circuit -------------------------------------------------------------------------------------
add_faults({ status => 503, count => 100000 });
insert_events($node, 20, 'cb-');
ok(wait_until(sub { $cursor->() =~ /^circuit\|circuit open after/ }, 20),
	'the circuit opens: paused_by = circuit, with the reason') or diag($cursor->());
is(sql(q{SELECT state FROM capi.stats WHERE destination = 'meta_main'}), 'circuit_open', 'capi.stats: circuit_open');
# The state comes from paused_by, not from the text: a reason in other words reads the same (in one
# transaction, rolled back: the worker rewrites the reason at its next probe).
is(sql(q{BEGIN;
	UPDATE capi.cursors SET pause_reason = 'the platform is down' WHERE destination = 'meta_main';
	SELECT state || ': ' || reason FROM capi.stats WHERE destination = 'meta_main';
	ROLLBACK;}),
	'circuit_open: the platform is down', 'capi.stats reads circuit_open from paused_by, not from the text');
clear_faults();
ok(wait_until(sub { $cursor->() eq 'none|none' }, 30), 'the circuit closes: paused_by is cleared with the pause')
  or diag($cursor->());
ok(wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'}) eq '20' }, 20),
	'the 20 events are delivered');

# --- the platform refuses the token ------------------------------------------------------------------
reset_server();
add_faults({ meta_error => { code => 190 }, count => 1 });
insert_events($node, 3, 'au-');
ok(wait_until(sub { $cursor->() =~ /^platform\|/ }, 30), 'an invalid token: paused_by = platform')
  or diag($cursor->());
is(sql(q{SELECT state FROM capi.stats WHERE destination = 'meta_main'}), 'paused', 'capi.stats: paused');
sql(q{UPDATE capi.destinations SET credentials = credentials WHERE name = 'meta_main'});
ok(wait_until(sub { $cursor->() eq 'none|none' }, 10), 'the UPDATE resumes it: paused_by cleared')
  or diag($cursor->());

# --- this server no longer allows the endpoint ---------------------------------------------------------
reload_setting($node, "capi.allowed_endpoint_hosts = 'localhost'");
insert_events($node, 2, 'ep-');
ok(wait_until(sub { $cursor->() =~ /^configuration\|.*capi\.allowed_endpoint_hosts/ }, 30),
	'an endpoint no longer allowed: paused_by = configuration') or diag($cursor->());
is(sql(q{SELECT state FROM capi.stats WHERE destination = 'meta_main'}), 'paused', 'capi.stats: paused');
reload_setting($node, "capi.allowed_endpoint_hosts = '127.0.0.1, localhost'");
sql(q{UPDATE capi.destinations SET credentials = credentials WHERE name = 'meta_main'});
ok(wait_until(sub { $cursor->() eq 'none|none' }, 10), 'allowed again and updated: resumed')
  or diag($cursor->());
ok(wait_until(sub { sql(q{SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'}) eq '25' }, 20),
	'every event delivered');

stop_and_check_log($node);
done_testing();
