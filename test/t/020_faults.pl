# Delivery under faults injected by the loopback Meta stand-in: transient errors and Retry-After,
# a permanently rejected event isolated by splitting, a stale event failed alone, an auth failure that
# pauses the destination, connection resets (nothing lost), capi.max_attempts, and capi.retry_failed.
# Every state tells the truth (issue 10 §3): a delivered row has no last_error (the earlier one is in
# previous_error), a batch's status says whether its events were delivered (delivered, partial, failed),
# and the events of a paused or disabled destination read paused / disabled with the reason.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use JSON::PP;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time sleep);

start_test_server();
# A pause shorter than CapiTest's 60 s: an UPDATE must end it well before it would expire anyway,
# and a worker that misses the UPDATE costs this file 20 s, not 60.
my $node = new_capi_node('faults', conf => ["capi.auth_failure_pause = '20s'"]);
add_meta_destination($node, 'meta_main');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# --- transient: two 503s, then success -------------------------------------------------------------
reset_server();
add_faults({ status => 503, count => 2 });
insert_events($node, 10, 'tr-');
wait_for_status_counts($node, 'meta_main', 'tr-', { delivered => 10 });
is(last_batch($node, 'meta_main', 'status, attempts, events'), 'delivered|3|10',
	'the batch was delivered at the third attempt');
is(last_batch($node, 'meta_main', 'last_error'), '', 'a delivered batch has no last_error');
like(last_batch($node, 'meta_main', 'previous_error'), qr/503|Please retry your request later/,
	'its previous_error keeps the 503');
is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'tr-%' AND last_error IS NULL
	AND previous_error ~ '503|Please retry' AND reason IS NULL}),
	'10', 'its events read delivered without an error, the 503 kept in previous_error');
my $stats = server_stats();
is($stats->{requests},         3,  'three requests reached the platform');
is($stats->{faulted_requests}, 2,  'two of them faulted');
is($stats->{accepted_events},  10, '10 events accepted');
is($stats->{duplicate_events}, 0,  'no duplicates');

# --- 429 with Retry-After: 2 -----------------------------------------------------------------------
reset_server();
add_faults({ status => 429, retry_after => 2 });
my $inserted_at = time();
insert_events($node, 5, 'ra-');
wait_for_status_counts($node, 'meta_main', 'ra-', { delivered => 5 });
{
	my @events = grep { $_->{event_id} =~ /^ra-/ } recorded_events();
	is(scalar @events, 5, '5 events received');
	my $received_ms = (sort { $a <=> $b } map { $_->{received_at_ms} } @events)[0] // 0;
	my $claimed_ms = last_batch($node, 'meta_main', '(extract(epoch FROM claimed_at) * 1000)::bigint');
	note(sprintf('resent %d ms after the claim, %d ms after the INSERT', $received_ms - $claimed_ms,
		$received_ms - $inserted_at * 1000));
	cmp_ok($received_ms - $claimed_ms,
		'>=', 2000, 'the resend came >= 2 s after the batch was claimed (before its first try)');
	cmp_ok($received_ms - $inserted_at * 1000, '<', 10000, 'and not much later');
	is(last_batch($node, 'meta_main', 'status, attempts'), 'delivered|2', 'delivered at the second attempt');
	is(server_stats()->{requests}, 2, 'two requests reached the platform');
}

# --- a permanently rejected event is isolated by splitting -----------------------------------------
reset_server();
add_faults({ reject_event_id => 'bad-7' });
insert_events($node, 20, 'bad-');
wait_for_status_counts($node, 'meta_main', 'bad-', { delivered => 19, failed => 1 });
is(sql(q{SELECT event_id FROM capi.delivery_status WHERE event_id LIKE 'bad-%' AND status = 'failed'}),
	'bad-7', 'the failed event is bad-7');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'bad-7'}),
	qr/rejected by a reject_event_id fault rule/, 'its last_error carries the platform\'s message');
$stats = server_stats();
is($stats->{accepted_events},  19, 'the platform accepted the other 19');
is($stats->{duplicate_events}, 0,  'none twice');
is(last_batch($node, 'meta_main', 'status, failed_events, last_error IS NULL'), 'partial|1|t',
	'the batch is partial with one failed event');
clear_faults();
is(sql(q{SELECT capi.retry_failed('meta_main')}), '0', 'a bare retry_failed leaves a permanent failure alone');
is(sql(q{SELECT capi.retry_failed('meta_main', include_permanent => true)}), '1', 'retry_failed requeues it when asked');
wait_for_status_counts($node, 'meta_main', 'bad-', { delivered => 20 });
is(server_stats()->{accepted_events}, 20, 'bad-7 accepted once the rule is gone');
is(sql(q{SELECT status, last_error IS NULL FROM capi.event_deliveries WHERE event_id = 'bad-7'}),
	'delivered|t', 'its event_deliveries row is delivered, error cleared');
like(sql(q{SELECT previous_error FROM capi.delivery_status WHERE event_id = 'bad-7'}),
	qr/rejected by a reject_event_id fault rule/, 'the error it failed with is kept in previous_error');

# --- a stale event fails alone, never sent ---------------------------------------------------------
reset_server();
insert_events($node, 5, 'st-',
	event_time => q{CASE WHEN g = 3 THEN now() - interval '8 days' ELSE now() END});
wait_for_status_counts($node, 'meta_main', 'st-', { delivered => 4, failed => 1 });
is(sql(q{SELECT event_id FROM capi.delivery_status WHERE event_id LIKE 'st-%' AND status = 'failed'}),
	'st-3', 'the failed event is the 8-day-old one');
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'st-3'}),
	qr/\b8(\.\d+)? days old/, 'the reason names its age');
is(scalar(grep { $_->{event_id} eq 'st-3' } recorded_events()), 0, 'it was never sent');
is(server_stats()->{accepted_events}, 4, 'its batch-mates were delivered');
is(server_stats()->{rejected_requests}, 0, 'and no request was rejected');

# --- invalid token: the destination pauses, no event fails -----------------------------------------
reset_server();
add_faults({ meta_error => { code => 190 }, count => 1 });
insert_events($node, 10, 'au-');
my $paused = sub { is_paused($node, 'meta_main') };
ok(wait_until($paused, 30), 'the destination is paused');
my $pause_reason = pause_reason($node, 'meta_main');
like($pause_reason, qr/OAuth|access token|190/i, 'pause_reason names the token error');
unlike($pause_reason, qr/\Q$TOKEN\E/, 'and does not hold the token');
sleep(1);    # proving that nothing fails or is resent while paused
is(delivery_count($node, 'failed', destination => 'meta_main', prefix => 'au-'), 0, 'no event failed');
is(server_stats()->{requests}, 1, 'no request sent while paused');
is(delivery_count($node, 'paused', destination => 'meta_main', prefix => 'au-'), 10,
	'capi.delivery_status shows the 10 events paused');
is(sql(q{SELECT count(*) FROM capi.delivery_status d JOIN capi.cursors c USING (destination)
	WHERE d.event_id LIKE 'au-%' AND d.reason = c.pause_reason AND d.next_attempt_at = c.paused_until}),
	'10', 'with the pause reason, and the end of the pause as next_attempt_at');
sql(q{UPDATE capi.destinations SET credentials = credentials WHERE name = 'meta_main'});
# The pause has >= 18 s to run: delivery within 8 s comes from the UPDATE, not from its expiry.
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_main', prefix => 'au-') == 10 }, 8),
	'UPDATE of the destination resumes it: 10 delivered')
  or diag(undelivered_rows($node, destination => 'meta_main', prefix => 'au-'));
is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'au-%' AND reason IS NULL
	AND last_error IS NULL}), '10', 'delivered: no reason, no last_error');
is(sql(q{SELECT paused_until IS NULL, pause_reason IS NULL FROM capi.cursors
	WHERE destination = 'meta_main'}),
	't|t', 'the pause is lifted in capi.cursors');
is(server_stats()->{accepted_events}, 10, 'all 10 accepted after the update');
# Should the UPDATE not have resumed it, let the pause expire so that what follows starts clean.
wait_for_status_counts($node, 'meta_main', 'au-', { delivered => 10 });

# --- a pause that expires on its own is cleared ------------------------------------------------------
reload_setting($node, "capi.auth_failure_pause = '2s'");
reset_server();
add_faults({ meta_error => { code => 190 }, count => 1 });
my $offset = -s $node->logfile;
insert_events($node, 3, 'ex-');
ok(wait_until($paused, 30), 'paused again');
wait_for_status_counts($node, 'meta_main', 'ex-', { delivered => 3 });
ok(wait_until(sub { sql(q{SELECT paused_until IS NULL AND pause_reason IS NULL FROM capi.cursors
	WHERE destination = 'meta_main'}) eq 't' }, 5), 'the expired pause is cleared in capi.cursors');
ok($node->log_contains(qr/pg_capi worker: destination "meta_main" resumed/, $offset), 'and "resumed" logged');
is(server_stats()->{accepted_events}, 3, 'its 3 events delivered');
reload_setting($node, "capi.auth_failure_pause = '20s'");

# --- a disabled destination: what it has not taken reads disabled; enabling it sends them ----------
reset_server();
sql(q{UPDATE capi.destinations SET enabled = false WHERE name = 'meta_main'});
insert_events($node, 4, 'di-');
sleep(1);    # the worker would have taken them by now
is(delivery_count($node, 'disabled', destination => 'meta_main', prefix => 'di-'), 4,
	'the events of a disabled destination read disabled');
like(sql(q{SELECT string_agg(DISTINCT reason, ',') FROM capi.delivery_status WHERE event_id LIKE 'di-%'}),
	qr/^destination disabled/, 'with the reason');
is(server_stats()->{requests}, 0, 'and nothing was sent');
sql(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_main'});
wait_for_status_counts($node, 'meta_main', 'di-', { delivered => 4 });

# --- connection resets, some after the platform accepted -------------------------------------------
reset_server();
add_faults([
	{ reset => JSON::PP::true, count => 3 },
	{ reset => JSON::PP::true, accept_events => JSON::PP::true, count => 2 } ]);
insert_events($node, 3000, 'rs-');
wait_for_status_counts($node, 'meta_main', 'rs-', { delivered => 3000 });
$stats = server_stats();
is($stats->{unique_event_keys}, 3000, 'every one of 3000 events reached the platform (nothing lost)');
is($stats->{accepted_events}, 3000 + $stats->{duplicate_events}, 'accepted = unique + duplicates');
is($stats->{faulted_requests}, 5, 'five requests were reset');
cmp_ok($stats->{duplicate_events},
	'<=', 2000, 'duplicates: at most the two accepted-then-reset requests (1000 each)');
note("connection resets: accepted_events $stats->{accepted_events}, "
	  . "duplicate_events $stats->{duplicate_events} "
	  . "(resent after a reset that followed acceptance)");

# --- capi.max_attempts ------------------------------------------------------------------------------
reload_setting($node, 'capi.max_attempts = 2');
reset_server();
my $ma_start = sql('SELECT now()');
add_faults({ status => 500, count => 10 });
insert_events($node, 5, 'ma-');
wait_for_status_counts($node, 'meta_main', 'ma-', { failed => 5 });
like(last_batch($node, 'meta_main', 'status, failed_events, last_error'), qr/^failed\|5\|gave up after 2 attempts/,
	'a batch whose every event failed reads failed, with the reason');
is(sql(q{SELECT count(*) FROM capi.delivery_status
	WHERE event_id LIKE 'ma-%' AND last_error LIKE 'gave up after 2 attempts%'}),
	'5', 'each last_error starts "gave up after 2 attempts"');
is(server_stats()->{requests}, 2, 'exactly two requests were sent');
clear_faults();
# (st-3, the stale event, is failed too: 'since' leaves it alone)
is(sql(qq{SELECT capi.retry_failed('meta_main', '$ma_start')}),
	'5', 'retry_failed(destination, since) requeues the 5');
wait_for_status_counts($node, 'meta_main', 'ma-', { delivered => 5 });
is(server_stats()->{accepted_events}, 5, 'the platform accepted them');
reload_setting($node, 'capi.max_attempts = 12');

# --- secrets and log --------------------------------------------------------------------------------
is(sql(qq{SELECT (SELECT count(*) FROM capi.batches WHERE last_error LIKE '%$TOKEN%')
	+ (SELECT count(*) FROM capi.event_deliveries WHERE last_error LIKE '%$TOKEN%')
	+ (SELECT count(*) FROM capi.batches WHERE previous_error LIKE '%$TOKEN%')
	+ (SELECT count(*) FROM capi.event_deliveries WHERE previous_error LIKE '%$TOKEN%')
	+ (SELECT count(*) FROM capi.cursors WHERE pause_reason LIKE '%$TOKEN%')}),
	'0', 'the token is in no error text');
is(sql(q{SELECT count(*) FROM capi.batches WHERE previous_error IS NOT NULL}) > 0 ? 1 : 0, 1,
	'(errors were recorded at all)');

is(sql(q{SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered' AND last_error IS NOT NULL}),
	'0', 'no delivered event reads as an error');
is(sql(q{SELECT count(*) FROM capi.batches WHERE status IN ('delivered', 'partial') AND last_error IS NOT NULL}),
	'0', 'no delivered or partial batch reads as an error');

stop_and_check_log($node);
my $own_log = CapiTest::log_without_statements($node);
like($own_log, qr/pg_capi worker: destination "meta_main" paused/, 'the pause was logged');
unlike($own_log, qr/\Q$TOKEN\E/, 'the token is not in the server log (the test\'s own statements aside)');

done_testing();
