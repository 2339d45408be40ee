#!/usr/bin/env bash
# Starts or stops a throwaway PostgreSQL server on 127.0.0.1 for the demo and the tests.
#
#   scripts/pg.sh start   initialize (first time) and start the server, create the database
#   scripts/pg.sh stop    stop the server
#   scripts/pg.sh env     print the export lines for ETL016_DB_CONNECTION and friends
#
# It also creates the service login (ETL016_PG_SERVICE_LOGIN, talend_user, with password
# ETL016_PG_SERVICE_PASSWORD, talend-local), the member of etl016_role that the purge and
# verify-permissions run as.
#
# The data directory, port, database and password come from ETL016_PG_DIR (/tmp/etl016-pg),
# ETL016_PG_PORT (55432), ETL016_PG_DATABASE (etl016) and ETL016_PG_PASSWORD (etl016-local).
# As root the server runs as the `postgres` user, because initdb rejects root.
set -euo pipefail

pg_dir=${ETL016_PG_DIR:-/tmp/etl016-pg}
pg_port=${ETL016_PG_PORT:-55432}
pg_database=${ETL016_PG_DATABASE:-etl016}
pg_password=${ETL016_PG_PASSWORD:-etl016-local}
service_login=${ETL016_PG_SERVICE_LOGIN:-talend_user}
service_password=${ETL016_PG_SERVICE_PASSWORD:-talend-local}

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/{17,16,15,14,13}/bin; do
        if [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
    done
    echo "no PostgreSQL server found: install postgresql (scripts/install-deps.sh)" >&2
    exit 2
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

psql_admin() {
    PGPASSWORD=$pg_password psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" \
        -U postgres "$@"
}

start() {
    local bin
    bin=$(find_bin)
    mkdir -p "$pg_dir"
    if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pg_dir"; fi
    if [ ! -f "$pg_dir/data/PG_VERSION" ]; then
        local pwfile="$pg_dir/pwfile"
        printf '%s\n' "$pg_password" > "$pwfile"
        if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$pwfile"; fi
        as_owner "$bin/initdb" -D "$pg_dir/data" -U postgres --pwfile="$pwfile" \
            --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
            >"$pg_dir/initdb.log"
        rm -f "$pwfile"
    fi
    if ! as_owner "$bin/pg_ctl" -D "$pg_dir/data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w start \
            -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -k $pg_dir -c max_connections=100 \
                -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
    fi
    if ! psql_admin -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$pg_database'" \
        | grep -q 1; then
        psql_admin -d postgres -c "CREATE DATABASE \"$pg_database\""
    fi
    psql_admin -d postgres -c "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$service_login') THEN
            CREATE ROLE \"$service_login\" LOGIN PASSWORD '$service_password';
        END IF; END \$\$"
    echo "PostgreSQL is running on 127.0.0.1:$pg_port, database $pg_database" >&2
}

stop() {
    local bin
    bin=$(find_bin)
    if [ -f "$pg_dir/data/PG_VERSION" ]; then
        as_owner "$bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null || true
    fi
}

print_env() {
    echo "export ETL016_DB_CONNECTION='Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=$pg_port;Database=$pg_database;Uid=postgres'"
    echo "export ETL016_DB_PASSWORD='$pg_password'"
    echo "export ETL016_TEST_POSTGRES='Driver={PostgreSQL Unicode};Server=127.0.0.1;Port=$pg_port;Database=$pg_database;Uid=postgres;Pwd=$pg_password'"
    echo "export ETL016_TEST_SERVICE_LOGIN='$service_login'"
    echo "export ETL016_TEST_SERVICE_PASSWORD='$service_password'"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    *) echo "usage: scripts/pg.sh start|stop|env" >&2; exit 2 ;;
esac
