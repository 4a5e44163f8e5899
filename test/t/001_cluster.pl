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

$node->safe_psql('postgres', 'CREATE EXTENSION pg_capi');
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

my $log = slurp_file($node->logfile);
unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
unlike($log, qr/PANIC|TRAP:/, 'no PANIC or assertion failure');

done_testing();
