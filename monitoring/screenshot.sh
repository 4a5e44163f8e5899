#!/usr/bin/env bash
# Makes docs/images/pg_capi_prometheus.png, the screenshot in README: a real delivery to the loopback
# Meta stand-in (build/capi_test_server) through an outage, scraped by Debian's
# prometheus-postgres-exporter (monitoring/pg_capi_queries.yaml, as a member of capi_monitor) and
# Debian's prometheus, whose web UI is rendered by headless chromium.
#
# The run (about 3 minutes): two destinations (meta-shop receives every event, meta-eu one in
# three); 20 events inserted every half second or so throughout; after 45 s the platform answers 503
# to everything for 60 s (the circuit opens, events pile up), then recovers and the backlog drains.
# Starts its own throwaway cluster (pg_virtualenv -t), exporter and prometheus on free loopback ports;
# leaves nothing running. Run as root after `make install` and the CMake build of capi_test_server.
# Needs the Debian packages prometheus-postgres-exporter, prometheus and chromium.
# Usage: monitoring/screenshot.sh [output.png]   (PHASES="45 60 75": seconds before, during, after the outage)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-$PWD/docs/images/pg_capi_prometheus.png}
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac

# shellcheck source=bench/delivery_bench_lib.sh
. bench/delivery_bench_lib.sh
in_delivery_cluster SCREENSHOT_CLUSTER -o capi.retry_max_delay=5s -- "$OUT"
make_work_dir
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    cleanup_work
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_server
psql -c 'CREATE EXTENSION pg_capi' 2>/dev/null
psql <<SQL
CREATE ROLE prometheus LOGIN PASSWORD 'screenshot' IN ROLE capi_monitor;
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint) VALUES
    ('meta-shop', 'meta', '{"pixel_id": "$META_PIXEL"}', '{"access_token": "$META_TOKEN"}', '$SERVER_URL'),
    ('meta-eu', 'meta', '{"pixel_id": "$META_PIXEL"}', '{"access_token": "$META_TOKEN"}', '$SERVER_URL');
SQL

EXPORTER_PORT=$(free_port)
# (Without pg_virtualenv's PG* variables, which the exporter's driver would read too.)
env -i PATH="$PATH" \
    DATA_SOURCE_NAME="host=127.0.0.1 port=$PGPORT user=prometheus password=screenshot dbname=postgres sslmode=disable" \
    prometheus-postgres-exporter --web.listen-address="127.0.0.1:$EXPORTER_PORT" \
    --extend.query-path="$PWD/monitoring/pg_capi_queries.yaml" >"$WORK/exporter.log" 2>&1 &
PIDS+=($!)
PROMETHEUS_PORT=$(free_port)
cat >"$WORK/prometheus.yml" <<YAML
global:
  scrape_interval: 2s
  evaluation_interval: 2s
rule_files:
  - $PWD/monitoring/pg_capi_alerts.yml
scrape_configs:
  - job_name: pg_capi
    static_configs:
      - targets: ['127.0.0.1:$EXPORTER_PORT']
YAML
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$WORK/prometheus.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/-/ready" >/dev/null && break
    sleep 0.2
done

# 20 events, one transaction, then half a second of rest.
insert_for() {
    local until=$(($(date +%s) + $1))
    while [ "$(date +%s)" -lt "$until" ]; do
        psql -c "INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
                 SELECT 'shot-' || pg_current_xact_id() || '-' || g, 'Purchase', 'https://shop.example/checkout',
                        jsonb_build_object('email', 'customer' || g || '@example.com', 'client_ip_address', '203.0.113.7',
                                           'client_user_agent', 'Mozilla/5.0'),
                        '{\"value\": 49.90, \"currency\": \"EUR\"}',
                        CASE WHEN g % 3 = 0 THEN ARRAY['meta-shop', 'meta-eu'] ELSE ARRAY['meta-shop'] END
                 FROM generate_series(1, 20) g"
        sleep 0.5
    done
}
read -r NORMAL OUTAGE RECOVERY <<<"${PHASES:-45 60 75}"
echo "delivering ($NORMAL s)"
insert_for "$NORMAL"
echo "outage: the platform answers 503 ($OUTAGE s)"
control POST /__control/faults '{"status": 503, "count": 1000000}' >/dev/null
insert_for "$OUTAGE"
echo "recovered ($RECOVERY s)"
control DELETE /__control/faults >/dev/null
insert_for "$RECOVERY"
sleep 5
psql -c 'SELECT destination, state, pending, delivered_last_hour, oldest_pending_age FROM capi.stats'

series=$(curl -sf "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query?query=count(pg_capi_pending)" || true)
if [[ $series != *'"value":'* ]]; then
    echo "prometheus has no pg_capi series: $series" >&2
    head -n 12 "$WORK/exporter.log" >&2
    exit 1
fi

# The classic web UI of Debian's prometheus: two graphs over the whole run.
URL="http://127.0.0.1:$PROMETHEUS_PORT/graph?g0.expr=pg_capi_pending&g0.tab=0&g0.range_input=3m"
URL+="&g1.expr=pg_capi_oldest_pending_age_seconds&g1.tab=0&g1.range_input=3m"
mkdir -p "$(dirname "$OUT")"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1280,1450 \
    --virtual-time-budget=15000 --screenshot="$OUT" "$URL" 2>"$WORK/chromium.log" || { cat "$WORK/chromium.log"; exit 1; }
echo "wrote $OUT"
