#!/usr/bin/env bash
# Start a throw-away PostgreSQL server on 127.0.0.1 for the tests; print its admin URL on stdout.
# Installs Debian's postgresql package when the server binaries are missing (CI on a fresh machine).
# Usage: eval "$(scripts/pg-test-server.sh)"   -> exports NEWSBOT_TEST_PG_URL
set -euo pipefail
port="${NEWSBOT_PG_PORT:-54329}"
dir="${NEWSBOT_PG_DIR:-/tmp/newsbot-pg}"

bindir=""
for candidate in /usr/lib/postgresql/*/bin; do
  [ -x "$candidate/initdb" ] && bindir="$candidate"
done
if [ -z "$bindir" ]; then
  echo "installing postgresql (Debian package)…" >&2
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  else
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  fi
  for candidate in /usr/lib/postgresql/*/bin; do
    [ -x "$candidate/initdb" ] && bindir="$candidate"
  done
fi

# PostgreSQL will not run as root: run it as the postgres user when we are root.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

if ! as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
  rm -rf "$dir"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_pg "$bindir/initdb" -D "$dir/data" -U newsbot --auth=trust -E UTF8 >/dev/null
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c max_connections=200" start >/dev/null
fi
echo "export NEWSBOT_TEST_PG_URL=postgresql+psycopg://newsbot@127.0.0.1:$port/postgres"
