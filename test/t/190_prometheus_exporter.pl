# capi.stats through Debian's prometheus-postgres-exporter (issue 13): the exporter, connected as a
# member of capi_monitor with monitoring/pg_capi_queries.yaml, serves the pg_capi series with the
# values capi.stats and capi.delivery_status give: one destination delivering, one paused by a
# refused token with a backlog.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use HTTP::Tiny;
use IPC::Run ();
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $exporter = '/usr/bin/prometheus-postgres-exporter';
plan skip_all =>
  "$exporter is missing: scripts/install-deps installs the Debian package prometheus-postgres-exporter"
  unless -x $exporter;
my $queries = "$ENV{PG_CAPI_SOURCE}/monitoring/pg_capi_queries.yaml";

start_test_server();
my $node = new_capi_node('exporter');
sub sql { return $node->safe_psql('postgres', $_[0]); }
add_meta_destination($node, 'meta_ok');
add_meta_destination($node, 'meta_bad', token => 'EAAB-a-token-the-platform-refuses');
sql('CREATE ROLE scraper LOGIN IN ROLE capi_monitor');

insert_events($node, 10, 'both-');
ok(wait_until(sub { sql(q{SELECT delivered_last_hour FROM capi.stats WHERE destination = 'meta_ok'}) eq '10' }, 30),
	'meta_ok delivered its 10 events');
ok(wait_until(sub { sql(q{SELECT state FROM capi.stats WHERE destination = 'meta_bad'}) eq 'paused' }, 30),
	'meta_bad is paused: its token was refused');
insert_events($node, 30, 'bad-only-', destinations => q{'meta_bad'});
is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE destination = 'meta_bad' AND status = 'paused'}), '40',
	'40 events wait for meta_bad');

# The exporter, as Debian packages it, on a free loopback port.
my $port = PostgreSQL::Test::Cluster::get_free_port();
my $log = "$PostgreSQL::Test::Utils::tmp_check/exporter.log";
my $dsn = sprintf('host=%s port=%d user=scraper dbname=postgres sslmode=disable', $node->host, $node->port);
my $handle = IPC::Run::start(
	[ $exporter, "--web.listen-address=127.0.0.1:$port", "--extend.query-path=$queries" ],
	init => sub { $ENV{DATA_SOURCE_NAME} = $dsn; },
	'>', $log, '2>&1');
my $http = HTTP::Tiny->new(timeout => 10);
my $body;
ok(wait_until(sub {
		my $response = $http->get("http://127.0.0.1:$port/metrics");
		$body = $response->{content} if $response->{success};
		return $response->{success} && $body =~ /^pg_capi_pending\{/m;
	}, 30), 'the exporter serves /metrics with pg_capi series')
  or diag(slurp_file($log));

note(join("\n", grep { /^pg_capi/ } split /\n/, $body));

# name => [ { labels => {...}, value => ... } ]
my %series;
for my $line (split /\n/, $body) {
	next unless $line =~ /^(pg_capi\w*)\{([^}]*)\} (\S+)$/;
	my ($name, $labels, $value) = ($1, $2, $3);
	my %labels = $labels =~ /(\w+)="([^"]*)"/g;
	push @{ $series{$name} }, { labels => \%labels, value => $value };
}
sub value_of {
	my ($name, %want) = @_;
	for my $sample (@{ $series{$name} // [] }) {
		return $sample->{value} unless grep { ($sample->{labels}{$_} // '') ne $want{$_} } keys %want;
	}
	return undef;
}

my %stats;
for my $row (split /\n/, sql(q{SELECT destination, pending, in_flight, retrying, failed, delivered_last_hour,
		worker_pid FROM capi.stats})) {
	my ($destination, @values) = split /\|/, $row;
	@{ $stats{$destination} }{qw(pending in_flight retrying failed delivered_last_hour worker_pid)} = @values;
}
my $worker_pid = sql(q{SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_capi worker'});

is(value_of('pg_capi_pending', destination => 'meta_bad', platform => 'meta'), 30,
	'pg_capi_pending of meta_bad: the 30 events committed while it was paused');
is(value_of('pg_capi_pending', destination => 'meta_bad'), $stats{meta_bad}{pending}, 'as capi.stats says');
is(value_of('pg_capi_pending', destination => 'meta_bad') + value_of('pg_capi_in_flight', destination => 'meta_bad')
	  + value_of('pg_capi_retrying', destination => 'meta_bad'),
	40, 'pending, in flight and retrying add up to the 40 waiting');
is(value_of('pg_capi_destination_info', destination => 'meta_bad', state => 'paused'), 1,
	'pg_capi_destination_info says meta_bad is paused');
is(value_of('pg_capi_destination_info', destination => 'meta_ok', state => 'active'), 1, 'and meta_ok active');
is(scalar(@{ $series{pg_capi_destination_info} }), 2, 'one state per destination');
cmp_ok(value_of('pg_capi_oldest_pending_age_seconds', destination => 'meta_bad'), '>', 0,
	'meta_bad has an oldest pending age');
is(value_of('pg_capi_oldest_pending_age_seconds', destination => 'meta_ok'), 0, 'meta_ok has none waiting');
is(value_of('pg_capi_delivered_last_hour', destination => 'meta_ok'), 10, 'meta_ok delivered 10 in the last hour');
is(value_of('pg_capi_delivered_last_hour', destination => 'meta_bad'), 0, 'meta_bad none');
is(value_of('pg_capi_pending', destination => 'meta_ok'), 0, 'nothing pending for meta_ok');
is(value_of('pg_capi_failed', destination => 'meta_bad'), 0, 'nothing failed: a pause fails no event');
cmp_ok(value_of('pg_capi_events_per_second', destination => 'meta_ok'), '>', 0, 'meta_ok has a delivery rate');
cmp_ok(value_of('pg_capi_last_delivered_timestamp_seconds', destination => 'meta_ok'), '>', time() - 600,
	'meta_ok delivered minutes ago at most');
is(value_of('pg_capi_worker_pid', destination => 'meta_ok'), $worker_pid, 'the worker pid is the worker\'s');
is(value_of('pg_capi_worker_running'), 1, 'pg_capi_worker_running');
is(value_of('pg_capi_worker_delivering'), 1, 'pg_capi_worker_delivering');

# Every metric the queries file defines is served (none failed on the exporter's side).
my ($key, $column, @defined);
for my $line (split /\n/, slurp_file($queries)) {
	if ($line =~ /^(\w+):\s*$/) { $key = $1; }
	elsif ($line =~ /^\s+- (\w+):\s*$/) { $column = $1; }
	elsif ($line =~ /^\s+usage:\s*"(\w+)"/ && $1 ne 'LABEL') { push @defined, "${key}_$column"; }
}
is(scalar(@defined), 13, 'the queries file defines the metrics');
is_deeply([ grep { !$series{$_} } @defined ], [], 'every one of them is served');
unlike(slurp_file($log), qr/level=(?:error|warn)[^\n]*capi/i, 'the exporter logged no error about pg_capi\'s queries');

# Disabled: the state changes, the backlog stays.
sql(q{UPDATE capi.destinations SET enabled = false WHERE name = 'meta_bad'});
ok(wait_until(sub {
		my $text = $http->get("http://127.0.0.1:$port/metrics")->{content} // '';
		return $text =~ /^pg_capi_destination_info\{[^}]*destination="meta_bad"[^}]*state="disabled"[^}]*\} 1$/m;
	}, 10), 'a disabled destination reads disabled');

$handle->kill_kill;
stop_and_check_log($node);
done_testing();
