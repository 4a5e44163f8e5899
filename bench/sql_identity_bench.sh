#!/usr/bin/env bash
# SQL-level identity benchmark, with its baseline measured in the same run on the same data:
#   capi.hash('email', e) vs the naive encode(sha256(convert_to(lower(btrim(e)),'UTF8')),'hex'),
#   capi.hash('phone', p) rows/s (the C++ ratio against libphonenumber is bench/phone_bench.cpp),
#   backend memory (VmRSS) over 10M capi.hash calls (must stay flat).
# Starts its own throwaway cluster (pg_virtualenv). Run as root after `make install`.
# Usage: bench/sql_identity_bench.sh [rows] [repeats]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}
REPEATS=${2:-5}

if [ -z "${PGHOST:-}" ]; then
    exec pg_virtualenv -t -o shared_preload_libraries=pg_capi -o max_parallel_workers_per_gather=0 \
        -o jit=off -o shared_buffers=512MB "$0" "$@"
fi

psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

psql <<SQL
CREATE EXTENSION pg_capi;
CREATE TABLE emails AS
    SELECT CASE i % 4 WHEN 0 THEN 'User.' || i || '@Example.com'
                      WHEN 1 THEN '  customer' || i || '@gmail.com '
                      WHEN 2 THEN 'First.Last' || i || '@Company.co.uk'
                      ELSE 'x' || md5(i::text) || '@mail.example.org' END AS e
    FROM generate_series(1, $ROWS) AS i;
CREATE TABLE phones AS
    SELECT CASE i % 5 WHEN 0 THEN '+1 (' || (200 + i % 700) || ') 555-' || lpad((i % 10000)::text, 4, '0')
                      WHEN 1 THEN '(' || (200 + i % 700) || ') ' || (200 + i % 700) || '-' || lpad((i % 10000)::text, 4, '0')
                      WHEN 2 THEN '+44 20 7946 ' || lpad((i % 10000)::text, 4, '0')
                      WHEN 3 THEN '+49 30 ' || lpad((i % 100000000)::text, 8, '0')
                      ELSE '1' || (200 + i % 700) || '555' || lpad((i % 10000)::text, 4, '0') END AS p
    FROM generate_series(1, $ROWS) AS i;
VACUUM ANALYZE emails, phones;
CREATE TABLE names AS
    SELECT (ARRAY['Valéry', 'José', 'Zoë', 'Ærøskøbing', 'Ñandú', 'Mary', 'Ольга', 'Σοφία', '정', 'Łukasz'])[1 + i % 10] AS n
    FROM generate_series(1, $ROWS) AS i;
-- the backend's resident memory, in kB
CREATE FUNCTION rss_kb() RETURNS bigint LANGUAGE sql AS
    \$\$ SELECT (regexp_match(pg_read_file('/proc/self/status'), 'VmRSS:\\s+(\\d+)'))[1]::bigint \$\$;
-- best-of-N wall time of a query, in seconds
CREATE FUNCTION best_of(q text, n int) RETURNS float8 LANGUAGE plpgsql AS \$\$
DECLARE best float8 := 'infinity'; t0 timestamptz; i int;
BEGIN
    FOR i IN 1..n LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        best := least(best, extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    RETURN best;
END \$\$;
SQL

# Correctness check on the benchmark data itself: for ASCII emails both give the same digest
# (Meta's email rule is trim + lowercase).
psql -At -c "SELECT count(*) FROM emails WHERE capi.hash('email', e) IS DISTINCT FROM encode(sha256(convert_to(lower(btrim(e)),'UTF8')),'hex')" |
    { read -r n; echo "email digests differing from the naive expression: $n"; [ "$n" = 0 ]; }

read -r scan naive email phone <<<"$(psql -At -F ' ' <<SQL
SELECT best_of('SELECT count(e) FROM emails', $REPEATS),
       best_of('SELECT count(encode(sha256(convert_to(lower(btrim(e)),''UTF8'')),''hex'')) FROM emails', $REPEATS),
       best_of('SELECT count(capi.hash(''email'', e)) FROM emails', $REPEATS),
       best_of('SELECT count(capi.hash(''phone'', p)) FROM phones', $REPEATS);
SQL
)"

awk -v rows="$ROWS" -v scan="$scan" -v naive="$naive" -v email="$email" -v phone="$phone" 'BEGIN {
    printf "\n%-58s %10s %14s %8s\n", "query (" rows " rows, best of runs)", "seconds", "rows/s", "ratio"
    printf "%-58s %10.3f %14.0f\n", "SELECT count(e)  -- bare scan", scan, rows / scan
    printf "%-58s %10.3f %14.0f %8s\n", "naive encode(sha256(convert_to(lower(btrim(e)))))", naive, rows / naive, "1.00x"
    printf "%-58s %10.3f %14.0f %7.2fx\n", "capi.hash(\x27email\x27, e)", email, rows / email, naive / email
    printf "%-58s %10.3f %14.0f\n", "capi.hash(\x27phone\x27, p)", phone, rows / phone
    printf "\nemail speed-up over naive: %.2fx (goal >= 2.5x)\n", naive / email
    printf "capi.hash(\x27phone\x27) per row: %.2f us (libphonenumber Parse+Format baseline: bench/phone_bench)\n", phone / rows * 1e6
}'

echo
echo "memory over 10 x $ROWS capi.hash calls per field (backend VmRSS, kB):"
psql -At -F ' ' <<SQL
CREATE FUNCTION churn(passes int) RETURNS void LANGUAGE plpgsql AS \$\$
BEGIN
    FOR i IN 1..passes LOOP
        PERFORM count(capi.hash('email', e)) FROM emails;
        PERFORM count(capi.hash('phone', p)) FROM phones;
        PERFORM count(capi.hash('first_name', n)) FROM names;
        PERFORM count(capi.user_data(jsonb_build_object('email', e, 'country', 'DE'))) FROM emails WHERE length(e) % 10 = 0;
    END LOOP;
END \$\$;
SELECT 'after first pass', rss_kb() FROM (SELECT churn(1)) AS warmup;
SELECT 'after 10 more passes', rss_kb() FROM (SELECT churn(10)) AS run;
SQL
