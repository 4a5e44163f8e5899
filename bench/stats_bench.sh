#!/usr/bin/env bash
# capi.stats against count(*) (issue 13: "with 200,000 pending events it answers in a small fraction
# of count(*) over the outbox"), in the same run on the same data.
#
# Prepares, in a throwaway cluster (pg_virtualenv -t, pg_capi preloaded, autovacuum off so that no
# ANALYZE runs: a queue's statistics are stale by nature, and none is run here):
#   * three destinations, disabled, so that the worker (running) leaves their events pending;
#   * N events (default 200,000) committed in transactions of 10,000, each naming its destinations:
#     every event meta-all, one in three google-some, the other two tiktok-all (a pattern that
#     repeats every 3 rows: the worst case for a sample taken at even steps);
#   * CHECKPOINT, then each query once unmeasured (both read from shared buffers afterwards).
# Then times, as the best and the median of RUNS (default 7) executions each, from plpgsql with
# clock_timestamp():  SELECT count(*) FROM capi.outbox;  SELECT * FROM capi.stats;  and once the
# query README used to give (SELECT status, count(*) FROM capi.delivery_status GROUP BY status).
# Prints capi.stats' pending next to the exact counts (the estimate's error).
# Run as root after `make install`. Usage: bench/stats_bench.sh [events]
set -euo pipefail
cd "$(dirname "$0")/.."
EVENTS=${1:-200000}
RUNS=${RUNS:-7}

if [ -z "${STATS_BENCH_CLUSTER:-}" ]; then
    export STATS_BENCH_CLUSTER=1
    exec pg_virtualenv -t -o shared_preload_libraries=pg_capi -o capi.database=postgres -o autovacuum=off \
        -o shared_buffers=512MB -o max_wal_size=4GB "$0" "$@"
fi

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -c 'CREATE EXTENSION pg_capi' 2>/dev/null
psql <<'SQL'
INSERT INTO capi.destinations (name, platform, enabled, config, credentials) VALUES
    ('meta-all', 'meta', false, '{"pixel_id": "1234567890"}', '{"access_token": "bench-token"}'),
    ('tiktok-all', 'tiktok', false, '{"pixel_code": "C4ABCDEF12345"}', '{"access_token": "bench-token"}'),
    ('google-some', 'google', false,
     '{"operating_account_id": "1234567890", "login_account_id": "9876543210", "conversion_actions": {"Purchase": "555000111"}}',
     '{"client_id": "bench.apps.googleusercontent.com", "client_secret": "bench", "refresh_token": "1//bench"}');
SQL
start=$(date +%s)
for ((from = 1; from <= EVENTS; from += 10000)); do
    to=$((from + 9999 < EVENTS ? from + 9999 : EVENTS))
    psql -c "INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data, destinations)
             SELECT 'order-' || g, 'Purchase', 'https://shop.example/checkout?o=' || g,
                    jsonb_build_object('email', 'customer' || g || '@example.com',
                                       'phone', '+1 650 555 ' || lpad((g % 10000)::text, 4, '0'),
                                       'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0'),
                    jsonb_build_object('value', 10 + g % 90, 'currency', 'USD', 'order_id', g::text),
                    CASE WHEN g % 3 = 0 THEN ARRAY['meta-all', 'google-some'] ELSE ARRAY['meta-all', 'tiktok-all'] END
             FROM generate_series($from, $to) g"
done
echo "loaded $EVENTS events in $(($(date +%s) - start)) s; outbox $(psql -At -c "SELECT pg_size_pretty(pg_total_relation_size('capi.outbox'))")"
psql -c CHECKPOINT
psql <<SQL
CREATE FUNCTION pg_temp.timed(query text, runs integer, OUT best_ms numeric, OUT median_ms numeric)
    LANGUAGE plpgsql AS \$\$
DECLARE
    started timestamptz;
    times double precision[] := '{}';
BEGIN
    EXECUTE query;  -- once unmeasured
    FOR i IN 1..runs LOOP
        started := clock_timestamp();
        EXECUTE query;
        times := times || extract(epoch FROM clock_timestamp() - started)::double precision * 1000;
    END LOOP;
    SELECT round(min(t)::numeric, 2), round(percentile_cont(0.5) WITHIN GROUP (ORDER BY t)::numeric, 2)
      INTO best_ms, median_ms FROM unnest(times) t;
END
\$\$;
\pset footer off
SELECT 'SELECT count(*) FROM capi.outbox' AS query, * FROM pg_temp.timed('SELECT count(*) FROM capi.outbox', $RUNS)
UNION ALL
SELECT 'SELECT * FROM capi.stats (3 destinations)', * FROM pg_temp.timed('SELECT * FROM capi.stats', $RUNS)
UNION ALL
SELECT 'capi.delivery_status by status (README before)', * FROM pg_temp.timed(
    'SELECT status, count(*) FROM capi.delivery_status GROUP BY status', 1);
SELECT s.destination, s.state, s.pending, e.exact,
       round(100 * (s.pending - e.exact)::numeric / e.exact, 2) AS error_percent,
       s.oldest_pending_age
FROM capi.stats s
JOIN (SELECT d.name, count(*) AS exact FROM capi.destinations d, capi.outbox o
      WHERE o.destinations IS NULL OR d.name = ANY (o.destinations) GROUP BY d.name) e ON e.name = s.destination
ORDER BY 1;
SQL
