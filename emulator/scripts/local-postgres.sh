#!/usr/bin/env bash
# A project-local PostgreSQL cluster for the emulator and the tests.
#   local-postgres.sh start DATA_DIR PORT [--throwaway]   start (creating if needed); prints DATABASE_URL
#   local-postgres.sh stop DATA_DIR                        stop it
# PostgreSQL refuses to run as root, so under root the cluster belongs to the unprivileged
# `postgres` user (created by Debian's package; `verdict-pg` is created when it is missing).
set -euo pipefail

cmd=${1:?usage: local-postgres.sh start|stop DATA_DIR [PORT]}
data=${2:?data directory required}
port=${3:-5433}
throwaway=${4:-}

bindir=$(pg_config --bindir 2>/dev/null || true)
if [ ! -x "$bindir/initdb" ]; then
  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi
[ -x "$bindir/initdb" ] || { echo "PostgreSQL server binaries not found (install the postgresql package)" >&2; exit 1; }

runas=()
owner=$(id -un)
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  id "$owner" >/dev/null 2>&1 || { owner=verdict-pg; id "$owner" >/dev/null 2>&1 || useradd --system --no-create-home "$owner"; }
  runas=(runuser -u "$owner" --)
fi

case "$cmd" in
start)
  mkdir -p "$data"
  data=$(cd "$data" && pwd)
  [ "$(id -u)" = 0 ] && chown "$owner" "$data" && chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    "${runas[@]}" "$bindir/initdb" -D "$data" -U verdict --auth=trust -E UTF8 --no-locale >"$data/../initdb.log" 2>&1 \
      || { cat "$data/../initdb.log" >&2; exit 1; }
  fi
  # 512 MB of buffers rather than PostgreSQL's 128 MB default, nearer what a managed database
  # gets (RDS gives a quarter of the instance's memory): with 128 MB, bulk ingest evicted and
  # wrote back its own dirty pages once the tables outgrew the pool, about a tenth of its time.
  opts="-c listen_addresses=127.0.0.1 -p $port -k $data -c max_connections=300 -c shared_buffers=512MB"
  # A throw-away test cluster trades durability for speed; a developer's cluster keeps its data safe.
  [ "$throwaway" = "--throwaway" ] && opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if ! "${runas[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    "${runas[@]}" "$bindir/pg_ctl" -D "$data" -o "$opts" -l "$data/server.log" -w -t 60 start >/dev/null \
      || { tail -n 20 "$data/server.log" >&2; exit 1; }
  fi
  if ! "$bindir/psql" -h 127.0.0.1 -p "$port" -U verdict -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='verdict'" | grep -q 1; then
    "$bindir/createdb" -h 127.0.0.1 -p "$port" -U verdict verdict
  fi
  echo "postgresql://verdict@127.0.0.1:$port/verdict"
  ;;
stop)
  [ -f "$data/PG_VERSION" ] || exit 0
  "${runas[@]}" "$bindir/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 || true
  ;;
*)
  echo "unknown command $cmd" >&2
  exit 2
  ;;
esac
