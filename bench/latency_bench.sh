#!/usr/bin/env bash
# Commit-to-arrival latency of pg_capi's delivery at a steady 100 events/s (issue goal: p99 <= 50 ms),
# against the loopback test server (build/capi_test_server) on the same machine.
#
# Load: pgbench -n -R 100 -c 2 -T SECONDS, each transaction inserting one event into capi.outbox (raw
# identifiers, hashed by the trigger) whose custom_data.order_id is clock_timestamp() in Unix ms, taken
# inside the INSERT. The server records each accepted event with its arrival time (received_at_ms, the
# same machine's clock), so received_at_ms - order_id is the latency. It is an upper bound on
# commit-to-arrival: it also counts the rest of the INSERT and the commit itself (WAL flush,
# synchronous_commit = on). A 3-second warm-up run is delivered and discarded first.
#
# Baseline in the same run: the loopback floor -- FLOOR_REQUESTS single-event Meta batches POSTed
# straight to the same server by curl, one process each; curl's time_total (connect + request + reply).
#
# Checks (the exit status): every inserted event arrives, none twice, each is marked delivered.
# Missing the 50 ms goal is reported, not a failure.
# Starts its own throwaway cluster (pg_virtualenv -t: in a temporary directory, so that it cannot collide
# with another root pg_virtualenv cluster, which would use /etc/postgresql/15/regress). Run as root after
# `make install`.
# Usage: bench/latency_bench.sh [seconds] [floor_requests]
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-60}
FLOOR_REQUESTS=${2:-200}
RATE=100
GOAL_MS=50

# shellcheck source=bench/delivery_bench_lib.sh
. bench/delivery_bench_lib.sh
in_delivery_cluster LATENCY_BENCH_CLUSTER -o shared_buffers=256MB -o synchronous_commit=on -- "$@"
make_work_dir

start_server --record "$WORK/events.jsonl"
echo "latency benchmark: $RATE events/s for $DURATION s, test server at $SERVER_URL, $(nproc) cores"

# ---------------------------------------------------------------------------------------------------
# Baseline: the loopback floor.
floor_run() {
    local i now
    : >"$WORK/floor_ms"
    for i in $(seq 1 "$FLOOR_REQUESTS"); do
        now=$(date +%s)
        curl -sS -f -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
            --data-binary "{\"data\":[{\"event_name\":\"Purchase\",\"event_time\":$now,\"event_id\":\"floor-$i\",\"action_source\":\"website\",\"event_source_url\":\"https://shop.example/p\",\"user_data\":{\"em\":[\"$(printf 'floor-%s' "$i" | sha256sum | cut -c 1-64)\"],\"client_ip_address\":\"203.0.113.7\",\"client_user_agent\":\"Mozilla/5.0\"},\"custom_data\":{\"value\":1,\"currency\":\"USD\"}}]}" \
            "$META_URL" | awk '{ printf "%.3f\n", $1 * 1000 }' >>"$WORK/floor_ms"
    done
    read -r F_P50 F_P95 F_P99 F_MAX F_N <<<"$(percentiles "$WORK/floor_ms")"
    [ "$F_N" = "$FLOOR_REQUESTS" ] && [ "$(stat_value accepted_events)" = "$FLOOR_REQUESTS" ] ||
        fail "floor: $F_N replies, $(stat_value accepted_events) events accepted of $FLOOR_REQUESTS"
}

echo
echo "== loopback floor: $FLOOR_REQUESTS single-event POSTs by curl (time_total)"
floor_run
echo "p50 $F_P50 ms, p95 $F_P95 ms, p99 $F_P99 ms, max $F_MAX ms ($F_N requests)"

# ---------------------------------------------------------------------------------------------------
# pg_capi.
pg_capi_available() {
    psql -c 'CREATE EXTENSION IF NOT EXISTS pg_capi' 2>/dev/null || return 1
    [ "$(psql -At -c "SELECT to_regclass('capi.delivery_status') IS NOT NULL")" = t ]
}

# pgbench_insert PREFIX SECONDS: one event per transaction at $RATE/s; prints pgbench's summary lines.
pgbench_insert() {
    cat >"$WORK/insert.sql" <<SQL
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
VALUES ('$1' || gen_random_uuid(), 'Purchase', 'https://shop.example/checkout',
        '{"email": "Customer@Example.com", "phone": "+1 (650) 555-1212",
          "client_ip_address": "203.0.113.7", "client_user_agent": "Mozilla/5.0 (X11; Linux x86_64)"}',
        jsonb_build_object('value', 1, 'currency', 'USD',
                           'order_id', (extract(epoch FROM clock_timestamp()) * 1000)::bigint::text));
SQL
    pgbench -n -R "$RATE" -T "$2" -c 2 -j 2 -f "$WORK/insert.sql" 2>&1 |
        grep -E '^(number of transactions actually processed|number of failed|latency average|rate limit schedule lag|tps)' || true
}

# wait_delivered PREFIX: until the server has every event inserted with this prefix (30 s at most).
wait_delivered() {
    local inserted
    inserted=$(psql -At -c "SELECT count(*) FROM capi.outbox WHERE event_id LIKE '$1%'")
    wait_stat accepted_events "$inserted" 30 || true
    echo "$inserted"
}

pg_capi_latency_run() {
    psql <<SQL
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta_main', 'meta', '{"pixel_id": "$META_PIXEL", "api_version": "v25.0"}',
        '{"access_token": "$META_TOKEN"}', '$SERVER_URL');
SQL
    echo "warm-up (3 s, discarded):"
    pgbench_insert warm- 3 | sed 's/^/  /'
    wait_delivered warm- >/dev/null
    sleep 1
    reset_server # also truncates the record file

    echo "measured run ($DURATION s):"
    pgbench_insert lat- "$DURATION" | sed 's/^/  /'
    L_INSERTED=$(wait_delivered lat-)
    sleep 0.5
    jq -r 'select(.event_id | startswith("lat-")) | .received_at_ms - (.event.custom_data.order_id | tonumber)' \
        "$WORK/events.jsonl" >"$WORK/latency_ms"
    read -r L_P50 L_P95 L_P99 L_MAX L_N <<<"$(percentiles "$WORK/latency_ms")"
    L_DUPLICATES=$(stat_value duplicate_events)
    L_DELIVERED=$(psql -At -c "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered' AND event_id LIKE 'lat-%'")
    echo "events inserted $L_INSERTED, arrived $L_N, duplicates $L_DUPLICATES, delivered (delivery_status) $L_DELIVERED"
    [ "$L_N" = "$L_INSERTED" ] || fail "$L_INSERTED events inserted, $L_N arrived"
    [ "$L_DUPLICATES" = 0 ] || fail "$L_DUPLICATES duplicate events at the server"
    [ "$L_DELIVERED" = "$L_INSERTED" ] || fail "$L_DELIVERED of $L_INSERTED marked delivered"
}

L_N=
echo
if pg_capi_available; then
    echo "== pg_capi $(psql -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'"):" \
        "pgbench -R $RATE -c 2, one event per transaction"
    pg_capi_latency_run
else
    echo "pg_capi: the installed extension has no delivery worker yet (no capi.delivery_status): skipped"
fi

# ---------------------------------------------------------------------------------------------------
echo
echo "Latency at $RATE events/s (ms; same run)"
printf '%-58s %8s %8s %8s %8s %7s\n' what p50 p95 p99 max count
printf '%-58s %8s %8s %8s %8s %7s\n' "loopback floor: single-event POST by curl (time_total)" \
    "$F_P50" "$F_P95" "$F_P99" "$F_MAX" "$F_N"
if [ -n "$L_N" ]; then
    printf '%-58s %8s %8s %8s %8s %7s\n' "pg_capi: INSERT time -> arrival (>= commit-to-arrival)" \
        "$L_P50" "$L_P95" "$L_P99" "$L_MAX" "$L_N"
    awk -v p="$L_P99" -v g="$GOAL_MS" -v f="$F_P99" 'BEGIN {
        printf "p99 / goal (%d ms): %.2f -> goal %s\n", g, p / g, (p <= g ? "met" : "NOT met")
        if (f > 0) printf "p99 / loopback floor p99: %.1fx\n", p / f
    }'
fi
[ "$FAILED" = 0 ] && echo "correctness: OK" || echo "correctness: FAILED"
exit "$FAILED"
