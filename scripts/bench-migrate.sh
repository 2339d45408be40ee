#!/usr/bin/env bash
# Benchmarks `etl016-db migrate` against psql on 200 generated migrations, each creating a
# table and an index, applied to an empty PostgreSQL database; then the no-op rerun.
# Prints one line per measurement. Not a test: numbers depend on the machine.
#
#   scripts/bench-migrate.sh [COUNT] [ROUNDS]     (defaults: 200 migrations, 5 rounds)
set -euo pipefail
cd "$(dirname "$0")/.."

count=${1:-200}
rounds=${2:-5}
scripts/install-deps.sh
if ! [ -x /usr/bin/time ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null
fi
scripts/pg.sh start
eval "$(scripts/pg.sh env)"
swift build -c release >/dev/null
tool=$PWD/.build/release/etl016-db

port=${ETL016_PG_PORT:-55432}
database=etl016_bench_migrate
export PGPASSWORD=$ETL016_DB_PASSWORD
admin() { psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres "$@"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/migrations"
for i in $(seq 1 "$count"); do
    minute=$(printf '%02d%02d' $((i / 60)) $((i % 60)))
    name=$(printf 'bench_%03d' "$i")
    cat > "$work/migrations/20250101_${minute}_create_${name}.sql" <<SQL
CREATE TABLE dbo.${name} (id bigint PRIMARY KEY, name varchar(100), created timestamp DEFAULT now());
CREATE INDEX ix_${name}_name ON dbo.${name} (name);
SQL
done

fresh_database() {
    admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" -c "CREATE DATABASE $database"
    psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d "$database" -c "CREATE SCHEMA dbo"
}

seconds_of() {
    # Runs a command and prints its wall-clock seconds and peak RSS in MB.
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" \
        || { cat "$work/stderr" >&2; exit 1; }
    awk '{printf "%.3f s, peak RSS %.1f MB", $1, $2 / 1024}' "$work/time"
}

connection="Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=$port;Database=$database;Uid=postgres"
files=("$work"/migrations/*.sql)
psql_args=()
for file in "${files[@]}"; do psql_args+=(-f "$file"); done

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for round in $(seq 1 "$rounds"); do
    fresh_database
    echo "round $round psql, $count files in one process:  $(seconds_of psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d "$database" "${psql_args[@]}")"
    admin -c "DROP DATABASE $database WITH (FORCE)" -c "CREATE DATABASE $database"
    echo "round $round etl016-db migrate, $count files:   $(seconds_of "$tool" migrate --connection "$connection" --migrations "$work/migrations" --no-permissions --log-level warning)"
    echo "round $round etl016-db migrate, no-op rerun:    $(seconds_of "$tool" migrate --connection "$connection" --migrations "$work/migrations" --no-permissions --log-level warning)"
done
admin -c "DROP DATABASE IF EXISTS $database WITH (FORCE)"
