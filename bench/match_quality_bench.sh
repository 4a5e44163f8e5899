#!/usr/bin/env bash
# What match quality costs (docs/match-quality.md "Cost"), in one throwaway cluster:
#  1. INSERT throughput of capi.outbox (the workload of bench/outbox_insert_bench.sh, pgbench -c 8),
#     alternating three setups in the same run: 0.6.0 as installed; without the outbox_created_day
#     index; without the index and without the dedup audit (dropping capi.rejected_duplicates turns
#     the trigger's key probe off). Then the same INSERT with ON CONFLICT DO NOTHING where 1 row in 20
#     is a retry of an existing event (each retry records an audit row).
#  2. The report views on a filled outbox spread over 10 days: a one-day query (through the day index)
#     against the whole table, with JIT off (JIT compilation costs more than these queries: one line
#     shows it on).
# Run as root after `make install`.
# Usage: bench/match_quality_bench.sh [seconds per run] [rounds] [report rows]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-10}
ROUNDS=${2:-2}
REPORT_ROWS=${3:-200000}

if [ -z "${PGHOST:-}" ]; then
    exec pg_virtualenv -t -o shared_preload_libraries=pg_capi -o shared_buffers=512MB -o synchronous_commit=on \
        -o max_wal_size=4GB "$0" "$@"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
psql -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION pg_capi'
# The audit table and its view leave the extension here, so that rounds may drop and recreate them;
# the view's definition is kept to recreate it for part 2.
AUDIT_VIEW=$(psql -X -At -c "SELECT pg_get_viewdef('capi.dedup_audit')")
psql -X -q -v ON_ERROR_STOP=1 -c 'ALTER EXTENSION pg_capi DROP VIEW capi.dedup_audit' \
     -c 'ALTER EXTENSION pg_capi DROP TABLE capi.rejected_duplicates'

USER_DATA="jsonb_build_object('email', 'Customer.' || :n || '@Example.com', 'phone', '(650) 555-' || lpad((:n % 10000)::text, 4, '0'),
                       'first_name', 'Mary', 'last_name', 'O''Brien', 'city', 'New York', 'state', 'NY',
                       'zip', '10001', 'country', 'US', 'client_ip_address', '203.0.113.7',
                       'client_user_agent', 'Mozilla/5.0', 'fbp', 'fb.1.1558571054389.' || :n)"
printf "\\\\set n random(1, 100000000)\nINSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data) VALUES (gen_random_uuid()::text, 'Purchase', 'https://shop.example/checkout', %s, '{\"value\": 12.5, \"currency\": \"USD\"}');\n" \
    "$USER_DATA" >"$WORK/insert.sql"
# 1 in 20 a retry of one of the first 1,000 events of the run (event_id 'r-<k>'), else a new event.
printf "\\\\set n random(1, 100000000)\n\\\\set k random(1, 20000)\nINSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data) VALUES (CASE WHEN :k <= 1000 THEN 'r-' || :k ELSE gen_random_uuid()::text END, 'Purchase', 'https://shop.example/checkout', %s, '{\"value\": 12.5, \"currency\": \"USD\"}') ON CONFLICT (event_name, event_id) DO NOTHING;\n" \
    "$USER_DATA" >"$WORK/retry.sql"

tps() { pgbench -n -c 8 -j 2 -T "$SECONDS_PER_RUN" -f "$1" 2>/dev/null | sed -nE 's/^tps = ([0-9.]+).*/\1/p'; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (b > a ? b : a) }'; }

# Setups are switched between rounds: create/drop the index and the audit table.
full=0 noindex=0 noaudit=0
for round in $(seq 1 "$ROUNDS"); do
    psql -X -q -c "SET client_min_messages = warning" \
         -c "CREATE INDEX IF NOT EXISTS outbox_created_day ON capi.outbox (((created_at AT TIME ZONE 'UTC')::date))" \
         -c "CREATE TABLE IF NOT EXISTS capi.rejected_duplicates (destination text NOT NULL, event_name text NOT NULL, event_id text NOT NULL, rejected_at timestamptz NOT NULL DEFAULT now())" \
         -c "GRANT SELECT, DELETE ON capi.rejected_duplicates TO capi_worker"
    f=$(tps "$WORK/insert.sql")
    psql -X -q -c 'DROP INDEX capi.outbox_created_day'
    i=$(tps "$WORK/insert.sql")
    psql -X -q -c 'DROP TABLE capi.rejected_duplicates CASCADE'
    a=$(tps "$WORK/insert.sql")
    echo "round $round: 0.6.0 $f tps, without day index $i tps, without index and audit $a tps"
    full=$(best "$full" "$f"); noindex=$(best "$noindex" "$i"); noaudit=$(best "$noaudit" "$a")
done
psql -X -q -c "SET client_min_messages = warning" \
     -c "CREATE INDEX IF NOT EXISTS outbox_created_day ON capi.outbox (((created_at AT TIME ZONE 'UTC')::date))" \
     -c "CREATE TABLE IF NOT EXISTS capi.rejected_duplicates (destination text NOT NULL, event_name text NOT NULL, event_id text NOT NULL, rejected_at timestamptz NOT NULL DEFAULT now())" \
     -c "GRANT SELECT, DELETE ON capi.rejected_duplicates TO capi_worker"
r=$(tps "$WORK/retry.sql")
rejected=$(psql -X -At -c 'SELECT count(*) FROM capi.rejected_duplicates')
awk -v f="$full" -v i="$noindex" -v a="$noaudit" -v r="$r" -v n="$rejected" 'BEGIN {
    printf "\nINSERT with raw identifiers, pgbench -c 8 (best of rounds)\n"
    printf "%-52s %8.0f tps\n", "without day index and dedup audit (0.5.0 path)", a
    printf "%-52s %8.0f tps  %+.1f%%\n", "+ dedup audit probe", i, (i / a - 1) * 100
    printf "%-52s %8.0f tps  %+.1f%%\n", "+ outbox_created_day index (0.6.0)", f, (f / a - 1) * 100
    printf "%-52s %8.0f tps  (%d audit rows; no destination: 0 rows per retry)\n", "0.6.0, ON CONFLICT DO NOTHING, 1 in 20 a retry", r, n
}'

# 2. The report views over REPORT_ROWS events and two destinations, spread over 10 days.
psql -X -q -v ON_ERROR_STOP=1 -c "CREATE VIEW capi.dedup_audit AS $AUDIT_VIEW"
psql -X -q -v ON_ERROR_STOP=1 <<SQL
TRUNCATE capi.outbox;
INSERT INTO capi.destinations (name, platform, config, credentials)
VALUES ('meta_main', 'meta', '{"pixel_id": "1234567890"}', '{"access_token": "EAA-not-real"}'),
       ('google_ads', 'google', '{"operating_account_id": "1234567890", "conversion_actions": {"Purchase": "1"}}',
        '{"access_token": "ya29.not-real"}');
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT 'e-' || n, CASE WHEN n % 5 = 0 THEN 'Lead' ELSE 'Purchase' END, 'https://shop.example/checkout',
       jsonb_build_object('email', CASE WHEN n % 3 <> 0 THEN 'Customer.' || n || '@Example.com' END,
                          'phone', CASE WHEN n % 2 = 0 THEN '(650) 555-' || lpad((n % 10000)::text, 4, '0') END,
                          'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0',
                          'fbp', 'fb.1.1558571054389.' || n),
       '{"value": 12.5, "currency": "USD"}'
FROM generate_series(1, $REPORT_ROWS) n;
-- Spread over 10 days (the trigger sets created_at and refuses UPDATE: switched off for this only).
ALTER TABLE capi.outbox DISABLE TRIGGER USER;
UPDATE capi.outbox SET created_at = created_at - (id % 10) * interval '1 day';
ALTER TABLE capi.outbox ENABLE TRIGGER USER;
VACUUM ANALYZE capi.outbox;
SQL
timed() { # prints the best of 3 execution times of a query, in ms (JIT off unless $2 = on)
    for _ in 1 2 3; do
        psql -X -At -c "SET jit = ${2:-off}" -c "EXPLAIN (ANALYZE, FORMAT JSON) $1" | sed -nE 's/.*"Execution Time": ([0-9.]+).*/\1/p'
    done | sort -n | head -1
}
one_day="WHERE day = (now() AT TIME ZONE 'UTC')::date - 3"
echo
echo "capi.match_quality_report and capi.dedup_audit, $REPORT_ROWS events x 2 destinations over 10 days"
printf "%-45s %8s ms\n" "match_quality_report, one day" "$(timed "SELECT * FROM capi.match_quality_report $one_day")"
printf "%-45s %8s ms\n" "match_quality_report, all days" "$(timed 'SELECT * FROM capi.match_quality_report')"
printf "%-45s %8s ms\n" "dedup_audit, one day" "$(timed "SELECT * FROM capi.dedup_audit $one_day")"
printf "%-45s %8s ms\n" "dedup_audit, all days" "$(timed 'SELECT * FROM capi.dedup_audit')"
printf "%-45s %8s ms\n" "match_quality_report, all days, jit = on" "$(timed 'SELECT * FROM capi.match_quality_report' on)"
printf "%-45s %8s ms\n" "count(*) FROM capi.outbox (for scale)" "$(timed 'SELECT count(*) FROM capi.outbox')"
psql -X -At -c "EXPLAIN SELECT * FROM capi.match_quality_report $one_day" | grep -m1 -E 'outbox_created_day' \
    | sed 's/^ */one-day plan: /'
