#!/usr/bin/env bash
# Installs what etl016-db needs to build and test on Debian 12: unixODBC, psqlODBC, the
# PostgreSQL server, OpenSSL's libcrypto headers, and sqlfluff for the T-SQL parse check.
# Skips the package manager when everything is already there. Needs root (or sudo).
set -euo pipefail

packages=(unixodbc-dev odbc-postgresql postgresql libssl-dev)
sqlfluff_version=4.5.0

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then sudo_cmd=(sudo); fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]}" >&2
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! odbcinst -q -d 2>/dev/null | grep -q '^\[PostgreSQL Unicode\]'; then
    echo "psqlODBC is installed but not registered as 'PostgreSQL Unicode' in odbcinst.ini" >&2
    exit 1
fi

if ! command -v sqlfluff >/dev/null 2>&1 || [ "$(sqlfluff --version | awk '{print $NF}')" != "$sqlfluff_version" ]; then
    echo "installing sqlfluff $sqlfluff_version" >&2
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
        "sqlfluff==$sqlfluff_version"
fi
