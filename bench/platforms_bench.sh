#!/usr/bin/env bash
# Platforms benchmark (issue 9 §6): N committed events (default 200,000) to the eight destinations of
# demo/all_platforms.sql (Meta, Google Data Manager, Google Ads, TikTok, LinkedIn, Snap, Reddit,
# Pinterest), i.e. 8 x N deliveries, all to the loopback stand-in (build/capi_test_server, on the same
# machine: its CPU is included). Goal: >= 100,000 deliveries/s, nothing lost. The baseline, measured in
# the same run on the same machine: the same N events to Meta alone.
#
# What it prepares: a throwaway cluster (pg_virtualenv -t), the destinations disabled, the N events
# committed (hashed at INSERT), CHECKPOINT; no ANALYZE, no warm-up. Then every destination is enabled at
# once and the clock runs until the server has accepted 8 x N events. Rate limits: each destination's
# config sets max_requests_per_second = 100000, because the stand-in has none; with the platforms' own
# defaults the run would measure them instead (Reddit's 1 request/s alone makes 1,000 events/s).
# Google and LinkedIn obtain OAuth tokens from the stand-in first (included in the time).
# Usage: bench/platforms_bench.sh [events]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-200000}

# shellcheck source=bench/delivery_bench_lib.sh
. bench/delivery_bench_lib.sh
in_delivery_cluster PLATFORMS_BENCH_CLUSTER -o shared_buffers=512MB -o max_wal_size=4GB \
    -o checkpoint_timeout=30min -- "$@"
make_work_dir
start_server --recent-events 1
psql -c 'CREATE EXTENSION pg_capi' 2>/dev/null
psql -f bench/baseline_drain.sql >/dev/null
psql -v url="$SERVER_URL" -f demo/all_platforms.sql
psql -c "UPDATE capi.destinations SET enabled = false,
                config = config || '{\"max_requests_per_second\": 100000}',
                credentials = CASE WHEN platform = 'meta' THEN '{\"access_token\": \"$META_TOKEN\"}' ELSE credentials END"
echo "platforms benchmark: $EVENTS events x 8 destinations, test server at $SERVER_URL, $(nproc) cores," \
    "PostgreSQL $(psql -At -c 'SHOW server_version'), pg_capi $(psql -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'")"

worker_pids() {
    psql -At -c "SELECT string_agg(pid::text, ' ' ORDER BY pid) FROM pg_stat_activity WHERE backend_type ILIKE '%capi%'"
}

# run PREFIX DESTINATIONS(SQL list) COUNT_OF_DESTINATIONS: loads N events for those destinations,
# enables them, waits for N x count accepted events; sets RATE (deliveries/s), ELAPSED_MS, CPU_MS.
run() {
    local prefix=$1 list=$2 n=$3 t0 end pids cpu0 cpu1 target
    t0=$(now_ms)
    psql -c "INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
             SELECT event_id, event_name, event_source_url,
                    jsonb_build_object('email', email, 'phone', phone, 'client_ip_address', client_ip_address,
                                       'client_user_agent', client_user_agent),
                    custom_data, ARRAY[$list]
             FROM bench_raw_events('$prefix', $EVENTS)"
    echo "  loaded $EVENTS events in $(( ($(now_ms) - t0) )) ms (hashing at INSERT, not timed)"
    psql -c 'CHECKPOINT'
    reset_server
    pids=$(worker_pids)
    # shellcheck disable=SC2086
    cpu0=$(cpu_ms $pids)
    target=$((EVENTS * n))
    t0=$(now_ms)
    psql -c "UPDATE capi.destinations SET enabled = true WHERE name IN ($list)"
    wait_stat accepted_events "$target" $((120 + target / 5000)) || echo "  TIMED OUT: $(stat_value accepted_events) of $target"
    end=$(now_ms)
    # shellcheck disable=SC2086
    cpu1=$(cpu_ms $pids)
    ELAPSED_MS=$((end - t0))
    CPU_MS=$([ -n "$cpu1" ] && echo $((cpu1 - cpu0)) || echo "n/a")
    RATE=$(awk -v n="$target" -v ms="$ELAPSED_MS" 'BEGIN { printf "%.0f", n / (ms / 1000) }')
    echo "  $(server_summary)"
    echo "  per platform: $(control GET /__control/stats | jq -c '.platforms | map_values(.accepted_events)')"
    echo "  duplicates $(stat_value duplicate_events), worker CPU $CPU_MS ms over $ELAPSED_MS ms"
    psql -c "UPDATE capi.destinations SET enabled = false"
}

ALL="'meta_shop', 'google_dm', 'google_ads', 'tiktok_shop', 'linkedin_shop', 'snap_shop', 'reddit_shop', 'pinterest_shop'"
FAILED=0
echo
echo "== all eight destinations"
run a- "$ALL" 8
ALL_RATE=$RATE
ALL_DUPLICATES=$(stat_value duplicate_events)
[ "$(stat_value accepted_events)" -ge $((EVENTS * 8)) ] || FAILED=1
[ "$ALL_DUPLICATES" = 0 ] || FAILED=1
psql -c 'ANALYZE capi.batches, capi.outbox' # verification only, after the clock stopped
LEFT=$(psql -At -c "SELECT count(*) FROM capi.delivery_status WHERE event_id LIKE 'a-%' AND status <> 'delivered'")
echo "  capi.delivery_status: $LEFT of $((EVENTS * 8)) not delivered"
[ "$LEFT" = 0 ] || FAILED=1

echo
echo "== baseline: Meta alone"
run m- "'meta_shop'" 1
META_RATE=$RATE

echo
printf '%-46s %14s\n' what "deliveries/s"
printf '%-46s %14s\n' "pg_capi, 8 destinations (8 x $EVENTS)" "$ALL_RATE"
printf '%-46s %14s\n' "pg_capi, Meta alone ($EVENTS)" "$META_RATE"
echo "ratio (8 destinations / Meta alone): $(awk -v a="$ALL_RATE" -v b="$META_RATE" 'BEGIN { printf "%.2f", a / b }')"
if [ "$ALL_RATE" -ge 100000 ]; then echo "goal >= 100,000 deliveries/s: met"; else echo "goal >= 100,000 deliveries/s: NOT met"; fi
[ "$FAILED" = 0 ] && echo "correctness: OK (every delivery accepted once, every row delivered)" || { echo "CORRECTNESS FAILURE"; exit 1; }
