#!/usr/bin/env bash
# Memory benchmark (issue 14): the delivery worker's memory stays flat while it drains N events
# (default 2,000,000) to the loopback Meta stand-in and across R destination reloads (default 1,000).
#
# Measured: /proc/<worker pid>/status of the pg_capi worker (pg_stat_activity.backend_type =
# 'pg_capi worker'): RssAnon, the process's private anonymous memory (its heap: C++ containers,
# palloc contexts, libcurl), and VmRSS for reference. VmRSS also counts the shared_buffers pages the
# worker has touched (RssShmem), which grows towards shared_buffers as it reads more of the outbox:
# that is not memory the worker holds, so the criterion is on RssAnon.
#
# Phases: start (1,000 events delivered: caches, connections and the library are there; printed);
# drain (N events, loaded in chunks of 200,000 while the worker drains,
# sampled every INTERVAL seconds); reloads (R UPDATEs of the destination, each changing
# config.max_requests_per_second, which makes the worker rebuild the destination's pipeline, each
# followed by one event, 50 ms apart; sampled likewise).
# Warm: the first sample once 10 % of the N events reached the server. Only at full speed does the
# worker hold its full working set (capi.max_concurrent_requests chunks in flight, read windows of up
# to 4 chunks, their request bodies): with a 1,000-event backlog it holds one batch, so "after the
# first batch" would measure the backlog's shape, not a leak. Flat: RssAnon at the end of each phase
# exceeds the warm figure by less than max(5 %, 2 MB); the script exits 1 otherwise, or when the worker restarted (its pid changed) or an event was not delivered.
#
# Starts its own throwaway cluster (pg_virtualenv -t). Run as root after `make install`.
# Usage: bench/memory_bench.sh [events] [reloads]   Environment: INTERVAL (seconds, default 2),
#   CAPI_TEST_SERVER (binary).
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-2000000}
RELOADS=${2:-1000}
INTERVAL=${INTERVAL:-2}

# shellcheck source=bench/delivery_bench_lib.sh
. bench/delivery_bench_lib.sh
in_delivery_cluster MEMORY_BENCH_CLUSTER -o shared_buffers=256MB -o max_wal_size=4GB -- "$@"
make_work_dir
FAILURE_LABEL=FAILURE # not only correctness: memory growth too

start_server
psql -c 'CREATE EXTENSION pg_capi' >/dev/null
psql >/dev/null <<SQL
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta_main', 'meta', '{"pixel_id": "$META_PIXEL", "api_version": "v25.0", "max_requests_per_second": 5000}',
        '{"access_token": "$META_TOKEN"}', '$SERVER_URL');
SQL

worker_pid() { psql -At -c "SELECT pid FROM pg_stat_activity WHERE backend_type = 'pg_capi worker'"; }
# kb FIELD PID: a field of /proc/PID/status in kB (RssAnon, VmRSS).
kb() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status"; }

# load PREFIX COUNT: commits COUNT events named PREFIX<n>, at most 200,000 per transaction.
load() {
    local first=1 last
    while [ "$first" -le "$2" ]; do
        last=$((first + 199999 < $2 ? first + 199999 : $2))
        psql -c "INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
                 SELECT '$1' || g, 'Purchase', 'https://shop.example/p/' || (g % 5000),
                        jsonb_build_object('email', 'Customer.' || g || '@Example.com',
                                           'phone', '+1 (650) 555-' || lpad((g % 10000)::text, 4, '0'),
                                           'client_ip_address', '203.0.113.' || (1 + g % 250),
                                           'client_user_agent', 'Mozilla/5.0 (X11; Linux x86_64)'),
                        jsonb_build_object('value', 10 + g % 90, 'currency', 'USD', 'order_id', 'o-' || g)
                 FROM generate_series($first, $last) g" >/dev/null
        first=$((last + 1))
    done
}

# sample LABEL: prints one line (seconds since start, RssAnon, VmRSS, events at the server); sets ANON.
T0=$(now_ms)
sample() {
    ANON=$(kb RssAnon "$PID")
    printf '%-10s %7.1f s  RssAnon %7d kB  VmRSS %7d kB  accepted %9d\n' "$1" \
        "$(awk -v a="$T0" -v b="$(now_ms)" 'BEGIN { print (b - a) / 1000 }')" "$ANON" "$(kb VmRSS "$PID")" \
        "$(stat_value accepted_events)"
}

# wait_sampling TARGET LABEL: samples every INTERVAL s until the server accepted TARGET events (or
# 10 minutes pass without progress).
wait_sampling() {
    local last=-1 since now
    since=$(now_ms)
    while now=$(stat_value accepted_events) && [ "$now" -lt "$1" ]; do
        sample "$2"
        if [ -z "$WARM" ] && [ "$now" -ge $((1000 + EVENTS / 10)) ]; then
            WARM=$ANON
            echo "warm: RssAnon $WARM kB (10 % of the drain reached the server)"
        fi
        if [ "$now" != "$last" ]; then last=$now since=$(now_ms); fi
        [ $(($(now_ms) - since)) -lt 600000 ] || { fail "$2: no progress for 10 minutes at $now of $1"; return; }
        sleep "$INTERVAL"
    done
}

# check_flat PHASE: RssAnon now vs the warm figure.
check_flat() {
    local now limit
    now=$(kb RssAnon "$PID")
    [ -n "$WARM" ] || { fail "$1: no warm figure (the drain ended before a sample at 10 %: use more events or a shorter INTERVAL)"; return; }
    echo "$1: RssAnon after the first 1,000 events $START kB; warm $WARM kB; now $now kB"
    limit=$((WARM / 20 > 2048 ? WARM / 20 : 2048))
    echo "$1: RssAnon warm $WARM kB -> $now kB, growth $((now - WARM)) kB (limit $limit kB: max(5 %, 2 MB))"
    [ $((now - WARM)) -lt "$limit" ] || fail "$1: worker RssAnon grew by $((now - WARM)) kB (limit $limit kB)"
}

echo "memory benchmark: $EVENTS events, $RELOADS destination reloads, test server at $SERVER_URL, PostgreSQL $(psql -At -c 'SHOW server_version')"
reset_server
load warm- 1000
wait_stat accepted_events 1000 120 || fail "warm-up: not delivered"
PID=$(worker_pid)
[ -n "$PID" ] || { echo "no pg_capi worker"; exit 1; }
sample start
START=$ANON
WARM=

# --- drain
load ev- "$EVENTS" &
LOADER=$!
wait_sampling $((1000 + EVENTS)) drain
wait "$LOADER" || fail "loading the events failed"
sample drained
check_flat drain

# --- destination reloads
psql -c "DO \$\$
BEGIN
    FOR i IN 1..$RELOADS LOOP
        UPDATE capi.destinations SET config = config || jsonb_build_object('max_requests_per_second', 5000 + i % 2)
        WHERE name = 'meta_main';
        INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
        VALUES ('reload-' || i, 'Purchase', 'https://shop.example/p/1',
                '{\"email\": \"a@example.com\", \"client_user_agent\": \"Mozilla/5.0\"}', '{\"value\": 1, \"currency\": \"USD\"}');
        COMMIT;
        PERFORM pg_sleep(0.05);
    END LOOP;
END \$\$" &
RELOADER=$!
wait_sampling $((1000 + EVENTS + RELOADS)) reloads
wait "$RELOADER" || fail "the reload loop failed"
sample reloaded
check_flat reloads

[ "$(worker_pid)" = "$PID" ] || fail "the worker restarted (pid $PID -> $(worker_pid))"
UNIQUE=$(stat_value unique_event_keys)
[ "$UNIQUE" = $((1000 + EVENTS + RELOADS)) ] || fail "the server has $UNIQUE distinct events of $((1000 + EVENTS + RELOADS))"
echo "server: $(stat_value accepted_events) events accepted, $UNIQUE distinct, $(stat_value requests) requests"
[ "$FAILED" = 0 ] && echo "memory: flat" || echo "memory: NOT flat or incomplete (see FAILURE lines)"
exit "$FAILED"
