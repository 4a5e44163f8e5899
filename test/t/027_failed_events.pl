# Failed events can be fixed or put away (issue 11): an event the platform refuses fails as
# 'permanent' and a bare capi.retry_failed() leaves it alone; capi.correct_failed() fixes its data and
# resends it under the same event_id, which the platform then receives once with the new data; and
# capi.failed_retention discards failed events so that their outbox rows are purged.
use strict;
use warnings;
use Digest::SHA qw(sha256_hex);
use JSON::PP;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $node = new_capi_node('failed_events');
add_meta_destination($node, 'meta_main');

sub sql { return $node->safe_psql('postgres', $_[0]); }

# --- the platform refuses one event: it fails as permanent ------------------------------------------
add_faults({ reject_event_id => 'fx-2' });
insert_events($node, 3, 'fx-');
ok( wait_until(
		sub { delivery_status_of($node, 'fx-2') eq 'failed' && delivery_status_of($node, 'fx-3') eq 'delivered' }, 30),
	'fx-2 failed, the others were delivered');
is(sql(q{SELECT failure_kind, last_error ~ 'reject_event_id' FROM capi.event_deliveries WHERE event_id = 'fx-2'}),
	'permanent|t', 'the worker recorded it as a permanent failure, with the platform\'s words');
is(scalar(grep { $_->{event_id} eq 'fx-2' } recorded_events()), 0, 'the platform has not accepted it');
clear_faults();
is(sql(q{SELECT capi.retry_failed('meta_main')}), '0', 'a bare retry_failed leaves a permanent failure alone');
is(delivery_status_of($node, 'fx-2'), 'failed', 'still failed');

# --- corrected and resent under the same event_id ----------------------------------------------------
my $id_before = sql(q{SELECT id || '/' || txid FROM capi.outbox WHERE event_id = 'fx-2'});
like(sql(q{SELECT capi.correct_failed('fx-2', 'meta_main',
	user_data => '{"email": " Fixed@Example.com ", "client_user_agent": "Mozilla/5.0"}',
	custom_data => '{"value": 99.5, "currency": "EUR"}')}), qr/^\d+$/, 'correct_failed returns the correction id');
ok(wait_until(sub { delivery_status_of($node, 'fx-2') eq 'delivered' }, 30), 'the corrected event is delivered');
my @received = grep { $_->{event_id} eq 'fx-2' } recorded_events();
is(scalar @received, 1, 'the platform received fx-2 once');
my $event = $received[0]{event} // {};
is($event->{event_id}, 'fx-2', 'under the same event_id');
is($event->{custom_data}{value}, 99.5, 'with the corrected value');
is($event->{custom_data}{currency}, 'EUR', 'and currency');
is_deeply($event->{user_data}{em}, [ sha256_hex('fixed@example.com') ],
	'and the corrected email, normalized and hashed as on INSERT');
is(server_stats()->{duplicate_events}, 0, 'no duplicate reached the platform');
is(sql(q{SELECT id || '/' || txid FROM capi.outbox WHERE event_id = 'fx-2'}), $id_before,
	'the outbox row kept its id and place in the delivery order');
is(sql(q{SELECT count(*) FROM capi.outbox WHERE user_data::text ILIKE '%fixed%'}), '0',
	'no raw identifier rests in the outbox');
is(sql(q{SELECT destination, changed_columns, previous_failure_kind, previous_error ~ 'reject_event_id',
	corrected_by = current_user FROM capi.corrections WHERE event_id = 'fx-2'}),
	'meta_main|{user_data,custom_data}|permanent|t|t', 'the correction is audited');
is(sql(q{SELECT status, last_error IS NULL FROM capi.event_deliveries WHERE event_id = 'fx-2'}),
	'delivered|t', 'its delivery row reads delivered');

# --- capi.failed_retention discards old failures; their rows are then purged --------------------------
add_faults({ reject_event_id => 'fy-1' });
insert_events($node, 1, 'fy-');
ok(wait_until(sub { delivery_status_of($node, 'fy-1') eq 'failed' }, 30), 'fy-1 failed');
clear_faults();
my $offset = -s $node->logfile;
reload_setting($node, "capi.failed_retention = '1s'");
ok(wait_until(sub { delivery_status_of($node, 'fy-1') eq 'discarded' }, 30), 'failed_retention discarded fy-1');
is(sql(q{SELECT discarded_by, last_error ~ 'reject_event_id', failure_kind FROM capi.event_deliveries
	WHERE event_id = 'fy-1'}), 'capi.failed_retention|t|permanent', 'who discarded it, the reason kept');
is(sql(q{SELECT reason FROM capi.delivery_status WHERE event_id = 'fy-1'}), 'discarded by capi.failed_retention',
	'delivery_status says why');
$node->wait_for_log(qr/1 failed event\(s\) older than capi.failed_retention discarded/, $offset);
# A discarded event no longer holds back the purge of its outbox row.
reload_setting($node, "capi.delivered_retention = '1s'");
ok(wait_until(sub { sql(q{SELECT count(*) FROM capi.outbox WHERE event_id = 'fy-1'}) eq '0' }, 30),
	'its outbox row is purged');
is(sql(q{SELECT count(*) FROM capi.event_deliveries WHERE event_id = 'fy-1'}), '0', 'with its delivery row');
is(scalar(grep { $_->{event_id} eq 'fy-1' } recorded_events()), 0, 'it was never sent again');

stop_and_check_log($node);
done_testing();
