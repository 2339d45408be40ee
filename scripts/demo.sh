#!/usr/bin/env bash
# From a fresh clone to a migrated, loaded database: installs the dependencies, starts a
# throwaway PostgreSQL on 127.0.0.1, builds etl016-db, applies every migration, creates the
# monthly partitions, loads the demo traffic data (once), and shows `status` and `stats`.
# Running it again applies nothing.
#
# DEMO_ROWS (1000000), DEMO_FIRST_DAY (2024-09-01) and DEMO_LAST_DAY (2025-09-30) size the
# demo data.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/pg.sh start
eval "$(scripts/pg.sh env)"

swift build -c release
tool=.build/release/etl016-db

"$tool" migrate --var service_login="$ETL016_TEST_SERVICE_LOGIN"

existing=$(PGPASSWORD=$ETL016_DB_PASSWORD psql -X -tA -h 127.0.0.1 -p "${ETL016_PG_PORT:-55432}" \
    -U postgres -d "${ETL016_PG_DATABASE:-etl016}" -c "SELECT count(*) FROM dbo.f_trafegoc01")
if [ "$existing" = 0 ]; then
    # Monthly partitions first, so the rows go straight to their month instead of the
    # DEFAULT partition, from which `partitions ensure` would have to move them.
    "$tool" partitions ensure --from "${DEMO_FIRST_DAY:-2024-09-01}" \
        --as-of "${DEMO_LAST_DAY:-2025-09-30}"
    "$tool" run sql/demo-data.postgresql.sql --transaction \
        --var rows="${DEMO_ROWS:-1000000}" \
        --var first_day="${DEMO_FIRST_DAY:-2024-09-01}" \
        --var last_day="${DEMO_LAST_DAY:-2025-09-30}"
else
    echo "dbo.f_trafegoc01 already holds $existing rows; not loading the demo data again" >&2
fi

"$tool" status
"$tool" stats
echo
echo "To use etl016-db against this database in your shell:"
echo '  eval "$(scripts/pg.sh env)"; export PATH="$PWD/.build/release:$PATH"'
