#!/usr/bin/env bash
# Runs the whole test suite: the sqlcmd batch cases, the T-SQL parse check of every SQL
# Server script, then the unit tests and the integration suite against a throwaway
# PostgreSQL on 127.0.0.1 (started here). When ETL016_TEST_SQLSERVER is set to an ODBC
# connection string, the integration suite also runs against that SQL Server.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/pg.sh start
eval "$(scripts/pg.sh env)"

swift build --build-tests

# The sqlcmd batch-splitting acceptance cases, when their folder sits beside the clone.
# The unit tests carry the same cases, so a clone without that folder still checks them.
cases=../shared/cases/tsql-batches
if [ -x "$cases/check" ]; then
    "$cases/check" .build/debug/etl016-db "$cases"
fi

scripts/check-tsql.sh

# Serialized, because roles and role membership are cluster-wide in PostgreSQL and several
# integration tests change them.
swift test --skip-build --no-parallel
