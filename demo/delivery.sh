#!/usr/bin/env bash
# Part two of the demo, run by scripts/demo inside the throwaway cluster: the loopback stand-in for the
# seven platforms' APIs (capi_test_server) receives the conversions the background worker delivers to
# eight destinations, each at its platform's own request-rate limit.
set -euo pipefail
SERVER=$1
WORK=$(mktemp -d)
"$SERVER" --port 0 --port-file "$WORK/port" --meta-token EAAB-demo-token-not-real --record "$WORK/events.jsonl" --quiet &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
until [ -s "$WORK/port" ]; do sleep 0.05; done
URL="http://127.0.0.1:$(cat "$WORK/port")"
COUNT=${DEMO_EVENTS:-20000}
TOTAL=$((8 * COUNT + 1)) # order-denied goes to Google twice; the others skip it

psql -X -q -v ON_ERROR_STOP=1 -v url="$URL" -v count="$COUNT" -f demo/delivery.sql

echo
echo "== Live: the worker drains the outbox to eight destinations (settled / $((8 * (COUNT + 1))), as capi.delivery_status reports it)"
echo "   (Reddit's default limit is 1 request/s of up to 1,000 events, LinkedIn's 3/s: they finish last)"
start=$(date +%s.%N)
while :; do
    line=$(psql -X -At -c "SELECT sum(n) || ' ' || string_agg(destination || '=' || n, ' ' ORDER BY destination)
                           FROM (SELECT destination, count(*) FILTER (WHERE status IN ('delivered', 'skipped')) AS n
                                 FROM capi.delivery_status GROUP BY 1) s")
    settled=${line%% *}
    elapsed=$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.1f", n - s }')
    printf '  %5s s  settled %7d  %s\n' "$elapsed" "$settled" "${line#* }"
    [ "$settled" -ge "$((8 * (COUNT + 1)))" ] && break
    awk -v e="$elapsed" 'BEGIN { exit !(e > 180) }' && { echo "not all delivered after 180 s"; exit 1; }
    sleep 1
done

echo
echo "== What the stand-in platforms say they accepted"
curl -s "$URL/__control/stats" | python3 -c '
import json, sys
s = json.load(sys.stdin)
for name, p in sorted(s["platforms"].items()):
    print("  %-10s requests %5d  accepted events %7d  duplicates %d  most requests in one second %d"
          % (name, p["requests"], p["accepted_events"], p["duplicate_events"], p["max_requests_per_second"]))'
[ "$(curl -s "$URL/__control/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["accepted_events"])')" -ge "$TOTAL" ] \
    || { echo "not every delivery arrived"; exit 1; }
echo
echo "== One event as each platform received it: each platform's own names, units and hashing"
python3 - "$WORK/events.jsonl" <<'PY'
import json, sys
seen = set()
for line in open(sys.argv[1]):
    record = json.loads(line)
    platform = record["platform"]
    if platform == "google":
        platform += " (Ads API)" if "conversionAction" in record["event"] else " (Data Manager)"
    if platform in seen or record["event_id"] != "order-1":
        continue
    seen.add(platform)
    print("-- %s" % platform)
    print(json.dumps(record["event"], indent=1)[:1500])
PY
echo
echo "== The event whose person denied ad_user_data, as Google received it (no identifiers, consent DENIED)"
python3 - "$WORK/events.jsonl" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    record = json.loads(line)
    if record["platform"] == "google" and "DENIED" in line:
        print(json.dumps(record["event"], indent=1))
        break
else:
    sys.exit("no consent-denied event reached Google")
PY
psql -X -q -f demo/delivery_after.sql
