# Helpers shared by pg_capi's TAP tests: the loopback platform stand-in (capi_test_server) and a
# PostgreSQL node with pg_capi preloaded and a Meta destination pointing at it.
package CapiTest;

use strict;
use warnings;
use Exporter 'import';
use HTTP::Tiny;
use JSON::PP;
use POSIX ':sys_wait_h';
use Time::HiRes qw(usleep time);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;

our @EXPORT = qw(start_test_server stop_test_server server_url server_stats server_get server_post
  server_delete add_faults clear_faults reset_server new_capi_node add_meta_destination wait_until
  insert_events reload_setting stop_and_check_log add_destination record_file recorded_events all_sha256_hex
  worker_pid delivery_count delivery_status_of status_counts wait_for_status_counts undelivered_rows
  statuses_by_destination is_paused pause_reason batch_count last_batch $TOKEN $PIXEL);

our $TOKEN = 'EAAB-tap-secret-token-5f1c9a';    # a realistic token: redaction must find it whole
our $PIXEL = '1234567890';

my $http = HTTP::Tiny->new(timeout => 10);
my %server;    # pid, port, dir

# Starts capi_test_server on an ephemeral loopback port; returns its base URL.
sub start_test_server {
	my (%options) = @_;
	my $binary = $ENV{CAPI_TEST_SERVER}
	  // die "CAPI_TEST_SERVER is not set (scripts/test sets it)";
	my $dir = PostgreSQL::Test::Utils::tempdir();
	my @command = ($binary, '--port', '0', '--port-file', "$dir/port", '--quiet',
		'--meta-token', $TOKEN, '--meta-pixel', $PIXEL, '--record', "$dir/events.jsonl");
	push @command, @{ $options{extra} } if $options{extra};
	my $pid = fork();
	die "fork: $!" unless defined $pid;
	if ($pid == 0) { exec(@command) or die "exec $binary: $!"; }
	my $deadline = time() + 10;
	until (-s "$dir/port") {
		die "capi_test_server did not start" if time() > $deadline;
		usleep(20_000);
	}
	open(my $fh, '<', "$dir/port") or die;
	my $port = <$fh>;
	close($fh);
	chomp $port;
	%server = (pid => $pid, port => $port, dir => $dir);
	return server_url();
}

sub stop_test_server {
	return unless $server{pid};
	kill 'TERM', $server{pid};
	waitpid($server{pid}, 0);
	%server = ();
}

sub server_url { return "http://127.0.0.1:$server{port}"; }
sub record_file { return "$server{dir}/events.jsonl"; }

# The events the server recorded since its last reset (one decoded JSON object per line of
# record_file), in order; with $platform ('tiktok', ...), that platform's only. () before the first.
sub recorded_events {
	my ($platform) = @_;
	open(my $fh, '<', record_file()) or return ();
	my @events = map { decode_json($_) } grep { /\S/ } <$fh>;
	close($fh);
	return defined $platform ? grep { $_->{platform} eq $platform } @events : @events;
}

# True when $list is a non-empty array reference of lowercase SHA-256 hex digests (what platforms get).
sub all_sha256_hex {
	my ($list) = @_;
	return ref $list eq 'ARRAY' && @$list && !grep { !/^[0-9a-f]{64}\z/ } @$list;
}

sub _call {
	my ($method, $path, $body) = @_;
	my $response = $http->request($method, server_url() . $path,
		defined $body ? { content => encode_json($body) } : {});
	die "control $method $path: $response->{status} $response->{content}" unless $response->{success};
	return decode_json($response->{content});
}
sub server_get    { return _call('GET',    $_[0]); }
sub server_post   { return _call('POST',   $_[0], $_[1]); }
sub server_delete { return _call('DELETE', $_[0]); }
sub server_stats  { return server_get('/__control/stats'); }
sub add_faults    { return server_post('/__control/faults', $_[0]); }
sub clear_faults  { return server_delete('/__control/faults'); }
sub reset_server  { return server_post('/__control/reset', {}); }

# A started node with pg_capi preloaded, the extension created in "postgres", fast retries, and the
# test server's loopback hosts allowed as endpoints.
sub new_capi_node {
	my ($name, %options) = @_;
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init(%{ $options{init} // {} });
	$node->append_conf('postgresql.conf', join("\n",
		"shared_preload_libraries = 'pg_capi'",
		"capi.retry_base_delay = '200ms'",
		"capi.retry_max_delay = '2s'",
		"capi.auth_failure_pause = '60s'",
		# destinations point at the loopback test server (http://127.0.0.1:port, https://localhost:port)
		"capi.allowed_endpoint_hosts = '127.0.0.1, localhost'",
		@{ $options{conf} // [] }) . "\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION pg_capi') unless $options{no_extension};
	return $node;
}

# Registers a Meta destination at the test server.
sub add_meta_destination {
	my ($node, $name, %options) = @_;
	my $enabled = $options{enabled} // 'true';
	my $token = $options{token} // $TOKEN;
	my $url = server_url();
	$node->safe_psql($options{dbname} // 'postgres', qq{
		INSERT INTO capi.destinations (name, platform, enabled, config, credentials, endpoint)
		VALUES ('$name', 'meta', $enabled, '{"pixel_id": "$PIXEL", "api_version": "v25.0"}',
		        '{"access_token": "$token"}', '$url')});
}

# Registers a destination of any platform at the test server; $config and $credentials are JSON text.
sub add_destination {
	my ($node, $name, $platform, $config, $credentials, %options) = @_;
	my $enabled = $options{enabled} // 'true';
	my $url = server_url();
	$node->safe_psql($options{dbname} // 'postgres', qq{
		INSERT INTO capi.destinations (name, platform, enabled, config, credentials, endpoint)
		VALUES ('$name', '$platform', $enabled, '$config', '$credentials', '$url')});
}

# Inserts $count events named "$prefix<n>" (n = 1..count), raw identifiers, one transaction.
sub insert_events {
	my ($node, $count, $prefix, %options) = @_;
	my $destinations = $options{destinations} ? "ARRAY[$options{destinations}]" : 'NULL';
	my $time = $options{event_time} // 'now()';
	$node->safe_psql($options{dbname} // 'postgres', qq{
		INSERT INTO capi.outbox (event_id, event_name, event_time, event_source_url, user_data, custom_data, destinations)
		SELECT '$prefix' || g, 'Purchase', $time, 'https://shop.example/p/' || g,
		       jsonb_build_object('email', 'Customer' || g || '\@Example.com', 'phone', '+1 650 555 ' || lpad((g % 10000)::text, 4, '0'),
		                          'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0'),
		       '{"value": 12.5, "currency": "USD"}', $destinations
		FROM generate_series(1, $count) g});
}

# ALTER SYSTEM SET $setting, reload, and wait until the worker says it reloaded.
sub reload_setting {
	my ($node, $setting) = @_;
	my $offset = -s $node->logfile;
	$node->safe_psql('postgres', "ALTER SYSTEM SET $setting");
	$node->safe_psql('postgres', 'SELECT pg_reload_conf()');
	$node->wait_for_log(qr/pg_capi worker: configuration reloaded/, $offset);
}

# Stops the node (fast) and the test server, then checks the node's log: no process terminated by a
# signal, no PANIC or assertion failure. Two tests.
sub stop_and_check_log {
	my ($node) = @_;
	$node->stop('fast');
	stop_test_server();
	my $log = PostgreSQL::Test::Utils::slurp_file($node->logfile);
	Test::More::unlike($log, qr/terminated by signal/, 'no process was terminated by a signal');
	Test::More::unlike($log, qr/PANIC|TRAP:/, 'no PANIC or assertion failure');
}

# Polls $check (a sub returning true when done) every 50 ms for up to $seconds; returns its last value.
sub wait_until {
	my ($check, $seconds) = @_;
	my $deadline = time() + ($seconds // 30);
	while (1) {
		my $result = $check->();
		return $result if $result;
		return $result if time() > $deadline;
		usleep(50_000);
	}
}

# The pg_capi worker's process id on $node, 0 when none runs.
sub worker_pid {
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT coalesce(max(pid), 0) FROM pg_stat_activity WHERE backend_type = 'pg_capi worker'");
}

# --- the delivery state, as the tests read it -------------------------------------------------------
# The helpers on capi.delivery_status (one row per event and destination) take the same filters after
# their own arguments, each optional: destination => a destination's name, prefix => how event_id
# starts (LIKE '<prefix>%'), dbname => the database (default 'postgres'); a filter left out matches
# every row (wait_for_status_counts alone takes destination and prefix as plain arguments). Counts
# come back as numbers, texts as psql prints them ('|' between columns, a line per row).

sub _delivery_where {
	my (%where) = @_;
	my @conditions = ('true');
	push @conditions, "destination = '$where{destination}'" if defined $where{destination};
	push @conditions, "event_id LIKE '$where{prefix}%'"      if defined $where{prefix};
	return join(' AND ', @conditions);
}

sub _delivery_sql {
	my ($node, $where, $query) = @_;
	return $node->safe_psql($where->{dbname} // 'postgres', $query);
}

# The number of capi.delivery_status rows in $status ('delivered', 'failed', ...), as a number.
sub delivery_count {
	my ($node, $status, %where) = @_;
	return 0 + _delivery_sql($node, \%where, "SELECT count(*) FROM capi.delivery_status
		WHERE status = '$status' AND " . _delivery_where(%where));
}

# The status of event $event_id in capi.delivery_status, e.g. 'failed'; '' when it has no row, one
# line per destination (in name order) when it has several.
sub delivery_status_of {
	my ($node, $event_id, %where) = @_;
	return _delivery_sql($node, \%where, "SELECT status FROM capi.delivery_status
		WHERE event_id = '$event_id' AND " . _delivery_where(%where) . ' ORDER BY destination');
}

# How many rows are in each status, as text: 'delivered|19,failed|1' (statuses in alphabetical order,
# only those with rows; '' when no row matches).
sub status_counts {
	my ($node, %where) = @_;
	my $rows = _delivery_sql($node, \%where, "SELECT status, count(*) FROM capi.delivery_status
		WHERE " . _delivery_where(%where) . ' GROUP BY status');
	my %count = map { split /\|/ } split /\n/, $rows;
	return join(',', map { "$_|$count{$_}" } sort keys %count);
}

# The rows not delivered, for diag(): 'event_id|destination|status|reason or last_error' (cut at 160
# characters) each, in outbox order, at most 20 lines; '' when every row is delivered.
sub undelivered_rows {
	my ($node, %where) = @_;
	return _delivery_sql($node, \%where, "SELECT event_id, destination, status,
		left(coalesce(reason, last_error), 160) FROM capi.delivery_status
		WHERE status <> 'delivered' AND " . _delivery_where(%where)
		  . ' ORDER BY outbox_id, destination LIMIT 20');
}

# One 'destination=status' entry per row, in destination order, comma-separated: 'meta_s=delivered,
# tiktok_s=failed'; '' when no row matches. Says which destination holds an event back.
sub statuses_by_destination {
	my ($node, %where) = @_;
	return _delivery_sql($node, \%where, "SELECT string_agg(destination || '=' || status, ',' ORDER BY destination)
		FROM capi.delivery_status WHERE " . _delivery_where(%where));
}

# One test: waits until the events '$prefix*' of $destination are exactly %$expected per status
# ({ delivered => 19, failed => 1 }: 19 delivered, 1 failed, none in any other status). Options:
# timeout => seconds (default 60), name => the test's name (default "<destination> '<prefix>*':
# 19 delivered, 1 failed"). On failure, diag() shows the counts and the undelivered rows. Returns the
# test's result.
sub wait_for_status_counts {
	my ($node, $destination, $prefix, $expected, %options) = @_;
	my @where = (destination => $destination, prefix => $prefix);
	my @statuses = sort grep { $expected->{$_} } keys %$expected;
	my $want = join(',', map { "$_|$expected->{$_}" } @statuses);
	my $name = $options{name}
	  // "$destination '$prefix*': " . join(', ', map { "$expected->{$_} $_" } @statuses);
	my $reached = wait_until(sub { status_counts($node, @where) eq $want }, $options{timeout} // 60);
	local $Test::Builder::Level = $Test::Builder::Level + 1;    # a failure names the caller's line
	my $passed = Test::More::ok($reached, $name);
	Test::More::diag('status counts: ' . status_counts($node, @where) . "\n" . undelivered_rows($node, @where))
	  unless $passed;
	return $passed;
}

# True while $destination is paused (capi.cursors.paused_until is set).
sub is_paused {
	my ($node, $destination) = @_;
	return $node->safe_psql('postgres',
		"SELECT paused_until IS NOT NULL FROM capi.cursors WHERE destination = '$destination'") eq 't';
}

# Why $destination is paused (capi.cursors.pause_reason); '' while it is not paused.
sub pause_reason {
	my ($node, $destination) = @_;
	return $node->safe_psql('postgres', "SELECT coalesce(pause_reason, '') FROM capi.cursors
		WHERE destination = '$destination' AND paused_until IS NOT NULL");
}

# The number of capi.batches rows in any of @statuses ('in_flight', 'retrying', ...), as a number.
sub batch_count {
	my ($node, @statuses) = @_;
	my $list = join(', ', map { "'$_'" } @statuses);
	return 0 + $node->safe_psql('postgres', "SELECT count(*) FROM capi.batches WHERE status IN ($list)");
}

# $columns (SQL, e.g. 'status, attempts') of $destination's newest batch, as psql prints them:
# 'delivered|3'; '' when it has no batch.
sub last_batch {
	my ($node, $destination, $columns) = @_;
	return $node->safe_psql('postgres',
		"SELECT $columns FROM capi.batches WHERE destination = '$destination' ORDER BY id DESC LIMIT 1");
}

# The node's log without the statements the test itself sent (TAP clusters log every statement, and
# the tests' own SQL carries the token): what the server and the worker wrote. For secret checks.
sub log_without_statements {
	my ($node) = @_;
	my $log = PostgreSQL::Test::Utils::slurp_file($node->logfile);
	my @entries = split /^(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)/m, $log;
	return join('', grep { !/^\S+ \S+ \S+ \[\d+\] [^\n]*?(?:LOG:  statement: |STATEMENT:  )/ } @entries);
}

1;
