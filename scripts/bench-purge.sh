#!/usr/bin/env bash
# Measures `etl016-db purge` on the local PostgreSQL (scripts/pg.sh), side by side in one run:
#
#   switch     a fully expired month removed as a unit (DETACH and DROP of its partition)
#   batched    the same rows by batched deletes (--mode exact --batch-pause 0) on a plain,
#              unpartitioned copy of the table
#   reference  one set-based DELETE of the same rows through psql, on a second plain copy
#
# and prints seconds, rows per second and the peak RSS of etl016-db (GNU time's maximum
# resident set size) as Markdown table rows for docs/benchmarks.md.
#
#   scripts/bench-purge.sh [ROWS]     ROWS expired rows in January 2025 (default 1000000)
#
# It works on its own database, etl016_bench_purge, which it drops and recreates; nothing
# else on the server is touched. BATCH_SIZE (default 10000) sets --batch-size of the
# batched run. It builds etl016-db in release mode first.
set -euo pipefail

rows=${1:-1000000}
batch_size=${BATCH_SIZE:-10000}
database=etl016_bench_purge
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time for the peak RSS measurement" >&2
    apt-get install -y time >/dev/null
fi

if [ -z "${ETL016_DB_CONNECTION:-}" ]; then
    eval "$(scripts/pg.sh env)"
fi
port=$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$ETL016_DB_CONNECTION")
export PGPASSWORD=${ETL016_DB_PASSWORD:-etl016-local}
psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"; }

swift build -c release --product etl016-db >&2
bin=$(swift build -c release --show-bin-path)/etl016-db

psql_admin -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
psql_admin -d postgres -c "CREATE DATABASE $database"
ETL016_DB_CONNECTION=$(sed "s/Database=[^;]*/Database=$database/" <<<"$ETL016_DB_CONNECTION")
export ETL016_DB_CONNECTION
db() { psql_admin -d "$database" "$@"; }

echo "loading $rows rows of January 2025 and 20000 rows of August 2025" >&2
"$bin" migrate --var service_login=talend_user --log-level warning >/dev/null
db -c "INSERT INTO dbo.f_trafegoc01 (dia, campo1) VALUES ('1/1/2025', 'seed'), ('1/9/2025', 'seed')"
"$bin" partitions ensure --as-of 2025-09-10 --months-ahead 1 --log-level warning >/dev/null
load_start=$(date +%s)
"$bin" run sql/demo-data.postgresql.sql --var rows="$rows" --var first_day=2025-01-01 \
    --var last_day=2025-01-31 --log-level warning >/dev/null
"$bin" run sql/demo-data.postgresql.sql --var rows=20000 --var first_day=2025-08-01 \
    --var last_day=2025-08-31 --log-level warning >/dev/null
echo "loaded in $(( $(date +%s) - load_start )) s; copying into two plain tables" >&2

for copy in f_plain f_reference; do
    db <<SQL
CREATE TABLE dbo.$copy (
    id bigint PRIMARY KEY,
    dia varchar(50),
    campo1 varchar(100),
    campo2 varchar(100),
    campo3 numeric(18, 2),
    datacriacao timestamp NOT NULL DEFAULT now(),
    datamodificacao timestamp,
    dia_date date GENERATED ALWAYS AS (dbo.etl016_dia_date(dia)) STORED
);
INSERT INTO dbo.$copy (id, dia, campo1, campo2, campo3, datacriacao, datamodificacao)
SELECT id, dia, campo1, campo2, campo3, datacriacao, datamodificacao FROM dbo.f_trafegoc01;
CREATE INDEX ix_${copy}_dia ON dbo.$copy (dia) WHERE dia IS NOT NULL;
CREATE INDEX ix_${copy}_datacriacao ON dbo.$copy (datacriacao DESC);
CREATE INDEX ix_${copy}_dia_datacriacao ON dbo.$copy (dia, datacriacao) INCLUDE (id);
CREATE INDEX ix_${copy}_dia_date ON dbo.$copy (dia_date);
SQL
done
db -c "VACUUM ANALYZE"
expired=$(db -tAc "SELECT count(*) FROM dbo.f_plain WHERE dia_date < DATE '2025-06-10'")
echo "$expired expired rows in each table" >&2

# Runs etl016-db under GNU time; prints "seconds rows peak_kb" from its JSON and time's report.
measure() {
    local report=/tmp/etl016-bench-time.$$ output
    output=$(/usr/bin/time -v -o "$report" "$bin" purge --json --as-of 2025-09-10 \
        --min-remaining 0 --max-delete 1000000000 --log-level warning "$@")
    local seconds deleted peak
    seconds=$(sed -n 's/.*"execution_time": \([0-9.]*\).*/\1/p' <<<"$output")
    deleted=$(sed -n 's/.*"records_deleted": \([0-9]*\).*/\1/p' <<<"$output")
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): \([0-9]*\)/\1/p' "$report")
    local wall
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): \(.*\)/\1/p' "$report")
    rm -f "$report"
    echo "$seconds $deleted $peak $wall"
}

read -r switch_s switch_rows switch_kb switch_wall < <(measure)
read -r batch_s batch_rows batch_kb batch_wall < <(
    measure --table dbo.f_plain --mode exact --batch-pause 0 --batch-size "$batch_size")

reference_ms=$(db -tA <<'SQL' | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
\timing on
DELETE FROM dbo.f_reference WHERE dia_date < DATE '2025-06-10';
SQL
)
reference_s=$(awk -v ms="$reference_ms" 'BEGIN { printf "%.3f", ms / 1000 }')

rate() { awk -v rows="$1" -v seconds="$2" 'BEGIN { printf "%d", rows / seconds }'; }
cat <<EOF

| method | rows | seconds | rows/s | peak RSS of etl016-db | wall time of the process |
|---|---|---|---|---|---|
| switch (DETACH + DROP) | $switch_rows | $switch_s | $(rate "$switch_rows" "$switch_s") | $((switch_kb / 1024)) MB | $switch_wall |
| batched deletes, batch $batch_size, no pause | $batch_rows | $batch_s | $(rate "$batch_rows" "$batch_s") | $((batch_kb / 1024)) MB | $batch_wall |
| one set-based DELETE (psql) | $expired | $reference_s | $(rate "$expired" "$reference_s") | - | - |
EOF
psql_admin -d postgres -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
