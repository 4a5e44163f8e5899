#!/usr/bin/env bash
# Request-rate limit and coalescing under load (issue 9 §5): 200 single-event commits/s for 60 s to a
# destination limited to 5 requests/s (config.max_requests_per_second = 5). Goals: every event
# delivered, never more than 5 requests in any second, p99 commit -> arrival <= 1.5 s.
#
# Baseline in the same run: the same load to the same destination without a limit (the key absent from
# config: Meta has no default limit), run first. For both: requests sent, mean batch size, latency
# p50/p95/p99/max, the most requests that arrived within any 1000 ms; then requests saved by the limit.
#
# Destination: one Meta destination pointing at the loopback test server (build/capi_test_server) on the
# same machine. Between the two runs the only change is an UPDATE of its config (the worker picks it up
# as a user's change); the limited run starts once the baseline's events were all delivered.
#
# Load: pgbench -n -R 200 -c 2 -j 2 -T SECONDS (Poisson arrivals averaging 200/s), each transaction one
# INSERT of one event into capi.outbox (raw identifiers, hashed by the trigger) whose
# custom_data.order_id is clock_timestamp() in Unix ms, taken inside the INSERT. The server records each
# accepted event with its arrival time (received_at_ms, the same machine's clock), so received_at_ms -
# order_id is the latency: an upper bound on commit -> arrival (it also counts the rest of the INSERT and
# the commit itself, synchronous_commit = on).
# "Requests in any second" is the server's exact count (stats max_requests_per_second: the most requests
# that arrived within any sliding 1000 ms window).
#
# Prepared: nothing beyond what a user has -- a fresh cluster, the extension created, the destination
# inserted; no ANALYZE, no warm-up run, no CHECKPOINT.
#
# Checks (the exit status): every inserted event arrives, none twice, each is marked delivered, and the
# limited run never has more than the limit in any second. Missing the latency goal is reported, not a
# failure of this script.
# Starts its own throwaway cluster (pg_virtualenv -t, as bench/latency_bench.sh). Run as root after
# `make install`.
# Usage: bench/rate_limit_bench.sh [seconds] [rate] [limit]   (defaults 60 200 5)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}
RATE=${2:-200}
LIMIT=${3:-5}
GOAL_P99_MS=1500

# shellcheck source=bench/delivery_bench_lib.sh
. bench/delivery_bench_lib.sh
in_delivery_cluster RATE_LIMIT_BENCH_CLUSTER -o shared_buffers=256MB -o synchronous_commit=on -- "$@"
make_work_dir

psql -c 'CREATE EXTENSION IF NOT EXISTS pg_capi' 2>/dev/null || { echo "pg_capi is not installed" >&2; exit 2; }
start_server --record "$WORK/events.jsonl"
echo "rate-limit benchmark: $RATE single-event commits/s for $DURATION s, limit $LIMIT requests/s," \
    "test server at $SERVER_URL, $(nproc) cores, load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "pg_capi $(psql -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'")," \
    "capi.batch_size=$(psql -At -c 'SHOW capi.batch_size')," \
    "capi.max_concurrent_requests=$(psql -At -c 'SHOW capi.max_concurrent_requests')"

psql <<SQL
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta_main', 'meta', '{"pixel_id": "$META_PIXEL", "api_version": "v25.0"}',
        '{"access_token": "$META_TOKEN"}', '$SERVER_URL');
SQL

# pgbench_insert PREFIX: one event per transaction at $RATE/s for $DURATION s; prints pgbench's summary.
pgbench_insert() {
    cat >"$WORK/insert.sql" <<SQL
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('$1' || gen_random_uuid(), 'Purchase', 'https://shop.example/checkout',
        '{"email": "Customer@Example.com", "phone": "+1 (650) 555-1212",
          "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}',
        jsonb_build_object('value', 1, 'currency', 'USD',
                           'order_id', (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text));
SQL
    pgbench -n -R "$RATE" -T "$DURATION" -c 2 -j 2 -f "$WORK/insert.sql" 2>&1 |
        grep -E '^(number of transactions actually processed|number of failed|latency average|rate limit schedule lag|tps)' || true
}

# run LABEL PREFIX CONFIG_JSON: sets the destination's config, loads, waits for delivery; sets R_* for LABEL.
run() {
    local label=$1 prefix=$2 config=$3 inserted delivered duplicates stats
    psql -c "UPDATE capi.destinations SET config = '$config' WHERE name = 'meta_main'"
    sleep 1 # the worker reloads the destination on the change (a settings generation bump)
    reset_server # also truncates the record file
    echo
    echo "== $label: config $config"
    pgbench_insert "$prefix" | sed 's/^/  /'
    inserted=$(psql -At -c "SELECT count(*) FROM capi.outbox WHERE event_id LIKE '$prefix%'")
    wait_stat accepted_events "$inserted" 60 || true
    # The acknowledgement is written after the reply arrives: give it a moment.
    for _ in $(seq 1 100); do
        delivered=$(psql -At -c "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered' AND event_id LIKE '$prefix%'")
        [ "$delivered" -lt "$inserted" ] || break
        sleep 0.1
    done
    stats=$(control GET /__control/stats)
    jq -r --arg p "$prefix" 'select(.event_id | startswith($p)) | .received_at_ms - (.event.custom_data.order_id | tonumber)' \
        "$WORK/events.jsonl" >"$WORK/latency_$prefix"
    local p50 p95 p99 max n
    read -r p50 p95 p99 max n <<<"$(percentiles "$WORK/latency_$prefix")"
    duplicates=$(jq -r '.duplicate_events' <<<"$stats")
    local requests events max_rps
    requests=$(jq -r '.platforms.meta.requests // 0' <<<"$stats")
    events=$(jq -r '.platforms.meta.accepted_events // 0' <<<"$stats")
    max_rps=$(jq -r '.platforms.meta.max_requests_per_second // 0' <<<"$stats")
    echo "  events inserted $inserted, arrived $n, duplicates $duplicates, delivered (delivery_status) $delivered"
    echo "  requests $requests, most in any 1000 ms $max_rps, batch sizes" \
        "$(jq -r '.batch_sizes | to_entries | sort_by(.key | tonumber) | map("\(.key)x\(.value)") | join(" ")' <<<"$stats")"
    echo "  latency (insert time -> arrival, ms): p50 $p50, p95 $p95, p99 $p99, max $max"
    [ "$n" = "$inserted" ] || fail "$label: $inserted events inserted, $n arrived"
    [ "$duplicates" = 0 ] || fail "$label: $duplicates duplicate events at the server"
    [ "$delivered" = "$inserted" ] || fail "$label: $delivered of $inserted marked delivered"
    printf -v "R_$label" '%s' "$requests $events $max_rps $p50 $p95 $p99 $max $n"
}

BASE_CONFIG="{\"pixel_id\": \"$META_PIXEL\", \"api_version\": \"v25.0\"}"
LIMITED_CONFIG="{\"pixel_id\": \"$META_PIXEL\", \"api_version\": \"v25.0\", \"max_requests_per_second\": $LIMIT}"
run baseline unl- "$BASE_CONFIG"
run limited lim- "$LIMITED_CONFIG"

# shellcheck disable=SC2154 # R_baseline and R_limited are set by run (printf -v)
read -r B_REQ B_EV B_MAXRPS B_P50 B_P95 B_P99 B_MAX B_N <<<"$R_baseline"
# shellcheck disable=SC2154
read -r L_REQ L_EV L_MAXRPS L_P50 L_P95 L_P99 L_MAX L_N <<<"$R_limited"
[ "$L_MAXRPS" -le "$LIMIT" ] || fail "limited: $L_MAXRPS requests arrived within one second (limit $LIMIT)"

echo
echo "$RATE single-event commits/s for $DURATION s, one Meta destination (same run; latency: insert time -> arrival, ms)"
printf '%-34s %9s %10s %9s %7s %7s %7s %7s %7s\n' what requests mean_batch max_req/s p50 p95 p99 max events
row() {
    printf '%-34s %9s %10s %9s %7s %7s %7s %7s %7s\n' "$1" "$2" \
        "$(awk -v e="$3" -v r="$2" 'BEGIN { printf "%.1f", (r > 0 ? e / r : 0) }')" "$4" "$5" "$6" "$7" "$8" "$9"
}
row "baseline: no limit" "$B_REQ" "$B_EV" "$B_MAXRPS" "$B_P50" "$B_P95" "$B_P99" "$B_MAX" "$B_N"
row "max_requests_per_second = $LIMIT" "$L_REQ" "$L_EV" "$L_MAXRPS" "$L_P50" "$L_P95" "$L_P99" "$L_MAX" "$L_N"
awk -v b="$B_REQ" -v l="$L_REQ" -v m="$L_MAXRPS" -v lim="$LIMIT" -v p="$L_P99" -v g="$GOAL_P99_MS" 'BEGIN {
    if (l > 0) printf "requests saved: %d (%.1f%%), baseline / limited = %.1fx\n", b - l, 100 * (b - l) / b, b / l
    printf "never more than %d requests in any second: %s (most: %d)\n", lim, (m <= lim ? "met" : "NOT met"), m
    printf "p99 commit -> arrival <= %d ms: %s (%s ms)\n", g, (p <= g ? "met" : "NOT met"), p
}'
[ "$FAILED" = 0 ] && echo "correctness (every event delivered once, limit kept): OK" || echo "correctness: FAILED"
exit "$FAILED"
