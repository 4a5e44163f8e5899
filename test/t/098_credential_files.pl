# Credentials from files the server reads (capi.credentials_directory): a Meta destination whose
# access_token is {"file": "meta_token"} delivers with the file's content, and the token is in no log
# line, last_error, pause_reason or capi.preview (this test never puts it in SQL, so the whole log
# is searched, statements included). A file readable by others, a missing file: the destination pauses
# with a reason naming the check; fixed and updated, it delivers. A name with '/' is refused at INSERT.
use strict;
use warnings;
use FindBin;
use lib $FindBin::RealBin;
use CapiTest;
use PostgreSQL::Test::Utils;
use Test::More;

start_test_server();
my $directory = PostgreSQL::Test::Utils::tempdir();
chmod(0700, $directory) or die;
my $node = new_capi_node('credential_files', conf => ["capi.credentials_directory = '$directory'"]);

sub sql { return $node->safe_psql('postgres', $_[0]); }

sub write_file {
	my ($name, $content, $mode) = @_;
	open(my $fh, '>', "$directory/$name") or die;
	print $fh $content;
	close($fh);
	chmod($mode, "$directory/$name") or die;
}

sub add_file_destination {
	my ($name, $file) = @_;
	my $url = server_url();
	sql(qq{INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
		VALUES ('$name', 'meta', '{"pixel_id": "$PIXEL", "api_version": "v25.0"}',
		        '{"access_token": {"file": "$file"}}', '$url')});
}

# --- a token from a file delivers ------------------------------------------------------------------
write_file('meta_token', "$TOKEN\n", 0600);    # the test server accepts only $TOKEN: the file is used
add_file_destination('meta_file', 'meta_token');
insert_events($node, 5, 'f-', destinations => "'meta_file'");
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_file') == 5 }),
	'the token read from the file delivers');
is(sql(q{SELECT credentials::text FROM capi.destinations WHERE name = 'meta_file'}),
	'{"access_token": {"file": "meta_token"}}', 'the table holds the file name only');

# An error whose text carries the token (as a platform may echo it): redacted, the file's content
# is in the worker's secrets list.
add_faults({ status => 400,
		body => qq({"error": {"message": "Invalid parameter for token $TOKEN", "type": "OAuthException", "code": 100}}) });
insert_events($node, 1, 'g-', destinations => "'meta_file'");
ok(wait_until(sub { delivery_count($node, 'failed', destination => 'meta_file') == 1 }),
	'an event answered with an error fails');
clear_faults();
like(sql(q{SELECT last_error FROM capi.delivery_status WHERE event_id = 'g-1'}), qr/\[REDACTED\]/,
	'last_error: the token echoed by the platform is redacted');

my $preview = sql(q{SELECT capi.preview('f-1', 'meta_file')::text});
like($preview, qr/"data"/, 'capi.preview builds the request');
unlike($preview, qr/\Q$TOKEN\E|meta_token/, 'capi.preview shows neither the token nor the file name');

# --- a file readable by others is refused: paused with the check named --------------------------------
write_file('meta_open', "$TOKEN\n", 0644);
add_file_destination('meta_open', 'meta_open');
insert_events($node, 3, 'o-', destinations => "'meta_open'");
ok(wait_until(sub { pause_reason($node, 'meta_open') ne '' }), 'mode 0644: the destination pauses');
like(pause_reason($node, 'meta_open'), qr/credentials\.access_token: the credential file is accessible by group or others \(mode 0644; chmod 600 it\)/,
	'pause_reason names the key and the check');
is(delivery_count($node, 'delivered', destination => 'meta_open'), 0, 'nothing is delivered with it');
like(sql(q{SELECT string_agg(DISTINCT status || ': ' || reason, ', ') FROM capi.delivery_status WHERE destination = 'meta_open'}),
	qr/^paused: .*mode 0644/, 'capi.delivery_status: paused, with the reason');
chmod(0600, "$directory/meta_open") or die;
sql(q{UPDATE capi.destinations SET enabled = true WHERE name = 'meta_open'});    # any UPDATE ends the pause
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_open') == 3 }),
	'chmod 600 and an UPDATE: delivered');

# --- a missing file: paused, then found on the worker's reload ---------------------------------------
add_file_destination('meta_later', 'meta_later');
insert_events($node, 2, 'l-', destinations => "'meta_later'");
ok(wait_until(sub { pause_reason($node, 'meta_later') ne '' }), 'a missing file: the destination pauses');
like(pause_reason($node, 'meta_later'), qr/the credential file cannot be opened in capi\.credentials_directory \(No such file or directory\)/,
	'pause_reason says it cannot be opened');
write_file('meta_later', "$TOKEN\n", 0600);
reload_setting($node, 'capi.poll_interval = 1000');    # a reload reads the files again
ok(wait_until(sub { delivery_count($node, 'delivered', destination => 'meta_later') == 2 }),
	'the file written and a reload: delivered');

# --- refused at INSERT: a name that is not plain ----------------------------------------------------
my ($rc, $out, $err) = $node->psql('postgres', q{
	INSERT INTO capi.destinations (name, platform, config, credentials)
	VALUES ('meta_slash', 'meta', '{"pixel_id": "1"}', '{"access_token": {"file": "../meta_token"}}')},
	extra_params => ['-v', 'VERBOSITY=verbose']);
isnt($rc, 0, "a file name with '/' is refused at INSERT");
like($err, qr/22023: destination meta_slash: credentials\.access_token: the credential file's name must be a plain file name/,
	'with 22023 and the reason');

# --- the token is nowhere (read first, searched in Perl: the token never enters SQL text) -------------
my $log = slurp_file($node->logfile);
my $state = sql(q{SELECT concat_ws(' | ', (SELECT string_agg(concat(last_error, previous_error), ' ') FROM capi.batches),
		(SELECT string_agg(concat(last_error, previous_error), ' ') FROM capi.event_deliveries),
		(SELECT string_agg(pause_reason, ' ') FROM capi.cursors))});
like($state, qr/REDACTED/, 'the delivery state holds the redacted error');
unlike($state, qr/\Q$TOKEN\E/, 'the token is in no last_error, previous_error or pause_reason');
like($log, qr/destination "meta_open" paused: .*mode 0644/, 'the log says why meta_open paused');
unlike($log, qr/\Q$TOKEN\E/, 'the token is in no line of the server log');

stop_and_check_log($node);
done_testing();
