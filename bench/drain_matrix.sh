#!/usr/bin/env bash
# Issue 10 §1: the drain must not depend on planner statistics. Runs bench/drain_bench.sh (pg_capi part
# only, one fresh cluster per case) for the three states a queue's statistics can be in:
#   stale     the backlog just committed, never analyzed (a bulk backfill, a paused destination)
#   small     statistics of a 10,000-row queue, then the backlog (autovacuum has not caught up)
#   analyzed  VACUUM ANALYZE right before the drain (what earlier figures assumed)
# at 200,000 and 2,000,000 events, and prints events/s and the worker's CPU per event for each, with
# the goal: every case >= 100,000 events/s, and the 2,000,000-event CPU per event within 10 % of the
# 200,000-event one (linear in the backlog). Each case prepares only what its name says. The baseline
# (the fastest variant of bench/drain_bench.sh's: an SQL procedure sending with curl, or with pg_net's
# http_post where pg_net is installed) is measured at each size in the same run; "vs baseline" is the
# ratio at 200,000 / 2,000,000 events.
# Usage: bench/drain_matrix.sh [small_n] [large_n]   (defaults 200000 2000000)
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${1:-200000}
LARGE=${2:-2000000}
declare -A RATE CPU BASE
for n in "$SMALL" "$LARGE"; do
    # the same-run baseline at this size (bench/drain_bench.sh: the SQL procedure with curl, and with
    # pg_net's http_post where pg_net is installed), its fastest variant
    out=$(bench/drain_bench.sh "$n" baseline 2>&1) || { echo "$out"; exit 1; }
    BASE[$n]=$(sed -n 's/^round 1, baseline ([a-z_]*): \([0-9]*\) events\/s.*/\1/p' <<<"$out" | sort -n | tail -1)
    grep '^baseline with pg_net: skipped' <<<"$out" || true
    echo "baseline $n: ${BASE[$n]} events/s (fastest of: $(sed -n 's/^round 1, baseline (\([a-z_]*\)): \([0-9]*\) events\/s.*/\1 \2/p' <<<"$out" | paste -sd, -))"
    for stats in stale small analyzed; do
        out=$(STATS=$stats bench/drain_bench.sh "$n" pg_capi 2>&1) || { echo "$out"; exit 1; }
        RATE[$stats,$n]=$(sed -n 's/^round 1, pg_capi: \([0-9]*\) events\/s.*/\1/p' <<<"$out")
        CPU[$stats,$n]=$(sed -n 's/^worker CPU per event: \([0-9.]*\) us/\1/p' <<<"$out")
        echo "$stats $n: ${RATE[$stats,$n]} events/s, worker ${CPU[$stats,$n]} us/event"
        grep -q '^correctness: OK' <<<"$out" || { echo "$out"; echo "CORRECTNESS FAILURE"; exit 1; }
    done
done
echo
printf '%-10s %12s %12s %14s %14s %10s %14s\n' statistics "ev/s $SMALL" "ev/s $LARGE" "us/ev $SMALL" "us/ev $LARGE" "CPU ratio" "vs baseline"
status=0
for stats in stale small analyzed; do
    ratio=$(awk -v a="${CPU[$stats,$SMALL]}" -v b="${CPU[$stats,$LARGE]}" 'BEGIN { printf "%.2f", (a > 0 ? b / a : 0) }')
    versus=$(awk -v a="${RATE[$stats,$SMALL]}" -v b="${RATE[$stats,$LARGE]}" -v x="${BASE[$SMALL]:-0}" -v y="${BASE[$LARGE]:-0}" \
        'BEGIN { printf "%.1fx / %.1fx", (x > 0 ? a / x : 0), (y > 0 ? b / y : 0) }')
    printf '%-10s %12s %12s %14s %14s %10s %14s\n' "$stats" "${RATE[$stats,$SMALL]}" "${RATE[$stats,$LARGE]}" \
        "${CPU[$stats,$SMALL]}" "${CPU[$stats,$LARGE]}" "$ratio" "$versus"
    for n in "$SMALL" "$LARGE"; do
        [ "${RATE[$stats,$n]:-0}" -ge 100000 ] || { echo "goal: $stats at $n below 100,000 events/s"; status=2; }
    done
    awk -v r="$ratio" 'BEGIN { exit !(r <= 1.10) }' || { echo "goal: $stats CPU per event not linear (ratio $ratio)"; status=2; }
done
[ $status = 0 ] && echo "goals met" || echo "goals NOT met (see above)"
exit $status
