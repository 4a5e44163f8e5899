# A cluster with pg_capi preloaded starts, creates the extension, runs a function, and stops cleanly.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('preload');
$node->init;
$node->append_conf('postgresql.conf', "shared_preload_libraries = 'pg_capi'");
$node->start;

is($node->safe_psql('postgres', 'SHOW shared_preload_libraries'), 'pg_capi', 'pg_capi is preloaded');

my ($create_ret, $create_out, $create_err) = $node->psql('postgres', 'CREATE EXTENSION pg_capi');
is($create_ret, 0, 'CREATE EXTENSION succeeds');
unlike($create_err, qr/WARNING/, 'preloaded, in capi.database: CREATE EXTENSION warns of nothing');
is($node->safe_psql('postgres', 'SELECT cardinality(capi.setup_warnings())'), '0', 'capi.setup_warnings() is empty');
is($node->safe_psql('postgres', "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'"),
	$node->safe_psql('postgres',
		"SELECT default_version FROM pg_available_extensions WHERE name = 'pg_capi'"),
	'CREATE EXTENSION installs the default version');
is($node->safe_psql('postgres', "SELECT capi.sha256_hex('john_smith\@gmail.com')"),
	'62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f',
	'sha256_hex works in a preloaded cluster');

# A misspelt setting under the reserved prefix is reported, not silently kept.
my ($ret, $stdout, $stderr) = $node->psql('postgres', 'SET capi.no_such_setting = 1');
isnt($ret, 0, 'unknown capi.* setting is rejected');
like($stderr, qr/invalid configuration parameter name|unrecognized configuration parameter/,
	'with a clear message');

$node->safe_psql('postgres', 'DROP EXTENSION pg_capi');
$node->restart;
$node->safe_psql('postgres', 'CREATE EXTENSION pg_capi');
$node->stop('fast');

# Setups that would deliver nothing say so at CREATE EXTENSION (and in capi.setup_warnings()).
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE shop');
($create_ret, $create_out, $create_err) = $node->psql('shop', 'CREATE EXTENSION pg_capi');
is($create_ret, 0, 'CREATE EXTENSION in another database succeeds');
like($create_err, qr/WARNING:  pg_capi: the delivery worker serves the database "postgres" \(capi.database\), not "shop"/,
	'and warns that the worker serves capi.database');
$node->stop('fast');

my $plain = PostgreSQL::Test::Cluster->new('no_preload');
$plain->init;
$plain->start;
($create_ret, $create_out, $create_err) = $plain->psql('postgres', 'CREATE EXTENSION pg_capi');
is($create_ret, 0, 'CREATE EXTENSION without the preload succeeds');
like($create_err, qr/WARNING:  pg_capi: pg_capi is not in shared_preload_libraries: the delivery worker does not run/,
	'and warns that nothing will be delivered');
like($plain->safe_psql('postgres', 'SELECT array_to_string(capi.setup_warnings(), chr(10))'),
	qr/not in shared_preload_libraries/, 'capi.setup_warnings() says it too');

# Without the preload the library is loaded by the first statement that needs it, after that statement
# started: a retry made by a session's first statement is still recorded by the dedup audit, and so is
# one made later in the session (pg/conflict_statements.hpp).
$plain->safe_psql('postgres', q{
	INSERT INTO capi.destinations (name, platform, config, credentials)
	VALUES ('lazy_meta', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAA-not-real"}');
	INSERT INTO capi.outbox (event_id, event_name, action_source) VALUES ('lazy-1', 'Lead', 'system_generated')});
my $retry = q{INSERT INTO capi.outbox (event_id, event_name, action_source)
	VALUES ('lazy-1', 'Lead', 'system_generated') ON CONFLICT DO NOTHING};
is($plain->safe_psql('postgres', "$retry; SELECT count(*) FROM capi.rejected_duplicates"), '1',
	'a session whose first statement loads the library records its retry');
is($plain->safe_psql('postgres', "SET application_name = 'later'; $retry; $retry; SELECT count(*) FROM capi.rejected_duplicates"), '3',
	'and so does a session that loaded it earlier (one record per retry)');
$plain->stop('fast');

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
unlike($log, qr/PANIC|TRAP:/, 'no PANIC or assertion failure');

done_testing();
