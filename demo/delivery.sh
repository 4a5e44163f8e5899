#!/usr/bin/env bash
# Part two of the demo, run by scripts/demo inside the throwaway cluster: the loopback stand-in for
# Meta's Conversions API (capi_test_server) receives the conversions the background worker delivers.
set -euo pipefail
SERVER=$1
WORK=$(mktemp -d)
TOKEN=EAAB-demo-token-not-real
"$SERVER" --port 0 --port-file "$WORK/port" --meta-token "$TOKEN" --record "$WORK/events.jsonl" --quiet &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -rf "$WORK"' EXIT
until [ -s "$WORK/port" ]; do sleep 0.05; done
URL="http://127.0.0.1:$(cat "$WORK/port")"
COUNT=${DEMO_EVENTS:-50000}

psql -X -q -v ON_ERROR_STOP=1 -v url="$URL" -v token="$TOKEN" -v count="$COUNT" -f demo/delivery.sql

echo
echo "== Live: the worker drains the outbox (delivered / $COUNT, as capi.delivery_status reports it)"
start=$(date +%s.%N)
while :; do
    delivered=$(psql -X -At -c "SELECT count(*) FROM capi.delivery_status WHERE status = 'delivered'")
    elapsed=$(awk -v s="$start" -v n="$(date +%s.%N)" 'BEGIN { printf "%.2f", n - s }')
    printf '  %6s s  delivered %7d\n' "$elapsed" "$delivered"
    [ "$delivered" -ge "$COUNT" ] && break
    awk -v e="$elapsed" 'BEGIN { exit !(e > 120) }' && { echo "not all delivered after 120 s"; exit 1; }
    sleep 0.25
done

echo
echo "== What the stand-in platform says it accepted"
curl -s "$URL/__control/stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); print("  requests %d, accepted events %d, duplicates %d, batch sizes %s" % (s["requests"], s["accepted_events"], s["duplicate_events"], s["batch_sizes"]))'
echo
echo "== One event as Meta received it: identifiers hashed, ip/user agent/fbp plain"
head -1 "$WORK/events.jsonl" | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["event"], indent=2))'
psql -X -q -f demo/delivery_after.sql
