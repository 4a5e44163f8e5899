# The same 10,000 events to all seven platforms: eight destinations (Google through Data Manager and
# through the Ads API), each at the platform's own default request-rate limit. Each destination must
# receive exactly its 10,000 events, once each, and every event must carry exactly the identifiers
# capi.user_data() gives for that platform from the same raw input (every SHA-256 digest in the
# received event is one of them, and none is missing).
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $count = 10000;
start_test_server(extra => ['--recent-events', '1']);
my $node = new_capi_node('all_platforms');
my $sql = slurp_file("$ENV{PG_CAPI_SOURCE}/demo/all_platforms.sql");
my $url = server_url();
$sql =~ s/:'url'/'$url'/g;
$sql =~ s/EAAB-demo-token-not-real/$TOKEN/;
$node->safe_psql('postgres', $sql);
my @destinations = split /\n/, $node->safe_psql('postgres', 'SELECT name FROM capi.destinations ORDER BY name');
is(scalar @destinations, 8, 'eight destinations, one per platform and Google twice');

insert_events($node, $count, 'all-');
ok(wait_until(sub {
	$node->safe_psql('postgres', "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'") == 8 * $count },
	180), 'every destination delivered every event');
is($node->safe_psql('postgres', "SELECT string_agg(DISTINCT status, ',') FROM capi.delivery_status"), 'delivered',
	'nothing pending, failed or skipped');

my $stats = server_stats();
is($stats->{duplicate_events}, 0, 'no event reached a platform twice');
is($stats->{platforms}{$_}{accepted_events}, $_ eq 'google' ? 2 * $count : $count, "$_ accepted its events")
  for qw(meta google tiktok linkedin snap reddit pinterest);
cmp_ok($stats->{platforms}{reddit}{max_requests_per_second}, '<=', 1, 'Reddit: at most 1 request in any second (its default limit)');
cmp_ok($stats->{platforms}{linkedin}{max_requests_per_second}, '<=', 3, 'LinkedIn: at most 3 (its default limit)');

# What each destination received, from the server's record: event ids and the digests in each event.
my (%ids, %digests);
open(my $fh, '<', record_file()) or die "record: $!";
while (my $line = <$fh>) {
	my $record = decode_json($line);
	my $platform = $record->{platform};
	$platform = exists $record->{event}{conversionAction} ? 'google_ads' : 'google_dm' if $platform eq 'google';
	$ids{$platform}{ $record->{event_id} }++;
	my @found = sort($line =~ /"([0-9a-f]{64})"/g);
	$digests{$platform}{ $record->{event_id} } = join(',', @found);
}
close($fh);
my %expected_ids = map { ("all-$_" => 1) } 1 .. $count;
foreach my $platform (qw(meta google_dm google_ads tiktok linkedin snap reddit pinterest)) {
	my $received = $ids{$platform} // {};
	is(scalar(keys %$received), $count, "$platform: $count distinct events");
	is(scalar(grep { $received->{$_} != 1 } keys %$received), 0, "$platform: each once");
	is(scalar(grep { !$expected_ids{$_} } keys %$received), 0, "$platform: only its events");
}

# The identifiers each platform should have received: the digests of capi.user_data(raw, platform),
# for the same raw input insert_events used.
my $expected = $node->safe_psql('postgres', q{
	SELECT p, 'all-' || g, coalesce((SELECT string_agg(d #>> '{}', ',' ORDER BY d #>> '{}')
	                FROM jsonb_path_query(u, 'strict $.** ? (@.type() == "string" && @ like_regex "^[0-9a-f]{64}$")') d), '')
	FROM generate_series(1, 10000) g,
	     unnest(ARRAY['meta', 'google', 'tiktok', 'linkedin', 'snap', 'reddit', 'pinterest']) p,
	     LATERAL capi.user_data(jsonb_build_object('email', 'Customer' || g || '@Example.com',
	                            'phone', '+1 650 555 ' || lpad((g % 10000)::text, 4, '0'),
	                            'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0'), p) u});
my %mismatches;
my %compared;
foreach my $row (split /\n/, $expected) {
	my ($platform, $id, $want) = split /\|/, $row, 3;
	$want //= '';
	foreach my $variant ($platform eq 'google' ? qw(google_dm google_ads) : ($platform)) {
		$compared{$variant}++;
		my $got = $digests{$variant}{$id} // 'missing';
		$mismatches{$variant}++ if $got ne $want;
		diag("$variant $id: got $got, want $want") if $got ne $want && ($mismatches{$variant} // 0) <= 2;
	}
}
foreach my $platform (qw(meta google_dm google_ads tiktok linkedin snap reddit pinterest)) {
	is($compared{$platform}, $count, "$platform: identifiers compared for every event");
	is($mismatches{$platform} // 0, 0, "$platform: every event carried exactly its platform's identifiers");
}
# capi.preview shows each destination what it would receive: the same digests as the platform got.
foreach my $destination (@destinations) {
	my $preview = $node->safe_psql('postgres', "SELECT capi.preview('all-1', '$destination')");
	my $variant = $destination =~ /^google_(dm|ads)$/ ? $destination : (split /_/, $destination)[0];
	my @digests = sort($preview =~ /"([0-9a-f]{64})"/g);
	my %unique = map { ($_ => 1) } @digests;
	is(join(',', sort keys %unique), join(',', sort keys %{ { map { ($_ => 1) } split /,/, $digests{$variant}{'all-1'} } }),
		"capi.preview('all-1', '$destination') carries the identifiers $variant received");
}

my $all = slurp_file(record_file());
unlike($all, qr/Customer\d+\@Example\.com/i, 'no raw email reached any platform');

stop_and_check_log($node);
done_testing();
