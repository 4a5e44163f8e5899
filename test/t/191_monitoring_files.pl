# The monitoring files (issue 13): the Prometheus alert rules are valid and behave as their unit tests
# say (promtool), the Grafana dashboard is valid JSON, and every metric the rules and the dashboard use
# is one that the exporter's queries file defines. Test 190 checks the exporter really serves them.
use strict;
use warnings;
use IPC::Run ();
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = "$ENV{PG_CAPI_SOURCE}/monitoring";
my $promtool = '/usr/bin/promtool';
plan skip_all => "$promtool is missing: scripts/install-deps installs the Debian package prometheus"
  unless -x $promtool;

# What prometheus-postgres-exporter makes of the queries file: <key>_<column> for every column that is
# not a label.
sub exported_metrics {
	my %metrics;
	my ($key, $column);
	open(my $fh, '<', "$dir/pg_capi_queries.yaml") or die "pg_capi_queries.yaml: $!";
	while (my $line = <$fh>) {
		if ($line =~ /^(\w+):\s*$/) { $key = $1; }
		elsif ($line =~ /^\s+- (\w+):\s*$/) { $column = $1; }
		elsif ($line =~ /^\s+usage:\s*"(\w+)"/ && $1 ne 'LABEL') { $metrics{"${key}_$column"} = 1; }
	}
	close($fh);
	return \%metrics;
}

# Metric names used in PromQL expressions.
sub used_metrics {
	my @expressions = @_;
	my %used;
	for my $expression (@expressions) {
		$used{$1} = 1 while $expression =~ /\b(pg_capi_\w+)/g;
	}
	return [ sort keys %used ];
}

my ($stdout, $stderr);
my $checked = IPC::Run::run([ $promtool, 'check', 'rules', "$dir/pg_capi_alerts.yml" ], '>', \$stdout, '2>', \$stderr);
ok($checked, 'promtool check rules accepts the alert rules') or diag("$stdout$stderr");
like($stdout, qr/SUCCESS: 5 rules found/, 'the five alerts: not delivering, stalled, oldest pending, paused, failure rate');

my $tested = IPC::Run::run([ $promtool, 'test', 'rules', "$dir/pg_capi_alerts_test.yml" ], '>', \$stdout, '2>', \$stderr);
ok($tested, 'promtool test rules: each alert fires when it should and not before') or diag("$stdout$stderr");

my $exported = exported_metrics();
is(scalar(keys %$exported), 13, 'the queries file defines the pg_capi metrics');

my $rules = slurp_file("$dir/pg_capi_alerts.yml");
my @rule_expressions = $rules =~ /^\s+expr:\s*(?:>-\s*)?(.*?)(?=^\s+for:)/msg;
is(scalar(@rule_expressions), 5, 'every alert has an expression');
for my $metric (@{ used_metrics(@rule_expressions) }) {
	ok($exported->{$metric}, "alert rules use $metric, which the exporter serves");
}

my $dashboard = eval { decode_json(slurp_file("$dir/pg_capi_dashboard.json")) };
ok($dashboard, 'the Grafana dashboard is valid JSON') or diag($@);
my @dashboard_expressions;
for my $panel (@{ $dashboard->{panels} }) {
	push @dashboard_expressions, $_->{expr} for @{ $panel->{targets} };
}
push @dashboard_expressions, $_->{definition} for @{ $dashboard->{templating}{list} };
ok(@dashboard_expressions >= 8, 'its panels have queries');
my $dashboard_metrics = used_metrics(@dashboard_expressions);
ok(@$dashboard_metrics >= 8, 'they name pg_capi metrics');
for my $metric (@$dashboard_metrics) {
	ok($exported->{$metric}, "the dashboard uses $metric, which the exporter serves");
}

done_testing();
