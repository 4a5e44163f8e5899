# Delivery over real TLS: the test server serves HTTPS with a throwaway certificate; the worker
# verifies it against capi.ca_file, and refuses it (retrying, never delivering) without that CA.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $dir = PostgreSQL::Test::Utils::tempdir();
my ($cert, $key) = ("$dir/server.pem", "$dir/server.key");
system('openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', $key, '-out', $cert,
	'-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1') == 0
  or BAIL_OUT('openssl could not make a certificate');
system("openssl req -x509 -newkey rsa:2048 -nodes -keyout $dir/other.key -out $dir/other.pem -days 1 "
	  . "-subj /CN=other 2>/dev/null") == 0
  or BAIL_OUT('openssl could not make the second certificate');

my $url = start_test_server(extra => ['--tls-cert', $cert, '--tls-key', $key]);
(my $https = $url) =~ s{^http://127\.0\.0\.1}{https://localhost};
my $node = new_capi_node('tls', conf => ["capi.ca_file = '$cert'"]);
$node->safe_psql('postgres', qq{
	INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
	VALUES ('meta_tls', 'meta', '{"pixel_id": "$PIXEL", "api_version": "v25.0"}',
	        '{"access_token": "$TOKEN"}', '$https')});

# 1. Verified against the CA file: delivered.
insert_events($node, 5, 'tls-');
ok(wait_until(sub { delivery_count($node, 'delivered', prefix => 'tls-') == 5 }, 30),
	'HTTPS with the CA in capi.ca_file: 5 delivered');
is(scalar(recorded_events()), 5, 'the server recorded 5 events');

# 2. A CA that did not sign the server's certificate: the handshake fails, nothing is delivered,
#    the batch retries with a TLS error (never silently insecure).
reload_setting($node, "capi.ca_file = '$dir/other.pem'");
insert_events($node, 3, 'untrusted-');
ok(
	wait_until(
		sub {
			$node->safe_psql('postgres',
				"SELECT count(*) FROM capi.batches WHERE status = 'retrying' AND last_error ~* 'tls|certificate|ssl'"
			) >= 1;
		},
		30),
	'an untrusted certificate is refused: the batch retries with a TLS error');
like(
	$node->safe_psql('postgres', "SELECT last_error FROM capi.batches WHERE status = 'retrying' LIMIT 1"),
	qr/^tls: SSL certificate problem: /, 'last_error names the TLS failure and the certificate problem');
is(delivery_count($node, 'delivered', prefix => 'untrusted-'), 0,
	'nothing delivered without a trusted certificate');
is(scalar(recorded_events()), 5, 'the server received nothing more');

# 3. Trusting the right CA again delivers the held events.
reload_setting($node, "capi.ca_file = '$cert'");
ok(wait_until(sub { delivery_count($node, 'delivered', prefix => 'untrusted-') == 3 }, 30),
	'with the right CA again the 3 held events are delivered');
is(scalar(recorded_events()), 8, 'the server recorded 8 events in all');

stop_and_check_log($node);
done_testing();
