# shellcheck shell=bash
# Shared by the delivery benchmarks (bench/drain_bench.sh, latency_bench.sh, memory_bench.sh,
# rate_limit_bench.sh, platforms_bench.sh, queue_health.sh) and monitoring/screenshot.sh, sourced from
# the repository's root: their throwaway cluster, scratch directory and failure reporting, the loopback
# capi_test_server, its control API, and small helpers. The server's functions use $WORK (make_work_dir).

META_TOKEN=bench-token
META_PIXEL=1234567890
TEST_SERVER=${CAPI_TEST_SERVER:-$PWD/build/capi_test_server}

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
now_ms() { date +%s%3N; }

# in_delivery_cluster GUARD [pg_virtualenv options...] -- SCRIPT_ARGUMENTS...: unless the environment
# variable GUARD is set, sets it and re-runs the calling script ($0) with SCRIPT_ARGUMENTS in a throwaway
# cluster (pg_virtualenv -t: in a temporary directory, so that it cannot collide with another root
# pg_virtualenv cluster) with pg_capi preloaded, its worker in database postgres, the loopback test server
# allowed as an endpoint, and the given options. Inside that cluster (GUARD set) it returns at once.
in_delivery_cluster() {
    local guard=$1 options=()
    shift
    [ -z "${!guard:-}" ] || return 0
    export "$guard=1"
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        options+=("$1")
        shift
    done
    [ $# -gt 0 ] || { echo "in_delivery_cluster: no -- before the script's arguments" >&2; exit 2; }
    shift
    exec pg_virtualenv -t -o shared_preload_libraries=pg_capi -o capi.database=postgres \
        -o 'capi.allowed_endpoint_hosts=127.0.0.1, localhost' "${options[@]}" "$0" "$@"
}

# make_work_dir: $WORK, a fresh scratch directory the cluster's processes can read too (mode 755), and
# an EXIT trap that runs cleanup_work. A script with more to stop at exit sets its own EXIT trap, which
# ends with cleanup_work.
make_work_dir() {
    WORK=$(mktemp -d)
    chmod 755 "$WORK"
    trap cleanup_work EXIT
}

# cleanup_work: stops the test server and removes $WORK.
cleanup_work() {
    stop_server
    rm -rf "$WORK"
}

# fail MESSAGE: reports a failed check as "$FAILURE_LABEL: MESSAGE" and sets FAILED, which the scripts
# exit with.
FAILED=0
FAILURE_LABEL="CORRECTNESS FAILURE"
# shellcheck disable=SC2034 # FAILED is read by the scripts that source this file
fail() {
    echo "$FAILURE_LABEL: $*"
    FAILED=1
}

# start_server [extra options...]: starts capi_test_server on an ephemeral loopback port; sets
# SERVER_PID, SERVER_PORT, SERVER_URL (base) and META_URL (Meta's events endpoint with the token).
start_server() {
    [ -x "$TEST_SERVER" ] || { echo "no test server binary at $TEST_SERVER (build it with CMake)" >&2; exit 2; }
    rm -f "$WORK/port"
    "$TEST_SERVER" --port 0 --port-file "$WORK/port" --meta-token "$META_TOKEN" --quiet "$@" &
    SERVER_PID=$!
    for _ in $(seq 1 200); do
        [ -s "$WORK/port" ] && break
        sleep 0.05
    done
    [ -s "$WORK/port" ] || { echo "test server did not start" >&2; exit 2; }
    SERVER_PORT=$(cat "$WORK/port")
    SERVER_URL="http://127.0.0.1:$SERVER_PORT"
    # shellcheck disable=SC2034 # used by the scripts that source this file
    META_URL="$SERVER_URL/v25.0/$META_PIXEL/events?access_token=$META_TOKEN"
}

stop_server() {
    if [ -n "${SERVER_PID:-}" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# control GET|POST|DELETE PATH [JSON BODY]: one control API call, prints the reply.
control() {
    if [ $# -ge 3 ]; then
        curl -sS -f -X "$1" -H 'Content-Type: application/json' --data-binary "$3" "$SERVER_URL$2"
    else
        curl -sS -f -X "$1" "$SERVER_URL$2"
    fi
}

# reset_server: zero the counters, forget duplicate keys and recorded events, drop the fault rules.
reset_server() {
    control POST /__control/reset >/dev/null
    control DELETE /__control/faults >/dev/null
    SERVER_CPU0=$(stat_value process_cpu_ms)
}

# stat_value FIELD: a top-level counter of /__control/stats, fetched with bash's /dev/tcp (no process is
# started, so polling every 20 ms costs the machine next to nothing).
stat_value() {
    local reply
    exec 9<>"/dev/tcp/127.0.0.1/$SERVER_PORT"
    printf 'GET /__control/stats HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&9
    IFS= read -r -d '' reply <&9 || true
    exec 9<&-
    if [[ $reply =~ \"$1\":([0-9]+) ]]; then
        echo "${BASH_REMATCH[1]}"
    else
        echo "cannot read $1 from the test server's stats" >&2
        echo -1
    fi
}

# wait_stat FIELD TARGET TIMEOUT_SECONDS: polls every 20 ms until FIELD >= TARGET; 1 on timeout.
wait_stat() {
    local deadline=$(($(now_ms) + $3 * 1000))
    while [ "$(stat_value "$1")" -lt "$2" ]; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.02
    done
}

# last_arrival_ms: received_at_ms of the last accepted event (the server's clock, same machine).
last_arrival_ms() {
    control GET '/__control/events?limit=1' | jq -r '.events[-1].received_at_ms // empty'
}

# percentiles FILE: p50 p95 p99 max count of a file of numbers, one per line (nearest-rank).
percentiles() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        function rank(p) { r = int(p * NR + 0.999999); if (r < 1) r = 1; return v[r] }
        END { if (NR == 0) { print "nan nan nan nan 0"; exit }
              printf "%s %s %s %s %d\n", rank(0.50), rank(0.95), rank(0.99), v[NR], NR }'
}

# server_summary: one line about the requests the server saw since the last reset.
server_summary() {
    control GET /__control/stats | jq -r --argjson cpu0 "${SERVER_CPU0:-0}" '"server: \(.requests) requests (\(.faulted_requests) faulted), accepted batch sizes \(.batch_sizes | to_entries | map("\(.key)x\(.value)") | join(" ")), server CPU \(.process_cpu_ms - $cpu0) ms since the reset"'
}

# cpu_ms PID...: user + system CPU time of these processes, in ms (empty if one is gone).
cpu_ms() {
    local pid total=0 ticks
    ticks=$(getconf CLK_TCK)
    for pid in "$@"; do
        [ -r "/proc/$pid/stat" ] || return 0
        # fields 14 and 15 after the command name (which may contain spaces, so cut after its ')')
        total=$((total + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
    done
    echo $((total * 1000 / ticks))
}
