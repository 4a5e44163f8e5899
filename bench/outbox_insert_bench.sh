#!/usr/bin/env bash
# INSERT into capi.outbox with raw identifiers (validated and hashed by the row trigger) vs INSERT of
# the same rows into a plain table with the same columns, under pgbench -c 8, in one run, alternating
# the workloads. Goal (issue "Dispatch core"): outbox >= 0.5x the plain table. Also measured: the same
# INSERT with ON CONFLICT (event_name, event_id) DO NOTHING, the retry-safe form README recommends,
# where the trigger also probes the unique key for the dedup audit (docs/match-quality.md); no goal.
# Starts its own throwaway cluster (pg_virtualenv). Run as root after `make install`.
# Usage: bench/outbox_insert_bench.sh [seconds per run] [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-15}
ROUNDS=${2:-2}

if [ -z "${PGHOST:-}" ]; then
    exec pg_virtualenv -t -o shared_preload_libraries=pg_capi -o shared_buffers=512MB -o synchronous_commit=on \
        -o max_wal_size=4GB "$0" "$@"
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
psql -X -q -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION pg_capi;
-- The same columns, no trigger, no constraint: the strictest baseline.
CREATE TABLE plain_outbox (LIKE capi.outbox INCLUDING DEFAULTS EXCLUDING IDENTITY);
ALTER TABLE plain_outbox ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY;
SQL

ROW="gen_random_uuid()::text, 'Purchase', 'https://shop.example/checkout',
    jsonb_build_object('email', 'Customer.' || :n || '@Example.com', 'phone', '(650) 555-' || lpad((:n % 10000)::text, 4, '0'),
                       'first_name', 'Mary', 'last_name', 'O''Brien', 'city', 'New York', 'state', 'NY',
                       'zip', '10001', 'country', 'US', 'client_ip_address', '203.0.113.7',
                       'client_user_agent', 'Mozilla/5.0', 'fbp', 'fb.1.1558571054389.' || :n),
    '{\"value\": 12.5, \"currency\": \"USD\"}'"
COLUMNS="event_id, event_name, event_source_url, user_data, custom_data"
printf '\\set n random(1, 100000000)\nINSERT INTO capi.outbox (%s) VALUES (%s);\n' "$COLUMNS" "$ROW" >"$WORK/outbox.sql"
printf '\\set n random(1, 100000000)\nINSERT INTO plain_outbox (%s) VALUES (%s);\n' "$COLUMNS" "$ROW" >"$WORK/plain.sql"
printf '\\set n random(1, 100000000)\nINSERT INTO capi.outbox (%s) VALUES (%s) ON CONFLICT (event_name, event_id) DO NOTHING;\n' \
    "$COLUMNS" "$ROW" >"$WORK/conflict.sql"

tps() { pgbench -n -c 8 -j 2 -T "$SECONDS_PER_RUN" -f "$1" 2>/dev/null | sed -nE 's/^tps = ([0-9.]+).*/\1/p'; }
best_outbox=0
best_plain=0
best_conflict=0
for round in $(seq 1 "$ROUNDS"); do
    p=$(tps "$WORK/plain.sql")
    o=$(tps "$WORK/outbox.sql")
    c=$(tps "$WORK/conflict.sql")
    echo "round $round: plain table $p tps, capi.outbox $o tps, with ON CONFLICT DO NOTHING $c tps"
    best_plain=$(awk -v a="$best_plain" -v b="$p" 'BEGIN { print (b > a ? b : a) }')
    best_outbox=$(awk -v a="$best_outbox" -v b="$o" 'BEGIN { print (b > a ? b : a) }')
    best_conflict=$(awk -v a="$best_conflict" -v b="$c" 'BEGIN { print (b > a ? b : a) }')
done
psql -X -At -c "SELECT 'rows: capi.outbox ' || (SELECT count(*) FROM capi.outbox) || ', plain ' || (SELECT count(*) FROM plain_outbox)"
psql -X -At -c "SELECT 'raw PII in capi.outbox rows: ' || count(*) FROM capi.outbox WHERE user_data::text ~* 'example\.com|o''brien|mary'"
awk -v o="$best_outbox" -v p="$best_plain" -v c="$best_conflict" 'BEGIN {
    printf "\nINSERT with raw identifiers, pgbench -c 8 (best round)\n"
    printf "%-40s %10.0f tps\n", "plain table, same columns", p
    printf "%-40s %10.0f tps  %.2fx (goal >= 0.5x)\n", "capi.outbox (validated + hashed)", o, o / p
    printf "%-40s %10.0f tps  %.2fx\n", "capi.outbox, ON CONFLICT DO NOTHING", c, c / p
}'
