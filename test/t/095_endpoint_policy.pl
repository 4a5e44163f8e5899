# capi.allowed_endpoint_hosts in the worker. Narrowed while a destination points at the test server,
# the worker pauses the destination (pause_reason names the setting) and sends nothing more; widened,
# it resumes and delivers what waited. A reply from the test server that is not Graph's (a raw text
# body, as another host would send) never reaches last_error, pause_reason or the log.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

start_test_server();
my $node = new_capi_node('endpoint_policy');
add_meta_destination($node, 'meta_main');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# --- allowed (CapiTest's '127.0.0.1, localhost') ----------------------------------------------------
insert_events($node, 5, 'a-');
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'a-') == 5 }),
	'the test server is allowed: delivered');

# --- narrowed: paused, nothing sent -----------------------------------------------------------------
reload_setting($node, "capi.allowed_endpoint_hosts = 'localhost'");
my $requests = server_stats()->{requests};
insert_events($node, 5, 'b-');
ok(wait_until(sub { is_paused($node, 'meta_main') }), 'narrowed: the worker pauses the destination');
my $reason = pause_reason($node, 'meta_main');
like($reason, qr/capi\.allowed_endpoint_hosts/, 'pause_reason names the setting');
like($reason, qr/127\.0\.0\.1:\d+/,            'and the endpoint refused');
unlike($reason, qr/\Q$TOKEN\E/, 'but not the token');
sleep(2);    # many poll and retry periods (retry_base_delay 200ms)
is(server_stats()->{requests}, $requests, 'nothing more was sent');
is(delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'b-'), 0, 'the new events wait');

# A new destination there is refused when saved, for capi_admin and superuser alike.
my ($rc, $out, $err) = $node->psql('postgres', qq{
	INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
	VALUES ('meta_new', 'meta', '{"pixel_id": "$PIXEL"}', '{"access_token": "$TOKEN"}', '@{[server_url()]}')});
isnt($rc, 0, 'INSERT of a destination the setting does not allow fails');
like($err, qr/capi\.allowed_endpoint_hosts/, 'naming the setting');
unlike($err, qr/\Q$TOKEN\E/, 'without the token');

# --- widened: resumes --------------------------------------------------------------------------------
reload_setting($node, "capi.allowed_endpoint_hosts = 'localhost, 127.0.0.1'");
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'b-') == 5 }),
	'widened: the destination resumes and delivers what waited');
is(sql(q{SELECT paused_until IS NULL AND pause_reason IS NULL FROM capi.cursors WHERE destination = 'meta_main'}),
	't', 'the pause is cleared');

# --- no echo of a body that is not Graph's ----------------------------------------------------------
my $banner = 'ami-id instance-id SECRET-INTERNAL-BANNER';
add_faults({ status => 400, body => "<html>$banner</html>" });
insert_events($node, 1, 'c-');
ok( wait_until(sub {
			sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id = 'c-1' AND status = 'failed'}) eq '1';
		}),
	'the event answered with a raw 400 fails');
my $error = sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'c-1'});
like($error, qr/^HTTP 400: \(body of \d+ bytes not shown: endpoint override\)/, 'last_error: status and size only');
is( sql(qq{SELECT (SELECT count(*) FROM capi.batches WHERE last_error LIKE '%SECRET-INTERNAL%')
		+ (SELECT count(*) FROM capi.event_deliveries WHERE last_error LIKE '%SECRET-INTERNAL%')
		+ (SELECT count(*) FROM capi.cursors WHERE pause_reason LIKE '%SECRET-INTERNAL%')}),
	'0', 'the body is nowhere in the delivery state');
unlike(CapiTest::log_without_statements($node), qr/SECRET-INTERNAL-BANNER/, 'nor in the log');

stop_and_check_log($node);
done_testing();
