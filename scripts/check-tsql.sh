#!/usr/bin/env bash
# Parses every T-SQL file with sqlfluff (dialect tsql) and exits non-zero when any of them
# has an unparsable section or a parse error.
#
#   scripts/check-tsql.sh [FILE ...]
#
# Without arguments it checks migrations/sqlserver/*.sql and sql/*.sqlserver.sql. sqlcmd
# variables are replaced in a temporary copy first, as the tool does before it runs a
# script: $(service_login) by talend_user, $(rows) by 1000000, $(first_day) by 2024-09-01
# and $(last_day) by 2025-09-30. A variable outside that list fails the check, so a new one
# has to be added to the list below.
set -euo pipefail

if ! command -v sqlfluff >/dev/null 2>&1; then
    echo "check-tsql: sqlfluff not found on PATH. Install it with: pip install sqlfluff" >&2
    exit 2
fi

if [ "$#" -gt 0 ]; then
    files=("$@")
else
    cd "$(dirname "$0")/.."
    shopt -s nullglob
    files=(migrations/sqlserver/*.sql sql/*.sqlserver.sql)
    shopt -u nullglob
fi
if [ "${#files[@]}" -eq 0 ]; then
    echo "check-tsql: no T-SQL files found" >&2
    exit 2
fi

work_dir=$(mktemp -d)
trap 'rm -rf "$work_dir"' EXIT

failed=0
for file in "${files[@]}"; do
    copy="$work_dir/$(basename "$file")"
    sed -e 's/\$(service_login)/talend_user/g' \
        -e 's/\$(rows)/1000000/g' \
        -e 's/\$(first_day)/2024-09-01/g' \
        -e 's/\$(last_day)/2025-09-30/g' \
        "$file" > "$copy"

    unknown=$(grep -o '\$([A-Za-z_][A-Za-z0-9_]*)' "$copy" | sort -u | tr '\n' ' ' || true)
    if [ -n "$unknown" ]; then
        echo "FAIL $file: unknown sqlcmd variables: $unknown(add them to scripts/check-tsql.sh)"
        failed=1
        continue
    fi

    # --templater raw keeps sqlfluff from reading {{ }} or {% %} in the SQL as Jinja.
    if output=$(sqlfluff parse --dialect tsql --templater raw --nocolor "$copy" 2>&1) \
        && ! grep -q 'unparsable' <<<"$output"; then
        echo "ok   $file"
    else
        echo "FAIL $file"
        details=$(grep -E 'unparsable|PRS|[Ee]rror' <<<"$output" || tail -5 <<<"$output")
        head -20 <<<"$details" | sed 's/^/     /'
        failed=1
    fi
done

exit "$failed"
