#!/usr/bin/env bash
# Fault soak (issue 14): N events (default 200,000) to all seven platforms (eight destinations) while
# the test server injects random faults into 20 % of the requests (every kind: 500, 503, 429 with
# Retry-After, timeouts, resets before and after accepting, malformed and truncated JSON, slow
# replies, each platform's own transient error code), the worker is killed with SIGKILL three times
# and the cluster stopped once in immediate mode. It runs test/t/180_fault_soak.pl (the short version
# in the test command) at this size; the checks and the report are that test's:
#   - every event delivered at least once per destination (the server's record of accepted events);
#   - duplicates per destination <= events the server accepted in requests whose reply was faulted +
#     crashes x capi.max_concurrent_requests x capi.batch_size (what can be in flight at a crash);
#   - failed events (capi.delivery_status) = exactly the events refused permanently (every 1,000th);
#   - the report: requests, faults injected per kind, each crash, per destination received /
#     distinct / duplicates / bound, the database's delivered / failed per destination, the time.
# Exits non-zero when a check fails. Run as root (or the postgres user) after `make install` and
# `cmake --build build --target capi_test_server`.
# Usage: bench/soak.sh [events] [sigkills]   Environment: SOAK_RATE (0.2), SOAK_BATCH (capi.batch_size,
#   500), SOAK_IMMEDIATE (1), SOAK_REJECT_EVERY (1000), SOAK_TIMEOUT (drain limit in s: 3600), SOAK_SEED.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
export SOAK_EVENTS=${1:-200000}
export SOAK_KILLS=${2:-3}
export SOAK_IMMEDIATE=${SOAK_IMMEDIATE:-1}
export SOAK_RATE=${SOAK_RATE:-0.2}
export SOAK_BATCH=${SOAK_BATCH:-500}
export SOAK_TIMEOUT=${SOAK_TIMEOUT:-3600}
export SOAK_REJECT_EVERY=${SOAK_REJECT_EVERY:-1000}
[ -z "${SOAK_SEED:-}" ] || export SOAK_SEED
exec scripts/tap test/t/180_fault_soak.pl
