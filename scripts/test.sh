#!/usr/bin/env bash
# Runs the whole test suite: the sqlcmd batch cases, the T-SQL parse check of every SQL
# Server script, then the unit tests and the integration suite against a throwaway
# PostgreSQL on 127.0.0.1 (started here). Also runs the integration suite against SQL
# Server when ETL016_TEST_SQLSERVER holds an ODBC connection string.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/pg.sh start
eval "$(scripts/pg.sh env)"

swift build --build-tests

# The sqlcmd batch-splitting cases handed with the specification, when they sit beside the
# repository; the unit tests carry the same cases, so a clone without them loses nothing.
cases=../shared/cases/tsql-batches
if [ -x "$cases/check" ]; then
    "$cases/check" .build/debug/etl016-db "$cases"
fi

scripts/check-tsql.sh

# Serialized, because roles and role membership are cluster-wide in PostgreSQL and several
# integration tests change them.
swift test --skip-build --no-parallel
