#!/usr/bin/env bash
# Queue health under sustained load (issue: "no unbounded growth of dead tuples or index bloat in the claim
# path; delivered rows are retained for the configured period then purged in bounded batches").
#
# Load: pgbench -n -R RATE/10 -c 2 -T DURATION, each transaction inserting 10 events with raw identifiers
# into capi.outbox (hashed by the trigger; event_id = gen_random_uuid()), delivered by pg_capi's worker to
# the loopback Meta stand-in (build/capi_test_server). The cluster runs with capi.delivered_retention =
# RETENTION (15 s) and autovacuum at its defaults.
#
# Every INTERVAL seconds (and for AFTER seconds once the load stops) one row of the table:
#   t          seconds since the load started
#   inserted   events inserted so far (the outbox id sequence: uncommitted rows of in-flight
#              transactions included, so up to a few dozen ahead; exact count at the end from pgbench)
#   accepted   events the server accepted (its counter); backlog = inserted - accepted
#   rows       count(*) of capi.outbox; oldest = age in seconds of its oldest row (retention + purge period)
#   heap pkey txid evkey   sizes in kB: outbox heap (main fork), outbox_pkey, outbox_txid_id, outbox_event_key
#   total      pg_total_relation_size(capi.outbox) in kB (heap + TOAST + indexes)
#   b_rows b_kB   capi.batches rows and total size; cur_kB ed_kB   capi.cursors, capi.event_deliveries
#   o_live/dead b_live/dead c_live/dead   n_live_tup/n_dead_tup (pg_stat_user_tables) of outbox, batches,
#              cursors; av o/b/c = their autovacuum_count
#   w_cpu%     CPU time of the pg_capi processes (launcher + worker) since the previous row, in % of one core
# Then: the ratio of each size at 100% of the run to 50% of it, and of its peak in the second half of the
# run to its peak in the first half (a plateau is ~1). Sizes follow a saw tooth whose period is
# autovacuum_naptime (1 min): dead outbox rows pile up until the next autovacuum, whose freed space the
# next minute's rows reuse. The default 120 s shows about one tooth; DURATION=300 shows the plateau.
# Then the purge transactions seen by a statement-level AFTER DELETE trigger this script adds to
# capi.outbox (rows per DELETE statement: bounded by capi.purge_batch_size; the youngest deleted row's
# age: >= the retention), the tables' update and autovacuum counters, and the worker's CPU time.
#
# Exit status: non-zero only on loss -- the server's unique_event_keys differs from the events inserted
# (pgbench's count x 10). Duplicates, rows left and a missing plateau are reported, not failures.
#
# Starts its own throwaway cluster (pg_virtualenv -t: in a temporary directory, so that it cannot collide
# with another root pg_virtualenv cluster). Run as root after `make install`.
# Usage: bench/queue_health.sh            (first try: DURATION=30 bench/queue_health.sh)
# Environment: DURATION (120 s), RATE (2000 events/s), CLIENTS (2), INTERVAL (10 s), AFTER (30 s: sampling
#   after the load stops), RETENTION (15s), PG_SETTINGS (more server settings, e.g.
#   "autovacuum_naptime=10s"), CAPI_TEST_SERVER (binary).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-120}
RATE=${RATE:-2000}
CLIENTS=${CLIENTS:-2}
INTERVAL=${INTERVAL:-10}
AFTER=${AFTER:-30}
RETENTION=${RETENTION:-15s}

# shellcheck source=bench/delivery_bench_lib.sh
. bench/delivery_bench_lib.sh
extra=()
for setting in ${PG_SETTINGS:-}; do extra+=(-o "$setting"); done
in_delivery_cluster QUEUE_HEALTH_CLUSTER -o "capi.delivered_retention=$RETENTION" "${extra[@]}" -- "$@"
make_work_dir
META_TOKEN=EAAB-bench-token # a token shaped like Meta's (the lib's default is a placeholder)
PGBENCH_PID=
trap '[ -z "$PGBENCH_PID" ] || kill "$PGBENCH_PID" 2>/dev/null || true; cleanup_work' EXIT

# shellcheck disable=SC2119 # no extra server options
start_server
psql -c 'CREATE EXTENSION pg_capi'
[ "$(psql -At -c "SELECT to_regclass('capi.outbox') IS NOT NULL")" = t ] ||
    { echo "pg_capi has no capi.outbox (an older version is installed)" >&2; exit 2; }
psql <<SQL
INSERT INTO capi.destinations (name, platform, config, credentials, endpoint)
VALUES ('meta_main', 'meta', '{"pixel_id": "$META_PIXEL", "api_version": "v25.0"}',
        '{"access_token": "$META_TOKEN"}', '$SERVER_URL');
-- Purge observer (bench only): one row per DELETE statement on the outbox, with its size and the age of
-- the youngest and oldest row it removed.
CREATE TABLE public.bench_purges (
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    deleted bigint NOT NULL,
    youngest_s double precision,
    oldest_s double precision
);
CREATE FUNCTION public.bench_log_purge() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    INSERT INTO public.bench_purges (deleted, youngest_s, oldest_s)
    SELECT count(*), extract(epoch FROM now() - max(created_at)), extract(epoch FROM now() - min(created_at))
    FROM gone;
    RETURN NULL;
END
\$\$;
CREATE TRIGGER bench_log_purge AFTER DELETE ON capi.outbox REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION public.bench_log_purge();
SQL
SEQ=$(psql -At -c "SELECT pg_get_serial_sequence('capi.outbox', 'id')")
PURGE_BATCH=$(psql -At -c 'SHOW capi.purge_batch_size')

cat >"$WORK/insert10.sql" <<'SQL'
INSERT INTO capi.outbox (event_id, event_name, event_source_url, user_data, custom_data)
SELECT gen_random_uuid()::text, 'Purchase', 'https://shop.example/p',
       jsonb_build_object('email', 'c' || :client_id || '-' || g || '@example.com', 'phone', '+16505551212',
                          'client_ip_address', '203.0.113.7', 'client_user_agent', 'Mozilla/5.0'),
       '{"value": 12.5, "currency": "USD"}'
FROM generate_series(1, 10) g;
SQL

echo "queue health: ${RATE} events/s for ${DURATION} s (pgbench -R $((RATE / 10)) -c $CLIENTS, 10 events per" \
    "transaction), capi.delivered_retention=$(psql -At -c 'SHOW capi.delivered_retention')," \
    "capi.purge_batch_size=$PURGE_BATCH, autovacuum_naptime=$(psql -At -c 'SHOW autovacuum_naptime')," \
    "$(nproc) cores, PostgreSQL $(psql -At -c 'SHOW server_version')"
LIBRARY="$(pg_config --pkglibdir)/pg_capi.so"
echo "pg_capi $(psql -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_capi'"), $LIBRARY installed" \
    "$(date -u -r "$LIBRARY" '+%Y-%m-%d %H:%M:%S UTC')"

# One sample as "name=value" words, then printed as a row.
SAMPLE_SQL="
SELECT 'inserted=' || (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM $SEQ)
    || ' rows=' || (SELECT count(*) FROM capi.outbox)
    || ' oldest=' || (SELECT coalesce(round(extract(epoch FROM now() - min(created_at)))::bigint, 0) FROM capi.outbox)
    || ' heap=' || pg_relation_size('capi.outbox') / 1024
    || ' pkey=' || pg_relation_size('capi.outbox_pkey') / 1024
    || ' txid=' || pg_relation_size('capi.outbox_txid_id') / 1024
    || ' evkey=' || pg_relation_size('capi.outbox_event_key') / 1024
    || ' total=' || pg_total_relation_size('capi.outbox') / 1024
    || ' b_rows=' || (SELECT count(*) FROM capi.batches)
    || ' b_kB=' || pg_total_relation_size('capi.batches') / 1024
    || ' cur_kB=' || pg_total_relation_size('capi.cursors') / 1024
    || ' ed_kB=' || pg_total_relation_size('capi.event_deliveries') / 1024
    || ' o_tup=' || (SELECT n_live_tup || '/' || n_dead_tup FROM pg_stat_user_tables WHERE relid = 'capi.outbox'::regclass)
    || ' b_tup=' || (SELECT n_live_tup || '/' || n_dead_tup FROM pg_stat_user_tables WHERE relid = 'capi.batches'::regclass)
    || ' c_tup=' || (SELECT n_live_tup || '/' || n_dead_tup FROM pg_stat_user_tables WHERE relid = 'capi.cursors'::regclass)
    || ' av=' || (SELECT string_agg(autovacuum_count::text, '/' ORDER BY array_position(ARRAY['outbox', 'batches', 'cursors'], relname::text))
                  FROM pg_stat_user_tables WHERE schemaname = 'capi' AND relname IN ('outbox', 'batches', 'cursors'))"

FORMAT='%5s %9s %9s %7s %7s %6s %7s %6s %6s %6s %7s %6s %6s %6s %5s %13s %13s %9s %8s %6s\n'
# shellcheck disable=SC2059 # the format is a constant
printf "$FORMAT" t inserted accepted backlog rows oldest heap pkey txid evkey total b_rows b_kB cur_kB ed_kB \
    o_live/dead b_live/dead c_l/d 'av o/b/c' w_cpu%

# sample T: prints one row and keeps it in $WORK/samples (one line per sample: t then the words).
sample() {
    local t=$1 line accepted cpu now cpu_pct=-
    accepted=$(stat_value accepted_events) # before the outbox: backlog >= 0 (up to the uncommitted rows)
    line=$(psql -At -c "$SAMPLE_SQL")
    # shellcheck disable=SC2086 # a list of pids
    cpu=$(cpu_ms $WORKER_PIDS)
    now=$(now_ms)
    if [ -n "$cpu" ] && [ -n "${LAST_CPU:-}" ] && [ "$now" -gt "$LAST_CPU_AT" ]; then
        cpu_pct=$(((cpu - LAST_CPU) * 100 / (now - LAST_CPU_AT)))
    fi
    LAST_CPU=$cpu
    LAST_CPU_AT=$now
    declare -A v
    local word
    for word in $line; do v[${word%%=*}]=${word#*=}; done
    echo "t=$t accepted=$accepted $line w_cpu=$cpu_pct" >>"$WORK/samples"
    # shellcheck disable=SC2059
    printf "$FORMAT" "$t" "${v[inserted]}" "$accepted" "$((v[inserted] - accepted))" "${v[rows]}" "${v[oldest]}" \
        "${v[heap]}" "${v[pkey]}" "${v[txid]}" "${v[evkey]}" "${v[total]}" "${v[b_rows]}" "${v[b_kB]}" \
        "${v[cur_kB]}" "${v[ed_kB]}" "${v[o_tup]}" "${v[b_tup]}" "${v[c_tup]}" "${v[av]}" "$cpu_pct"
}

# sleep_until MS: sleeps until the clock reaches MS (epoch milliseconds).
sleep_until() {
    local left=$(($1 - $(now_ms)))
    [ "$left" -le 0 ] || sleep "$(awk -v ms="$left" 'BEGIN { printf "%.3f", ms / 1000 }')"
}

for _ in $(seq 1 100); do # the worker starts with the cluster; wait for it to have a pid
    [ "$(psql -At -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'pg_capi worker'")" = 0 ] || break
    sleep 0.1
done
WORKER_PIDS=$(psql -At -c "SELECT string_agg(pid::text, ' ' ORDER BY pid) FROM pg_stat_activity
                           WHERE backend_type ILIKE '%capi%'")
# shellcheck disable=SC2086 # a list of pids
CPU0=$(cpu_ms $WORKER_PIDS)
reset_server
T0=$(now_ms)
pgbench -n -R $((RATE / 10)) -c "$CLIENTS" -j "$CLIENTS" -T "$DURATION" -P "$INTERVAL" -f "$WORK/insert10.sql" \
    >"$WORK/pgbench.out" 2>"$WORK/pgbench.err" &
PGBENCH_PID=$!
t=0
while [ "$t" -le "$DURATION" ]; do
    sleep_until $((T0 + t * 1000))
    sample "$t"
    t=$((t + INTERVAL))
done
PGBENCH_STATUS=0
wait "$PGBENCH_PID" || PGBENCH_STATUS=$?
PGBENCH_PID=
LOAD_END_S=$(awk -v a="$T0" -v b="$(now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
# shellcheck disable=SC2086
CPU1=$(cpu_ms $WORKER_PIDS)
echo "  -- load stopped at ${LOAD_END_S} s --"
while [ "$t" -le $((DURATION + AFTER)) ]; do
    sleep_until $((T0 + t * 1000))
    sample "$t"
    t=$((t + INTERVAL))
done

[ "$PGBENCH_STATUS" = 0 ] || { echo "pgbench failed ($PGBENCH_STATUS):"; cat "$WORK/pgbench.err"; }
TRANSACTIONS=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$WORK/pgbench.out")
INSERTED=$((${TRANSACTIONS:-0} * 10))
SEQ_LAST=$(psql -At -c "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM $SEQ")
wait_stat unique_event_keys "$INSERTED" 30 || true
ACCEPTED=$(stat_value accepted_events)
UNIQUE=$(stat_value unique_event_keys)
DUPLICATES=$(stat_value duplicate_events)

echo
echo "pgbench: $(grep -E '^(number of transactions actually processed|latency average|rate limit schedule lag|tps)' \
    "$WORK/pgbench.out" | sed 's/ (without initial connection time)//' | paste -sd ';' | sed 's/;/; /g')"
echo "events: inserted $INSERTED (pgbench) / $SEQ_LAST (outbox id sequence), server accepted $ACCEPTED," \
    "unique $UNIQUE, duplicates $DUPLICATES; $(server_summary | sed 's/^server: //')"
if [ -n "$CPU1" ] && [ -n "$CPU0" ]; then
    echo "worker processes ($WORKER_PIDS): $((CPU1 - CPU0)) ms CPU during the load" \
        "($(awk -v c=$((CPU1 - CPU0)) -v d="$LOAD_END_S" 'BEGIN { printf "%.1f", c / d / 10 }')% of one core)"
fi

# Plateau: each size at the sample nearest 100% of the run over the one nearest 50%.
HALF=$(((DURATION / 2 + INTERVAL / 2) / INTERVAL * INTERVAL))
FULL=$((DURATION / INTERVAL * INTERVAL))
echo
echo "sizes at t=$HALF s (50%) -> t=$FULL s (100%), ratio; peak in t <= $HALF s -> peak in $HALF < t <= $FULL s, ratio:"
awk -v half="$HALF" -v full="$FULL" '
    function ratio(x, y) { return x > 0 ? sprintf("%.2f", y / x) : "n/a" }
    { delete v; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      if (v["t"] > full) next
      for (k in v) if (v["t"] <= half) { if (v[k] + 0 > p1[k]) p1[k] = v[k] + 0 } else if (v[k] + 0 > p2[k]) p2[k] = v[k] + 0
      if (v["t"] == half) for (k in v) a[k] = v[k]
      if (v["t"] == full) for (k in v) b[k] = v[k] }
    END { n = split("rows heap pkey txid evkey total b_rows b_kB cur_kB ed_kB w_cpu", keys, " ")
          for (i = 1; i <= n; i++) { k = keys[i]
              printf "  %-7s %9s -> %9s  %5s    peak %9s -> %9s  %5s\n", k, a[k], b[k], ratio(a[k], b[k]),
                     p1[k], p2[k], ratio(p1[k], p2[k]) } }
' "$WORK/samples"
NAPTIME_S=$(psql -At -c "SELECT setting::int FROM pg_settings WHERE name = 'autovacuum_naptime'")
[ "$DURATION" -ge $((5 * NAPTIME_S)) ] ||
    echo "  (a run of $DURATION s spans few autovacuum cycles of ${NAPTIME_S} s: sizes are still on their first" \
        "saw teeth; DURATION=$((5 * NAPTIME_S)) shows whether they plateau)"

echo
echo "purge (DELETE statements on capi.outbox; capi.purge_batch_size=$PURGE_BATCH):"
psql -At -F ' ' -c "
    SELECT '  ' || count(*) || ' statements, ' || coalesce(sum(deleted), 0) || ' rows; rows per statement min '
           || coalesce(min(deleted), 0) || ' avg ' || coalesce(round(avg(deleted)), 0) || ' max ' || coalesce(max(deleted), 0)
           || '; youngest row deleted was ' || coalesce(round(min(youngest_s)::numeric, 1), 0) || ' s old, oldest '
           || coalesce(round(max(oldest_s)::numeric, 1), 0) || ' s; first purge at t='
           || coalesce(round(extract(epoch FROM min(at) - to_timestamp($T0 / 1000.0))::numeric, 1), 0) || ' s'
    FROM public.bench_purges WHERE deleted > 0"
psql -At -c "
    SELECT '  at t=' || round(extract(epoch FROM at - to_timestamp($T0 / 1000.0))::numeric, 1) || ' s: ' || deleted
           || ' rows (' || round(youngest_s::numeric, 1) || '..' || round(oldest_s::numeric, 1) || ' s old)'
    FROM public.bench_purges WHERE deleted > 0 ORDER BY at" >"$WORK/purges"
if [ "$(wc -l <"$WORK/purges")" -le 16 ]; then
    cat "$WORK/purges"
else
    head -n 8 "$WORK/purges"
    echo "  ..."
    tail -n 8 "$WORK/purges"
fi

echo
echo "table counters (pg_stat_user_tables):"
psql -c "
    SELECT relname, n_tup_ins AS ins, n_tup_upd AS upd, n_tup_hot_upd AS hot_upd, n_tup_del AS del,
           n_live_tup AS live, n_dead_tup AS dead, autovacuum_count AS autovacuums,
           round(extract(epoch FROM last_autovacuum - to_timestamp($T0 / 1000.0))::numeric, 1) AS last_av_at_t,
           autoanalyze_count AS autoanalyzes
    FROM pg_stat_user_tables WHERE schemaname = 'capi' ORDER BY relname"
echo "delivery state: $(psql -At -c "
    SELECT (SELECT count(*) FROM capi.batches WHERE status IN ('in_flight', 'retrying')) || ' batches open, '
           || (SELECT count(*) FROM capi.event_deliveries WHERE status <> 'delivered') || ' event rows not delivered, '
           || (SELECT count(*) FROM capi.outbox) || ' outbox rows left'")"

FAILED=0
if [ "$INSERTED" -eq 0 ] || [ "$UNIQUE" != "$INSERTED" ]; then
    echo "LOSS: the server has $UNIQUE distinct events of $INSERTED inserted"
    FAILED=1
fi
[ "$DUPLICATES" = 0 ] || echo "note: $DUPLICATES duplicate deliveries (at-least-once; not a loss)"
[ "$FAILED" = 0 ] && echo "no loss: OK" || echo "no loss: FAILED"
exit "$FAILED"
